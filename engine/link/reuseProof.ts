import { mapConcurrently } from '../concurrently';
import { isRequestRefusal } from '../http/errors';
import { formatBytes } from '../text/format';
import { reuseClaims, type AttachmentRef, type HashedFile, type WorkItemSnapshot } from './linkPlan';
import type { Localize, TaskLog } from '../text/localize';
import type { AttachmentDownloads } from './attachmentDownloads';

/**
 * How many claimed attachments one file may cost a download. A re-run normally meets one claim per file (the
 * attachment its earlier run linked, however many items link it); claims past this are not chased, the file is
 * uploaded instead, so forged claims cannot make the task download without end.
 */
export const MAX_DOWNLOADS_PER_FILE = 3;

export interface ReuseProofContext {
    /** The run's downloads of claimed attachments (WorkItemsClient.attachmentSha256), each at most once, shared by both proofs. */
    readonly downloads: AttachmentDownloads;
    readonly concurrency: number;
    readonly log: TaskLog;
    readonly loc: Localize;
    describe(error: unknown): string;
}

/**
 * For each file, the attachment on a target work item that is proven to hold the same content: claimed by a relation
 * (same name, the file's SHA-256 in its comment), one of the collection's attachments, the same `resourceSize`, and
 * downloaded and hashed to the same SHA-256. A file without such an attachment is uploaded like any other.
 */
export async function proveReuse(files: readonly HashedFile[], items: readonly WorkItemSnapshot[], context: ReuseProofContext): Promise<Map<HashedFile, AttachmentRef>> {
    // Several files (or items) may claim one attachment: it is downloaded once (context.downloads).
    const sha256Of = (id: string, size: number) => context.downloads.sha256(id, size);
    const pending = files.filter((hashed) => reuseClaims(hashed, items).length > 0);
    const attachments = await mapConcurrently(pending, context.concurrency, (hashed) => provenAttachment(hashed, items, sha256Of, context));
    // In file order, whatever order the downloads finished in.
    return new Map(pending.flatMap((hashed, index) => (attachments[index] ? [[hashed, attachments[index]] as const] : [])));
}

async function provenAttachment(
    hashed: HashedFile,
    items: readonly WorkItemSnapshot[],
    sha256Of: (id: string, size: number) => Promise<string | undefined>,
    context: ReuseProofContext,
): Promise<AttachmentRef | undefined> {
    const { file } = hashed;
    const { log, loc } = context;
    const seen = new Set<string>();
    let downloaded = 0;
    for (const { workItemId, relation } of reuseClaims(hashed, items)) {
        const attachment = relation.attachment;
        const key = attachment?.id ?? relation.url;
        if (seen.has(key)) {
            continue;
        }
        seen.add(key);
        if (!attachment) {
            log.warning(loc('ReuseNotOnCollection', file.relativePath, workItemId, hostOf(relation.url)));
            continue;
        }
        if (relation.size !== file.size) {
            log.warning(loc('ReuseSizeDiffers', file.relativePath, workItemId, relation.size === undefined ? '?' : formatBytes(relation.size), formatBytes(file.size)));
            continue;
        }
        if (downloaded >= MAX_DOWNLOADS_PER_FILE) {
            log.debug(`${file.relativePath}: ${MAX_DOWNLOADS_PER_FILE} claimed attachments checked, the others are not downloaded`);
            return undefined;
        }
        downloaded++;
        let sha256: string | undefined;
        try {
            sha256 = await sha256Of(attachment.id, file.size);
        } catch (error) {
            // A 404 or 403 here is about this download (the attachment is gone, or not the identity's to read), not an upload.
            log.info(
                isRequestRefusal(error)
                    ? loc('ReuseCheckRefused', file.relativePath, workItemId, error.status, error.serverMessage)
                    : loc('ReuseCheckFailed', file.relativePath, workItemId, context.describe(error)),
            );
            continue;
        }
        if (sha256 === hashed.sha256) {
            // The URL is rebuilt from what was checked, so nothing else the relation said reaches the outputs.
            return { id: attachment.id, url: `${attachment.url}?fileName=${encodeURIComponent(file.name)}` };
        }
        log.warning(loc('ReuseContentDiffers', file.relativePath, workItemId));
    }
    return undefined;
}

function hostOf(url: string): string {
    try {
        return new URL(url).host || '?';
    } catch {
        return '?';
    }
}
