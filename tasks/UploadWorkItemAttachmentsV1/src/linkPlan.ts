import type { ArtifactFile } from './findArtifacts';

/** The service refuses a 101st attachment on one work item (VS403313). */
export const MAX_ATTACHMENTS_PER_WORK_ITEM = 100;

export interface AttachedFileRelation {
    readonly url: string;
    readonly name?: string;
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
    /** Files that no target work item holds yet. */
    readonly toUpload: HashedFile[];
    /** Files a target already holds: that attachment is linked to the other targets instead of uploading the file again. */
    readonly reused: Map<HashedFile, string>;
    /** For each work item that can take them, the files it still lacks. */
    readonly missingByItem: Map<number, HashedFile[]>;
    /** Work items that would pass the attachment limit: they get nothing. */
    readonly overLimit: { readonly id: number; readonly existing: number; readonly adding: number }[];
}

/**
 * "The same file" is the same name and the same content. Name and size are not enough (logs often share
 * both), so the task writes the SHA-256 of the content into the relation comment and looks for it again.
 */
export function relationComment(comment: string, sha256: string): string {
    return `${comment} [sha256:${sha256}]`;
}

export function holdsFile(relations: readonly AttachedFileRelation[], hashed: HashedFile): AttachedFileRelation | undefined {
    const marker = `[sha256:${hashed.sha256}]`;
    return relations.find((relation) => relation.name === hashed.file.name && (relation.comment ?? '').includes(marker));
}

/** True when adding `adding` attachments to the item would pass the service's limit. */
export function wouldPassLimit(item: WorkItemSnapshot, adding: number): boolean {
    return item.attachedFiles.length + adding > MAX_ATTACHMENTS_PER_WORK_ITEM;
}

export function missingFiles(item: WorkItemSnapshot, files: readonly HashedFile[]): HashedFile[] {
    return files.filter((hashed) => !holdsFile(item.attachedFiles, hashed));
}

/** Decides, before anything is uploaded, what each work item needs and which files need uploading at all. */
export function planLinks(files: readonly HashedFile[], items: readonly WorkItemSnapshot[]): LinkPlan {
    const reused = new Map<HashedFile, string>();
    for (const hashed of files) {
        for (const item of items) {
            const existing = holdsFile(item.attachedFiles, hashed);
            if (existing) {
                reused.set(hashed, existing.url);
                break;
            }
        }
    }
    const missingByItem = new Map<number, HashedFile[]>();
    const overLimit: LinkPlan['overLimit'] = [];
    for (const item of items) {
        const missing = missingFiles(item, files);
        if (wouldPassLimit(item, missing.length)) {
            overLimit.push({ id: item.id, existing: item.attachedFiles.length, adding: missing.length });
        } else {
            missingByItem.set(item.id, missing);
        }
    }
    return { toUpload: files.filter((hashed) => !reused.has(hashed)), reused, missingByItem, overLimit };
}
