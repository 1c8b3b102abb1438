import type { ArtifactFile } from '../find/findArtifacts';

/** The service refuses a 101st attachment on one work item (VS403313). */
export const MAX_ATTACHMENTS_PER_WORK_ITEM = 100;

/** An attachment of this collection: its id (a GUID, lower case) and a URL of the collection's own that names it. */
export interface AttachmentRef {
    readonly id: string;
    readonly url: string;
}

export interface AttachedFileRelation {
    /** Where it stands among all of the item's relations (of any type): what a `remove` names. */
    readonly index?: number;
    /** As the work item has it: written by whoever linked it, so never trusted as is. */
    readonly url: string;
    /** Set only when `url` is an attachment of this collection (its origin, its path, the attachments route). */
    readonly attachment?: AttachmentRef;
    readonly name?: string;
    /** The `resourceSize` attribute: the size the server stored. */
    readonly size?: number;
    readonly comment?: string;
}

export interface WorkItemSnapshot {
    readonly id: number;
    readonly rev: number;
    readonly attachedFiles: readonly AttachedFileRelation[];
}

export interface HashedFile {
    readonly file: ArtifactFile;
    readonly sha256: string;
}

export interface LinkPlan {
    /** Files that need an attachment of their own, and that at least one target work item accepts. */
    readonly toUpload: HashedFile[];
    /** Files a target already holds, proven by content: that attachment is linked to the other targets instead. */
    readonly reused: Map<HashedFile, AttachmentRef>;
    /** For each work item that can take them, the files it still lacks. */
    readonly missingByItem: Map<number, HashedFile[]>;
    /** Work items that would pass the attachment limit: they get nothing. */
    readonly overLimit: { readonly id: number; readonly existing: number; readonly adding: number }[];
    /** Files that would need uploading, but that every target work item refuses: uploading them would only leave orphans. */
    readonly refused: HashedFile[];
}

/** A relation that claims to hold a file: same name, and the file's SHA-256 in its comment. A claim, not proof. */
export interface ReuseClaim {
    readonly workItemId: number;
    readonly relation: AttachedFileRelation;
}

const ATTACHMENT_ROUTE = /^(?:[^/;]+\/)?_apis\/wit\/attachments\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i;

/**
 * The task writes the SHA-256 of the content into the relation comment, so that a re-run finds candidates
 * cheaply. Anyone who can edit the work item can write the same words, so the marker only picks what to check.
 */
export function relationComment(comment: string, sha256: string): string {
    return `${comment} [sha256:${sha256}]`;
}

/**
 * The attachment a URL names when it is one of the collection's own: same origin, below one of `bases` (the
 * collection URL, ending in `/`), then `[{project}/]_apis/wit/attachments/{guid}`. Anything else (another host,
 * another collection, another route, credentials in the URL) is undefined: the task never sends its token there.
 */
export function attachmentIn(url: string, bases: readonly string[]): AttachmentRef | undefined {
    let parsed: URL;
    try {
        parsed = new URL(url);
    } catch {
        return undefined;
    }
    if (parsed.username || parsed.password) {
        return undefined;
    }
    for (const base of bases) {
        const root = new URL(base);
        const basePath = root.pathname.endsWith('/') ? root.pathname : `${root.pathname}/`;
        if (parsed.origin !== root.origin || !parsed.pathname.toLowerCase().startsWith(basePath.toLowerCase())) {
            continue;
        }
        const match = ATTACHMENT_ROUTE.exec(parsed.pathname.slice(basePath.length));
        if (match) {
            return { id: match[1].toLowerCase(), url: `${parsed.origin}${parsed.pathname}` };
        }
    }
    return undefined;
}

/** The relations that claim to hold the file, on every target, in the order of the targets. */
export function reuseClaims(hashed: HashedFile, items: readonly WorkItemSnapshot[]): ReuseClaim[] {
    const marker = `[sha256:${hashed.sha256}]`;
    return items.flatMap((item) =>
        item.attachedFiles
            .filter((relation) => relation.name === hashed.file.name && (relation.comment ?? '').includes(marker))
            .map((relation) => ({ workItemId: item.id, relation })),
    );
}

/** True when the item links the attachment (whatever URL spelling the relation uses). */
export function holdsAttachment(item: WorkItemSnapshot, attachmentId: string): boolean {
    const id = attachmentId.toLowerCase();
    return item.attachedFiles.some((relation) => relation.attachment?.id === id);
}

/** True when adding `adding` attachments to the item (and removing `removing` of its own) would pass the service's limit. */
export function wouldPassLimit(item: WorkItemSnapshot, adding: number, removing = 0): boolean {
    return item.attachedFiles.length + adding - removing > MAX_ATTACHMENTS_PER_WORK_ITEM;
}

/** The files the item does not link yet; `attachmentOf` names each file's attachment when it has one (reused or uploaded). */
export function missingFiles(item: WorkItemSnapshot, files: readonly HashedFile[], attachmentOf: (hashed: HashedFile) => AttachmentRef | undefined): HashedFile[] {
    return files.filter((hashed) => {
        const attachment = attachmentOf(hashed);
        return !attachment || !holdsAttachment(item, attachment.id);
    });
}

/**
 * Decides, before anything is uploaded, what each work item needs and which files need uploading at all.
 * `proven` holds the attachments whose content was downloaded and found equal to the file's: only those are reused.
 */
export function planLinks(
    files: readonly HashedFile[],
    items: readonly WorkItemSnapshot[],
    proven: ReadonlyMap<HashedFile, AttachmentRef>,
    /** How many older versions the item loses when these files are linked to it (replaceOlderVersions). */
    removing: (itemId: number, missing: readonly HashedFile[]) => number = () => 0,
): LinkPlan {
    const missingByItem = new Map<number, HashedFile[]>();
    const overLimit: LinkPlan['overLimit'] = [];
    for (const item of items) {
        const missing = missingFiles(item, files, (hashed) => proven.get(hashed));
        // Namesakes with the same content may share one reused attachment: it becomes one relation, so it counts once.
        const adding = new Set(missing.map((hashed) => proven.get(hashed)?.id ?? hashed)).size;
        if (wouldPassLimit(item, adding, removing(item.id, missing))) {
            overLimit.push({ id: item.id, existing: item.attachedFiles.length, adding });
        } else {
            missingByItem.set(item.id, missing);
        }
    }
    // With no work item to read at all, the files are still uploaded: the outputs give later steps their URLs.
    const accepted = (hashed: HashedFile) => items.length === 0 || [...missingByItem.values()].some((missing) => missing.includes(hashed));
    const needUpload = files.filter((hashed) => !proven.has(hashed));
    return {
        toUpload: needUpload.filter(accepted),
        reused: new Map(files.flatMap((hashed) => {
            const attachment = proven.get(hashed);
            return attachment ? [[hashed, attachment] as const] : [];
        })),
        missingByItem,
        overLimit,
        refused: needUpload.filter((hashed) => !accepted(hashed)),
    };
}
