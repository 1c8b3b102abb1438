import { sha256OfFile } from './contentHash';
import { HttpError } from './errors';
import type { ArtifactFile } from './findArtifacts';
import {
    MAX_ATTACHMENTS_PER_WORK_ITEM,
    holdsFile,
    missingFiles,
    planLinks,
    relationComment,
    wouldPassLimit,
    type HashedFile,
    type LinkPlan,
    type WorkItemSnapshot,
} from './linkPlan';
import type { Localize, TaskLog } from './localize';
import type { FailedFile } from './uploadAll';
import type { RunIdentity, WorkItemsClient } from './workItems';

/** A work item (`#123`), or the lookup of the run's work items, that did not get its attachments, and why. */
export interface WorkItemFailure {
    readonly subject: string;
    readonly reason: string;
}

export interface PreparedLinks {
    readonly plan: LinkPlan;
    readonly snapshots: ReadonlyMap<number, WorkItemSnapshot>;
    readonly failures: WorkItemFailure[];
    /** Files that could not be hashed (deleted, changed, locked, unreadable): neither uploaded nor linked. */
    readonly unhashed: FailedFile[];
}

export interface LinkOutcome {
    /** The work items that now hold every attachment meant for them. */
    readonly linked: number[];
    /** For the summary: the work items each file is on now. */
    readonly itemsByFile: ReadonlyMap<ArtifactFile, number[]>;
    readonly failures: WorkItemFailure[];
}

export interface LinkingContext {
    readonly workItems: WorkItemsClient;
    readonly log: TaskLog;
    readonly loc: Localize;
    /** Describes a failed request for the user (the same words as for a failed upload). */
    describe(error: unknown): string;
}

const CONFLICT_ATTEMPTS = 5;

/** Finds the target work items, reads their attachments and decides what to upload, all before the first upload. */
export async function prepareLinks(
    files: readonly ArtifactFile[],
    namedIds: readonly number[],
    run: RunIdentity | undefined,
    context: LinkingContext,
): Promise<PreparedLinks> {
    const { workItems, log, loc } = context;
    const ids = [...namedIds];
    const failures: WorkItemFailure[] = [];
    if (run) {
        try {
            const runIds = await workItems.runWorkItemIds(run);
            if (runIds.length === 0) {
                log.warning(loc('NoRunWorkItems', run.hostType));
            }
            ids.push(...runIds.filter((id) => !ids.includes(id)));
        } catch (error) {
            failures.push({ subject: loc('RunWorkItemsSubject', run.hostType), reason: context.describe(error) });
        }
    }
    const snapshots = new Map<number, WorkItemSnapshot>();
    if (ids.length === 0) {
        log.info(loc('NoWorkItemsToLink'));
    } else {
        log.info(loc('LinkingTargets', ids.map((id) => `#${id}`).join(', ')));
    }
    for (const id of ids) {
        try {
            const snapshot = await workItems.read(id);
            if (snapshot) {
                snapshots.set(id, snapshot);
            } else {
                failures.push({ subject: `#${id}`, reason: loc('WorkItemNotFound', id) });
            }
        } catch (error) {
            failures.push({ subject: `#${id}`, reason: context.describe(error) });
        }
    }
    const hashed: HashedFile[] = [];
    const unhashed: FailedFile[] = [];
    for (const file of files) {
        // A file that vanishes, changes or stays locked while hashed fails alone: the others are still uploaded and linked.
        try {
            hashed.push({ file, sha256: await sha256OfFile(file) });
        } catch (error) {
            unhashed.push({ file, error });
        }
    }
    const plan = planLinks(hashed, [...snapshots.values()]);
    for (const { id, existing, adding } of plan.overLimit) {
        failures.push({ subject: `#${id}`, reason: loc('WorkItemOverLimit', existing, adding, MAX_ATTACHMENTS_PER_WORK_ITEM) });
    }
    for (const [hashedFile] of plan.reused) {
        log.info(loc('FileAlreadyAttached', hashedFile.file.relativePath));
    }
    return { plan, snapshots, failures, unhashed };
}

/** One PATCH per work item with all of its new relations; a concurrent edit (TF26071) makes it read the item again and retry. */
export async function linkAttachments(
    prepared: PreparedLinks,
    urlOf: (file: ArtifactFile) => string | undefined,
    comment: string,
    context: LinkingContext,
): Promise<LinkOutcome> {
    const linked: number[] = [];
    const failures = [...prepared.failures];
    const itemsByFile = new Map<ArtifactFile, number[]>();
    const allFiles = [...prepared.plan.reused.keys(), ...prepared.plan.toUpload];

    for (const [id, missing] of prepared.plan.missingByItem) {
        const snapshot = prepared.snapshots.get(id) as WorkItemSnapshot;
        const ready = missing.filter((hashed) => urlOf(hashed.file) !== undefined);
        try {
            const item = await linkToWorkItem(snapshot, ready, urlOf, comment, context);
            // An item whose every new file failed to upload holds none of this run's attachments.
            if (ready.length > 0 || missing.length === 0) {
                linked.push(id);
            }
            for (const hashed of allFiles) {
                if (holdsFile(item.attachedFiles, hashed)) {
                    itemsByFile.set(hashed.file, [...(itemsByFile.get(hashed.file) ?? []), id]);
                }
            }
            if (ready.length > 0) {
                context.log.info(context.loc('LinkedToWorkItem', ready.length, id));
            }
        } catch (error) {
            failures.push({ subject: `#${id}`, reason: error instanceof WorkItemRefusedError ? error.message : context.describe(error) });
        }
    }
    return { linked, itemsByFile, failures };
}

class WorkItemRefusedError extends Error {
    override readonly name = 'WorkItemRefusedError';
}

async function linkToWorkItem(
    snapshot: WorkItemSnapshot,
    files: readonly HashedFile[],
    urlOf: (file: ArtifactFile) => string | undefined,
    comment: string,
    context: LinkingContext,
): Promise<WorkItemSnapshot> {
    let item = snapshot;
    for (let attempt = 1; ; attempt++) {
        const missing = missingFiles(item, files);
        if (missing.length === 0) {
            return item;
        }
        // Checked again on every attempt: a concurrent edit may have added attachments since the plan was made.
        if (wouldPassLimit(item, missing.length)) {
            throw new WorkItemRefusedError(context.loc('WorkItemOverLimit', item.attachedFiles.length, missing.length, MAX_ATTACHMENTS_PER_WORK_ITEM));
        }
        const relations = missing.map((hashed) => ({ url: urlOf(hashed.file) as string, comment: relationComment(comment, hashed.sha256) }));
        try {
            return await context.workItems.addAttachments(item, relations);
        } catch (error) {
            if (!isConcurrentEdit(error) || attempt >= CONFLICT_ATTEMPTS) {
                throw error;
            }
            context.log.info(context.loc('WorkItemChanged', item.id, attempt, CONFLICT_ATTEMPTS));
            const fresh = await context.workItems.read(item.id);
            if (!fresh) {
                throw new WorkItemRefusedError(context.loc('WorkItemNotFound', item.id));
            }
            item = fresh;
        }
    }
}

/** `test /rev` failed: someone else saved the work item between our read and our PATCH. */
function isConcurrentEdit(error: unknown): boolean {
    return error instanceof HttpError && (error.status === 412 || error.status === 409 || error.tfCode === 'TF26071');
}
