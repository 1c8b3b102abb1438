import { mapConcurrently } from '../concurrently';
import { sha256OfFile } from '../files/contentHash';
import { HttpError, isRequestRefusal } from '../http/errors';
import type { ArtifactFile } from '../find/findArtifacts';
import {
    MAX_ATTACHMENTS_PER_WORK_ITEM,
    holdsAttachment,
    missingFiles,
    planLinks,
    relationComment,
    wouldPassLimit,
    type AttachmentRef,
    type HashedFile,
    type LinkPlan,
    type WorkItemSnapshot,
} from './linkPlan';
import type { Localize, TaskLog } from '../text/localize';
import { proveReuse } from './reuseProof';
import { discussionHtml, type RunLink } from './discussion';
import { proveOlderVersions, removalsFor, type OlderVersions } from './olderVersions';
import { gatherTargets, type TargetSelection } from './targets';
import type { FailedFile } from '../upload/uploadAll';
import type { WorkItemsClient } from './workItems';
import type { AttachmentDownloads } from './attachmentDownloads';

/** A work item (`#123`), or the lookup of the run's work items, that did not get its attachments, and why. */
export interface WorkItemFailure {
    /** `#123`, or the lookup of the run's work items in words. */
    readonly subject: string;
    /** The work item, when the failure is about one. */
    readonly workItem?: number;
    /** The files it did not get, when a link failed. */
    readonly paths?: readonly string[];
    readonly reason: string;
}

/** A file that is not uploaded because every work item it is meant for refuses it; the message says so in words. */
export class RefusedByWorkItemsError extends Error {
    override readonly name = 'RefusedByWorkItemsError';
}

/** What linking does besides adding relations. */
export interface LinkOptions {
    /** Remove the relations proven to hold an earlier version of a file this task attached, in the PATCH that adds the new one. */
    readonly replaceOlderVersions?: boolean;
    /** Add a Discussion entry naming the newly attached files, with a link back to this run. */
    readonly discussion?: RunLink;
}

/** Older versions of a file that a work item no longer links: their relations went in the PATCH that linked the new one. */
export interface Replacement {
    readonly workItem: number;
    readonly file: ArtifactFile;
    readonly versions: number;
}

export interface PreparedLinks {
    readonly plan: LinkPlan;
    /** None unless replaceOlderVersions. */
    readonly olderVersions?: OlderVersions;
    readonly snapshots: ReadonlyMap<number, WorkItemSnapshot>;
    readonly failures: WorkItemFailure[];
    /**
     * Files that fail before any upload, neither uploaded nor linked: they could not be hashed (deleted, changed,
     * locked, unreadable), or every work item they are meant for refuses them.
     */
    readonly notUploaded: FailedFile[];
}

export interface LinkOutcome {
    /** The work items that now hold every attachment meant for them. */
    readonly linked: number[];
    /** For the summary: the work items each file is on now. */
    readonly itemsByFile: ReadonlyMap<ArtifactFile, number[]>;
    readonly failures: WorkItemFailure[];
    /** Older versions whose relations were removed, per work item and file. */
    readonly replaced: Replacement[];
}

export interface LinkingContext {
    readonly workItems: WorkItemsClient;
    readonly log: TaskLog;
    readonly loc: Localize;
    /** Describes a failed request for the user (the same words as for a failed upload). */
    describe(error: unknown): string;
    /** Who the token belongs to, in words an administrator can look up. */
    readonly identity: string;
    /** How many claimed attachments are downloaded and compared at once. */
    readonly concurrency: number;
    /** The run's downloads of claimed attachments: the reuse proof and the older-version proof download each once between them. */
    readonly downloads: AttachmentDownloads;
}

/** How many files a link failure names before it says how many more there are. */
const NAMES_LISTED = 5;

const CONFLICT_ATTEMPTS = 5;

/** Finds the target work items, reads their attachments and decides what to upload, all before the first upload. */
export async function prepareLinks(files: readonly ArtifactFile[], selection: TargetSelection, options: LinkOptions, context: LinkingContext): Promise<PreparedLinks> {
    const { workItems, log, loc } = context;
    // Throws, before anything is read or uploaded, when the query is refused or the targets are too many.
    const { ids, failures } = await gatherTargets(selection, context);
    const snapshots = new Map<number, WorkItemSnapshot>();
    if (ids.length === 0) {
        log.info(loc('NoWorkItemsToLink'));
    } else {
        log.info(loc('LinkingTargets', ids.map((id) => `#${id}`).join(', ')));
    }
    // Several at once (a query may name hundreds), each settled with what it found, then taken in the targets' order.
    const reads = await mapConcurrently(ids, context.concurrency, async (id): Promise<{ id: number; snapshot?: WorkItemSnapshot } | { id: number; error: unknown }> => {
        try {
            return { id, snapshot: await workItems.read(id) };
        } catch (error) {
            return { id, error };
        }
    });
    for (const read of reads) {
        if ('snapshot' in read && read.snapshot) {
            snapshots.set(read.id, read.snapshot);
        } else {
            const reason = 'error' in read ? context.describe(read.error) : loc('WorkItemNotFound', read.id);
            failures.push({ subject: `#${read.id}`, workItem: read.id, reason });
        }
    }
    const hashes = await mapConcurrently(files, context.concurrency, async (file): Promise<HashedFile | FailedFile> => {
        // A file that vanishes, changes or stays locked while hashed fails alone: the others are still uploaded and linked.
        try {
            return { file, sha256: await sha256OfFile(file) };
        } catch (error) {
            return { file, error };
        }
    });
    const hashed: HashedFile[] = hashes.flatMap((result) => ('sha256' in result ? [result] : []));
    const unhashed: FailedFile[] = hashes.flatMap((result) => ('sha256' in result ? [] : [result]));
    const items = [...snapshots.values()];
    const proven = await proveReuse(hashed, items, context);
    const olderVersions: OlderVersions = options.replaceOlderVersions ? await proveOlderVersions(hashed, items, context) : new Map();
    const plan = planLinks(hashed, items, proven, (itemId, missing) => removalsFor(olderVersions, itemId, missing).length);
    for (const { id, existing, adding } of plan.overLimit) {
        failures.push({ subject: `#${id}`, workItem: id, reason: loc('WorkItemOverLimit', existing, adding, MAX_ATTACHMENTS_PER_WORK_ITEM) });
    }
    for (const [hashedFile] of plan.reused) {
        log.info(loc('FileAlreadyAttached', hashedFile.file.relativePath));
    }
    const refusing = plan.overLimit.map(({ id }) => `#${id}`).join(', ');
    const refused = plan.refused.map(({ file }) => ({ file, error: new RefusedByWorkItemsError(loc('FileRefusedByEveryWorkItem', refusing, MAX_ATTACHMENTS_PER_WORK_ITEM)) }));
    return { plan, olderVersions, snapshots, failures, notUploaded: [...unhashed, ...refused] };
}

/**
 * One PATCH per work item with all of its new relations; a concurrent edit (TF26071) makes it read the item again and
 * retry. `attachmentOf` gives each file's attachment: uploaded by this run, or reused; none when its upload failed.
 */
export async function linkAttachments(
    prepared: PreparedLinks,
    attachmentOf: (file: ArtifactFile) => AttachmentRef | undefined,
    comment: string,
    context: LinkingContext,
    options: LinkOptions = {},
): Promise<LinkOutcome> {
    const linked: number[] = [];
    const replaced: Replacement[] = [];
    const failures = [...prepared.failures];
    const itemsByFile = new Map<ArtifactFile, number[]>();
    const allFiles = [...prepared.plan.reused.keys(), ...prepared.plan.toUpload];

    for (const [id, missing] of prepared.plan.missingByItem) {
        let item = prepared.snapshots.get(id) as WorkItemSnapshot;
        const ready = missing.filter((hashed) => attachmentOf(hashed.file) !== undefined);
        // A file that failed to upload keeps the item out of LinkedWorkItems: it does not hold everything meant for it.
        let complete = ready.length === missing.length;
        try {
            const result = await linkToWorkItem(item, ready, attachmentOf, comment, { ...options, olderVersions: prepared.olderVersions ?? new Map() }, context);
            item = result.item;
            if (ready.length > 0) {
                context.log.info(context.loc('LinkedToWorkItem', ready.length, id));
            }
            for (const replacement of result.replaced) {
                context.log.info(context.loc('OlderVersionReplaced', replacement.file.relativePath, replacement.versions, id));
                replaced.push(replacement);
            }
        } catch (error) {
            complete = false;
            failures.push({ subject: `#${id}`, workItem: id, paths: ready.map((hashed) => hashed.file.relativePath), reason: describeLinkFailure(error, id, context) });
        }
        if (complete) {
            linked.push(id);
        }
        for (const hashed of allFiles) {
            const attachment = attachmentOf(hashed.file);
            if (attachment && holdsAttachment(item, attachment.id)) {
                itemsByFile.set(hashed.file, [...(itemsByFile.get(hashed.file) ?? []), id]);
            }
        }
    }
    return { linked, itemsByFile, failures, replaced };
}

class WorkItemRefusedError extends Error {
    override readonly name = 'WorkItemRefusedError';
}

/** The PATCH that was to link `files` failed: keeps which files they were, for the message. */
class LinkRequestError extends Error {
    override readonly name = 'LinkRequestError';

    constructor(readonly files: readonly HashedFile[], override readonly cause: unknown) {
        super(cause instanceof Error ? cause.message : String(cause));
    }
}

/**
 * Only files whose attachment exists (uploaded or reused) reach here, so an older version is never removed for a
 * file whose upload failed. The older versions were proven before the upload; they are found again in the item as
 * it is now, by attachment id, so a concurrent edit that moved or removed them cannot make the task remove another.
 */
async function linkToWorkItem(
    snapshot: WorkItemSnapshot,
    files: readonly HashedFile[],
    attachmentOf: (file: ArtifactFile) => AttachmentRef | undefined,
    comment: string,
    options: LinkOptions & { readonly olderVersions: OlderVersions },
    context: LinkingContext,
): Promise<{ item: WorkItemSnapshot; replaced: Replacement[] }> {
    let item = snapshot;
    for (let attempt = 1; ; attempt++) {
        const missing = missingFiles(item, files, (hashed) => attachmentOf(hashed.file));
        if (missing.length === 0) {
            return { item, replaced: [] };
        }
        const current = item;
        // A relation two namesakes could replace (x64/app.log and arm64/app.log, both changed) goes once, with the
        // first: the PATCH removes each index once, since a second removal of an index would take the relation after it.
        const taken = new Set<number>();
        const removals = missing.map((hashed) => {
            const provenIds = new Set(removalsFor(options.olderVersions, current.id, [hashed]).map((relation) => relation.attachment?.id));
            const indexes = current.attachedFiles
                .filter((relation) => relation.attachment && provenIds.has(relation.attachment.id) && relation.index !== undefined && !taken.has(relation.index))
                .map((relation) => relation.index as number);
            indexes.forEach((index) => taken.add(index));
            return { file: hashed.file, indexes };
        });
        const removeIndexes = removals.flatMap(({ indexes }) => indexes);
        // Namesakes with the same content (x64/app.log and arm64/app.log) may have proved one attachment between them:
        // it is added once, since the service refuses a relation the item already has, also within one PATCH.
        const adding = missing.filter((hashed, index) => missing.findIndex((other) => attachmentOf(other.file)?.id === attachmentOf(hashed.file)?.id) === index);
        // Checked again on every attempt: a concurrent edit may have added attachments since the plan was made.
        if (wouldPassLimit(item, adding.length, removeIndexes.length)) {
            throw new WorkItemRefusedError(context.loc('WorkItemOverLimit', item.attachedFiles.length, adding.length, MAX_ATTACHMENTS_PER_WORK_ITEM));
        }
        const relations = adding.map((hashed) => ({ url: (attachmentOf(hashed.file) as AttachmentRef).url, comment: relationComment(comment, hashed.sha256) }));
        const history = options.discussion
            ? discussionHtml(
                  adding.map((hashed) => ({ name: hashed.file.name, size: hashed.file.size, url: (attachmentOf(hashed.file) as AttachmentRef).url })),
                  options.discussion,
                  context.loc,
              )
            : undefined;
        let updated: WorkItemSnapshot | undefined;
        try {
            updated = await context.workItems.addAttachments(item, relations, { removeIndexes, history });
        } catch (error) {
            if (!isConcurrentEdit(error) || attempt >= CONFLICT_ATTEMPTS) {
                throw new LinkRequestError(missing, error);
            }
            context.log.info(context.loc('WorkItemChanged', item.id, attempt, CONFLICT_ATTEMPTS));
            const fresh = await context.workItems.read(item.id).catch((readError: unknown) => {
                throw new LinkRequestError(missing, readError);
            });
            if (!fresh) {
                throw new WorkItemRefusedError(context.loc('WorkItemNotFound', item.id));
            }
            item = fresh;
            continue;
        }
        // Someone deleted the item since it was read: said as for an item that was never there, not as a failed request.
        if (!updated) {
            throw new WorkItemRefusedError(context.loc('WorkItemNotFound', item.id));
        }
        const replaced = removals.filter(({ indexes }) => indexes.length > 0).map(({ file, indexes }) => ({ workItem: item.id, file, versions: indexes.length }));
        return { item: updated, replaced };
    }
}

/** Says that it was the link that failed, to which work item, for which files, and why; never "the upload". */
function describeLinkFailure(error: unknown, id: number, context: LinkingContext): string {
    const { loc } = context;
    if (!(error instanceof LinkRequestError)) {
        return error instanceof WorkItemRefusedError ? error.message : context.describe(error);
    }
    const names = fileNames(error.files, loc);
    const cause = error.cause;
    // 401/203 (the token) and 3xx (a redirect) read the same for every request: the shared words say what to do.
    if (isRequestRefusal(cause)) {
        return cause.status === 403
            ? loc('LinkDenied', id, names, context.identity, cause.serverMessage)
            : loc('LinkRejected', names, id, cause.status, cause.serverMessage);
    }
    return loc('LinkFailed', names, id, context.describe(cause));
}

function fileNames(files: readonly HashedFile[], loc: Localize): string {
    const names = files.slice(0, NAMES_LISTED).map((hashed) => hashed.file.relativePath).join(', ');
    return files.length > NAMES_LISTED ? loc('FileListMore', names, files.length - NAMES_LISTED) : names;
}

/** `test /rev` failed: someone else saved the work item between our read and our PATCH. */
function isConcurrentEdit(error: unknown): boolean {
    return error instanceof HttpError && (error.status === 412 || error.status === 409 || error.tfCode === 'TF26071');
}
