import type { ArtifactFile } from './find/findArtifacts';
import { READ_BUFFER_BYTES } from './files/fileRange';
import { ReadBufferPool } from './files/readBuffers';
import { createUploadServices, type NetworkSettings, type UploadServices } from './http/services';
import { RetryPolicy, systemClock, type RetryNotice } from './http/retryPolicy';
import { AttachmentDownloads } from './link/attachmentDownloads';
import type { RunLink } from './link/discussion';
import { linkAttachments, prepareLinks, type LinkingContext, type LinkOptions, type LinkOutcome, type PreparedLinks } from './link/linking';
import { WorkItemsClient, type RunIdentity } from './link/workItems';
import { listFailures, type RunFailure } from './outcomeFailures';
import type { TransferSettings } from './settings';
import type { ServerTarget } from './target';
import { describeFailure, stopsEverything, type FailureContext } from './text/failures';
import { formatBytes, formatSeconds, withThousandsSeparators } from './text/format';
import type { Localize, TaskLog } from './text/localize';
import { UploadProgress, type ProgressState } from './upload/progress';
import { uploadAll, type UploadOutcome } from './upload/uploadAll';
import { chooseUploadMethod, uploadFile, type UploadMethod, type UploadNotice, type UploadedAttachment } from './upload/uploadFile';

/** A file that now has an attachment: uploaded (`simple`, `chunked`) or already on the target work items (`reused`). */
export interface AttachmentOutput {
    readonly file: ArtifactFile;
    readonly id: string;
    readonly url: string;
    readonly uploadType: 'simple' | 'chunked' | 'reused';
}

export interface AttachSettings extends TransferSettings {
    /** The work items named by the user, each once. */
    readonly workItemIds: readonly number[];
    /** The run whose work items are targets too (a pipeline's build, a classic release); none: only the named ones. */
    readonly runWorkItems?: RunIdentity;
    /** The relation comment; the task appends each file's SHA-256 to it. */
    readonly comment: string;
    /** A WIQL query whose work items are targets too. */
    readonly workItemQuery?: string;
    /** The most distinct work items one run may touch, whatever selected them; default 100. */
    readonly maxWorkItems?: number;
    /** Remove the relations of earlier versions this task attached (proven), in the PATCH that links the new one. */
    readonly replaceOlderVersions?: boolean;
    /** Add a Discussion entry that names the newly attached files and links back to this run. */
    readonly discussion?: RunLink;
}

/** What the engine needs from the front door that calls it: where its words go, and in which language. */
export interface EngineHost {
    readonly log: TaskLog;
    readonly loc: Localize;
    /** Bytes sent of all bytes, each whole percent once. */
    progress(state: ProgressState): void;
    /** As each file is uploaded. */
    uploaded(attachment: UploadedAttachment): void;
    /**
     * As each file is found already on the target work items, proven by content, so nothing of it is uploaded: before
     * the first upload. With `uploaded` and `failed`, every file that was found gets exactly one of the three.
     */
    reused(attachment: AttachmentOutput): void;
    /** As each file fails, with the reason in words (also a file that fails before any upload). */
    failed(file: ArtifactFile, reason: string): void;
    /** Names the front door in the User-Agent of every request. */
    readonly userAgent: string;
}

export interface AttachOutcome {
    /** Uploaded files, and files that failed (to upload, or before: unreadable while hashed, refused by every work item). */
    readonly uploads: UploadOutcome<UploadedAttachment>;
    /** Every file that has an attachment now, uploaded or reused, in no particular order. */
    readonly attachments: AttachmentOutput[];
    /** When work items were targeted: which now hold every attachment meant for them, and which did not get them. */
    readonly links?: LinkOutcome;
    /** How many failed attempts of a request were tried again, over the whole run. */
    readonly retries: number;
    /** Every failed or never started file and every work item that did not get its attachments, in words, in the order to report them. */
    readonly failures: RunFailure[];
}

export interface PlannedFile {
    readonly file: ArtifactFile;
    readonly uploadType: UploadMethod | 'reused';
}

export interface AttachPlan {
    readonly files: PlannedFile[];
    /** The work items that would get the attachments. */
    readonly workItems: number[];
    /**
     * In words, in the order to report them: files that would fail before any upload (unreadable while hashed, or
     * refused by every work item), then work items that could not be read or would refuse the attachments.
     */
    readonly failures: RunFailure[];
}

/**
 * Uploads the files and links them: when work items are targeted, read them first and skip what they provably hold;
 * upload the rest (simple or chunked, several at once, each request retried); link. Nothing fails the run here: every
 * failure is returned, so the front door can set what succeeded and name what did not.
 */
export async function attachFiles(files: readonly ArtifactFile[], settings: AttachSettings, target: ServerTarget, network: NetworkSettings, host: EngineHost): Promise<AttachOutcome> {
    return withSession(settings, target, network, host, async ({ services, policy, linking, describe }) => {
        host.log.info(host.loc('FilesFound', withThousandsSeparators(files.length), formatBytes(totalSize(files)), target.collectionUrl));
        const prepared = wantsLinks(settings) ? await prepareLinks(files, settings, linkOptions(settings), linking) : undefined;
        const toUpload = prepared ? prepared.plan.toUpload.map((hashed) => hashed.file) : [...files];
        prepared?.notUploaded.forEach(({ file, error }) => host.failed(file, describe(error, file)));
        const reused = reusedAttachments(prepared);
        reused.forEach((attachment) => host.reused(attachment));

        const uploads = withNotUploaded(await uploadFiles(toUpload, settings, services, policy, host, describe), prepared);
        const attachments: AttachmentOutput[] = [...uploads.uploaded, ...reused];
        const attachmentOf = new Map(attachments.map((attachment) => [attachment.file, attachment]));
        const links = prepared ? await linkAttachments(prepared, (file) => attachmentOf.get(file), settings.comment, linking, linkOptions(settings)) : undefined;
        const failures = listFailures({ failed: uploads.failed, notStarted: uploads.notStarted, workItemFailures: links?.failures ?? [] }, describe, host.loc);
        return { uploads, attachments, links, retries: policy.retryCount, failures };
    });
}

/** What `attachFiles` would do: the work items are read (and the claimed attachments compared), but nothing is written. */
export async function planAttachments(files: readonly ArtifactFile[], settings: AttachSettings, target: ServerTarget, network: NetworkSettings, host: EngineHost): Promise<AttachPlan> {
    return withSession(settings, target, network, host, async ({ linking, describe }) => {
        const method = (file: ArtifactFile) => chooseUploadMethod(file.size, settings.uploadType, settings.chunkSizeBytes);
        if (!wantsLinks(settings)) {
            return { files: files.map((file) => ({ file, uploadType: method(file) })), workItems: [], failures: [] };
        }
        const prepared = await prepareLinks(files, settings, linkOptions(settings), linking);
        const reused = new Set([...prepared.plan.reused.keys()].map((hashed) => hashed.file));
        const uploaded = new Set(prepared.plan.toUpload.map((hashed) => hashed.file));
        const planned = files
            .filter((file) => reused.has(file) || uploaded.has(file))
            .map((file) => ({ file, uploadType: reused.has(file) ? ('reused' as const) : method(file) }));
        const failures = listFailures({ failed: prepared.notUploaded, notStarted: [], workItemFailures: prepared.failures }, describe, host.loc);
        return { files: planned, workItems: [...prepared.plan.missingByItem.keys()], failures };
    });
}

interface Session {
    readonly services: UploadServices;
    readonly policy: RetryPolicy;
    readonly linking: LinkingContext;
    describe(error: unknown, file?: ArtifactFile): string;
}

/** One retry policy, one set of connections and one work item client for a run; the connections are closed at the end. */
async function withSession<T>(settings: AttachSettings, target: ServerTarget, network: NetworkSettings, host: EngineHost, work: (session: Session) => Promise<T>): Promise<T> {
    const { log, loc } = host;
    const policy = new RetryPolicy(settings.retries, systemClock, (notice) => logRetry(notice, host));
    const services = createUploadServices(target, settings, network, policy, host.userAgent);
    const failureContext: FailureContext = { identity: target.identity, areaPath: settings.areaPath, attempts: settings.retries + 1, stallTimeoutMs: settings.stallTimeoutMs };
    const describe = (error: unknown, file?: ArtifactFile) => describeFailure(error, file, failureContext, loc);
    const workItems = new WorkItemsClient(services.apis, target.project, policy, target.collectionUrl);
    const linking: LinkingContext = {
        workItems,
        log,
        loc,
        describe: (error) => describe(error),
        identity: target.identity,
        concurrency: settings.concurrency,
        // One per run: each claimed attachment is downloaded at most once, whichever proof asks first.
        downloads: new AttachmentDownloads((id, size) => workItems.attachmentSha256(id, size)),
    };
    try {
        return await work({ services, policy, linking, describe });
    } finally {
        services.close();
    }
}

function wantsLinks(settings: AttachSettings): boolean {
    return settings.workItemIds.length > 0 || settings.runWorkItems !== undefined || (settings.workItemQuery ?? '').trim() !== '';
}

function linkOptions(settings: AttachSettings): LinkOptions {
    return { replaceOlderVersions: settings.replaceOlderVersions, discussion: settings.discussion };
}

/** Files that failed before any upload (unreadable while hashed, refused by every work item) fail like a file whose upload failed. */
function withNotUploaded(uploads: UploadOutcome<UploadedAttachment>, prepared: PreparedLinks | undefined): UploadOutcome<UploadedAttachment> {
    return prepared && prepared.notUploaded.length > 0 ? { ...uploads, failed: [...prepared.notUploaded, ...uploads.failed] } : uploads;
}

function uploadFiles(
    files: ArtifactFile[],
    settings: AttachSettings,
    services: UploadServices,
    policy: RetryPolicy,
    host: EngineHost,
    describe: (error: unknown, file?: ArtifactFile) => string,
): Promise<UploadOutcome<UploadedAttachment>> {
    const progress = new UploadProgress(totalSize(files), (state) => host.progress(state));
    // Each upload has at most a buffer being written out and the next one read.
    const readBuffers = new ReadBufferPool(READ_BUFFER_BYTES, 2 * settings.concurrency);
    return uploadAll(files, {
        concurrency: settings.concurrency,
        uploadOne: async (file) => {
            const attachment = await uploadFile(file, {
                client: services.attachments,
                policy,
                progress,
                clock: systemClock,
                chunkSizeBytes: settings.chunkSizeBytes,
                uploadType: settings.uploadType,
                readBuffers,
                report: (notice) => logUploadNotice(notice, host),
            });
            host.uploaded(attachment);
            return attachment;
        },
        // Told as it happens; the front door names every failed file again at the end.
        onFailure: ({ file, error }) => host.failed(file, describe(error, file)),
        stopsEverything,
    });
}

function reusedAttachments(prepared: PreparedLinks | undefined): AttachmentOutput[] {
    return [...(prepared?.plan.reused ?? [])].map(([hashed, { id, url }]) => ({ file: hashed.file, id, url, uploadType: 'reused' }));
}

function logUploadNotice(notice: UploadNotice, { log, loc }: EngineHost): void {
    const file = notice.file.relativePath;
    switch (notice.kind) {
        case 'chunkAlreadyReceived':
            return log.info(loc('ChunkAlreadyReceived', file, notice.chunk, notice.chunks));
        case 'attachmentAlreadyComplete':
            return log.info(loc('AttachmentAlreadyComplete', file));
        case 'simpleResent':
            return log.info(notice.status === undefined ? loc('SimpleUploadResent', file) : loc('SimpleUploadResentAfterServerError', file, notice.status));
        case 'restarted': {
            const reason = notice.reason instanceof Error ? notice.reason.message : String(notice.reason);
            return log.warning(loc('UploadRestarted', file, reason, notice.restart, notice.maxRestarts));
        }
    }
}

function logRetry(notice: RetryNotice, host: EngineHost): void {
    const reason = notice.error instanceof Error ? notice.error.message : String(notice.error);
    host.log.info(host.loc('Retrying', notice.operation, notice.attempt, notice.maxAttempts, formatSeconds(notice.delayMs), reason));
}

function totalSize(files: readonly ArtifactFile[]): number {
    return files.reduce((sum, file) => sum + file.size, 0);
}
