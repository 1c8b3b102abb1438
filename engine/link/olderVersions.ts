import type { AttachedFileRelation, HashedFile, WorkItemSnapshot } from './linkPlan';
import type { ReuseProofContext } from './reuseProof';

/**
 * How many earlier attachments of one file are downloaded to prove they are the task's. A nightly run meets one per
 * work item (the version the night before linked); forged candidates past this are left alone, never removed.
 */
export const MAX_OLDER_VERSION_CHECKS_PER_FILE = 10;

/** For each work item, for each file: the relations proven to hold an earlier version this task attached. */
export type OlderVersions = Map<number, Map<HashedFile, AttachedFileRelation[]>>;

/** The comment ends with the marker the task writes: `... [sha256:<64 hex>]`. */
const TASK_MARKER = /\[sha256:([0-9a-f]{64})\]$/;

/**
 * Proves which relations are older versions of the files that this task attached, the same way reuse is proven:
 * same name; a comment that ends with the task's `[sha256:X]` marker for content no file of this run by that name has; one of
 * the collection's attachments; a known `resourceSize`; and downloaded, it has that size and hashes to X. A relation
 * anyone added by hand lacks a marker that matches its content, so it is never removed. (Someone who writes the task's
 * exact marker for the exact content is indistinguishable from the task, and is treated as the task's earlier run.)
 */
export async function proveOlderVersions(files: readonly HashedFile[], items: readonly WorkItemSnapshot[], context: ReuseProofContext): Promise<OlderVersions> {
    const { log, loc } = context;
    const found: OlderVersions = new Map();
    // What each attachment proved here, its failure told once; the download itself is the run's (context.downloads).
    const verdicts = new Map<string, Promise<string | undefined>>();
    const currentContent = contentByName(files);
    for (const hashed of files) {
        let checked = 0;
        for (const item of items) {
            for (const relation of item.attachedFiles.filter((candidate) => candidate.name === hashed.file.name)) {
                const claimed = TASK_MARKER.exec(relation.comment ?? '')?.[1];
                if (claimed !== undefined && currentContent.get(hashed.file.name)?.has(claimed)) {
                    // The content of a file of this run under this name: its own (reuse), or that of a namesake in
                    // another folder (x64/app.log beside arm64/app.log). A current version, never an older one.
                    continue;
                }
                if (!claimed || !relation.attachment || relation.size === undefined || relation.index === undefined) {
                    log.info(loc('OlderVersionNotOurs', hashed.file.name, item.id));
                    continue;
                }
                const { id } = relation.attachment;
                const key = `${id}/${relation.size}`;
                let verdict = verdicts.get(key);
                if (!verdict) {
                    // Only a new download counts against the bound: one the reuse proof already made costs nothing.
                    if (!context.downloads.has(id, relation.size)) {
                        if (checked >= MAX_OLDER_VERSION_CHECKS_PER_FILE) {
                            log.debug(`${hashed.file.relativePath}: ${MAX_OLDER_VERSION_CHECKS_PER_FILE} earlier versions checked, the others are left alone`);
                            continue;
                        }
                        checked++;
                    }
                    // A download that fails proves nothing: the relation stays.
                    verdict = context.downloads.sha256(id, relation.size).catch((error: unknown) => {
                        log.info(loc('OlderVersionCheckFailed', hashed.file.name, item.id, context.describe(error)));
                        return undefined;
                    });
                    verdicts.set(key, verdict);
                }
                if ((await verdict) !== claimed) {
                    log.info(loc('OlderVersionNotOurs', hashed.file.name, item.id));
                    continue;
                }
                const byFile = found.get(item.id) ?? new Map<HashedFile, AttachedFileRelation[]>();
                byFile.set(hashed, [...(byFile.get(hashed) ?? []), relation]);
                found.set(item.id, byFile);
            }
        }
    }
    return found;
}

/** For each attachment name, the content (SHA-256) of every file of this run that goes by it. */
function contentByName(files: readonly HashedFile[]): Map<string, Set<string>> {
    const byName = new Map<string, Set<string>>();
    for (const { file, sha256 } of files) {
        byName.set(file.name, (byName.get(file.name) ?? new Set<string>()).add(sha256));
    }
    return byName;
}

/** The relations the item loses when these files are linked to it, each once (namesakes may prove the same one). */
export function removalsFor(olderVersions: OlderVersions, itemId: number, files: readonly HashedFile[]): AttachedFileRelation[] {
    const byFile = olderVersions.get(itemId);
    return byFile ? [...new Set(files.flatMap((hashed) => byFile.get(hashed) ?? []))] : [];
}
