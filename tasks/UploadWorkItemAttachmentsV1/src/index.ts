import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { agentContext, agentNetwork, guardTaskLibOutput, loc, log, outputSink, registerSecrets, setProgress, setResult } from './agent';
import { describeFailure, stopsEverything, type FailureContext } from './failures';
import { describeFindNotice, findArtifacts, type ArtifactFile } from './findArtifacts';
import { formatBytes, formatSeconds, formatSpeed } from './format';
import { readSettings, type TaskSettings } from './inputs';
import { linkAttachments, prepareLinks, type LinkingContext, type PreparedLinks } from './linking';
import { publishOutputs, type AttachmentOutput } from './outputs';
import { UploadProgress } from './progress';
import { publishSummary, reportNoFiles, reportOutcome } from './report';
import { RetryPolicy, systemClock, type RetryNotice } from './retryPolicy';
import { describeRun, runIdentity } from './runContext';
import { safeUrl } from './safeText';
import { resolveServerTarget, secretsOf } from './serverTarget';
import { createUploadServices, type UploadServices } from './services';
import { uploadAll, type UploadOutcome } from './uploadAll';
import { uploadFile, type UploadNotice, type UploadedAttachment } from './uploadFile';
import { WorkItemsClient } from './workItems';

/**
 * Find the artifacts; when work items are targeted, read them first and skip what they already hold;
 * upload the rest (simple or chunked, several at once, each request retried); link; set the outputs;
 * publish a summary; fail at the end naming every file and work item that did not make it.
 */
async function main(): Promise<void> {
    guardTaskLibOutput();
    tl.setResourcePath(path.join(__dirname, '..', 'task.json'));
    const settings = readSettings({ getInput: (name) => tl.getInput(name), defaultWorkingDirectory: () => tl.getVariable('System.DefaultWorkingDirectory') }, loc);
    const target = resolveServerTarget(settings, agentContext, loc);
    registerSecrets(secretsOf(target.credential));

    const files = findFiles(settings);
    if (files.length === 0) {
        publishOutputs([], [], outputSink, loc);
        reportNoFiles(settings);
        return;
    }
    log.info(loc('FilesFound', files.length, formatBytes(totalSize(files)), target.collectionUrl));

    const policy = new RetryPolicy(settings.retries, systemClock, logRetry);
    const services = createUploadServices(target, settings, agentNetwork(), policy);
    const failureContext: FailureContext = { identity: target.identity, areaPath: settings.areaPath, attempts: settings.retries + 1, stallTimeoutMs: settings.stallTimeoutMs };
    const linking: LinkingContext = {
        workItems: new WorkItemsClient(services.apis, target.project, policy, target.collectionUrl),
        log,
        loc,
        describe: (error) => describeFailure(error, undefined, failureContext, loc),
        identity: target.identity,
        concurrency: settings.concurrency,
    };
    try {
        const wantsLinks = settings.workItemIds.length > 0 || settings.linkRunWorkItems;
        const prepared = wantsLinks ? await prepareLinks(files, settings.workItemIds, settings.linkRunWorkItems ? runIdentity(tl.getVariable) : undefined, linking) : undefined;
        const toUpload = prepared ? prepared.plan.toUpload.map((hashed) => hashed.file) : files;
        prepared?.notUploaded.forEach(({ file, error }) => log.info(loc('FileFailed', file.relativePath, describeFailure(error, file, failureContext, loc))));

        const uploads = withNotUploaded(await uploadFiles(toUpload, settings, services, policy, failureContext), prepared);
        const attachments: AttachmentOutput[] = [...uploads.uploaded, ...reusedAttachments(prepared)];
        const attachmentOf = new Map(attachments.map((attachment) => [attachment.file, attachment]));
        const links = prepared ? await linkAttachments(prepared, (file) => attachmentOf.get(file), settings.comment ?? describeRun(tl.getVariable, loc), linking) : undefined;

        publishOutputs(attachments, links?.linked ?? [], outputSink, loc);
        publishSummary(files, uploads, attachments, links, failureContext);
        reportOutcome(uploads, links?.failures ?? [], files.length, failureContext);
    } finally {
        services.close();
    }
}

/** The files to upload; what the search skipped or decided is logged, and never fails the run. */
function findFiles(settings: TaskSettings): ArtifactFile[] {
    const found = findArtifacts(settings.rootFolder, settings.patterns, { allowFilesOutsideRoot: settings.allowFilesOutsideRoot });
    for (const notice of found.notices) {
        const { warning, text } = describeFindNotice(notice, loc);
        (warning ? log.warning : log.info)(text);
    }
    return found.files;
}

/** Files that failed before any upload (unreadable while hashed, refused by every work item) fail like a file whose upload failed. */
function withNotUploaded(uploads: UploadOutcome<UploadedAttachment>, prepared: PreparedLinks | undefined): UploadOutcome<UploadedAttachment> {
    return prepared && prepared.notUploaded.length > 0 ? { ...uploads, failed: [...prepared.notUploaded, ...uploads.failed] } : uploads;
}

function uploadFiles(files: ArtifactFile[], settings: TaskSettings, services: UploadServices, policy: RetryPolicy, context: FailureContext): Promise<UploadOutcome<UploadedAttachment>> {
    const progress = new UploadProgress(totalSize(files), (percent) => setProgress(percent, loc('ProgressOperation')));
    return uploadAll(files, {
        concurrency: settings.concurrency,
        uploadOne: async (file) =>
            logUploaded(
                await uploadFile(file, {
                    client: services.attachments,
                    policy,
                    progress,
                    clock: systemClock,
                    chunkSizeBytes: settings.chunkSizeBytes,
                    uploadType: settings.uploadType,
                    report: logUploadNotice,
                }),
            ),
        // Logged as it happens; the one error issue is the summary at the end, which names every failed file.
        onFailure: ({ file, error }) => log.info(loc('FileFailed', file.relativePath, describeFailure(error, file, context, loc))),
        stopsEverything,
    });
}

function reusedAttachments(prepared: PreparedLinks | undefined): AttachmentOutput[] {
    return [...(prepared?.plan.reused ?? [])].map(([hashed, { id, url }]) => ({ file: hashed.file, id, url, uploadType: 'reused' }));
}

function logUploaded(attachment: UploadedAttachment): UploadedAttachment {
    const { file, elapsedMs } = attachment;
    // The URL as the outputs spell it, so that a line of the log can be matched with an entry of AttachmentUrls.
    log.info(loc('FileUploaded', file.relativePath, formatBytes(file.size), attachment.uploadType, formatSeconds(elapsedMs), formatSpeed(file.size, elapsedMs), safeUrl(attachment.url)));
    return attachment;
}

function logUploadNotice(notice: UploadNotice): void {
    const file = notice.file.relativePath;
    switch (notice.kind) {
        case 'chunkAlreadyReceived':
            return log.info(loc('ChunkAlreadyReceived', file, notice.chunk, notice.chunks));
        case 'attachmentAlreadyComplete':
            return log.info(loc('AttachmentAlreadyComplete', file));
        case 'simpleResent':
            return log.info(loc('SimpleUploadResent', file));
        case 'restarted': {
            const reason = notice.reason instanceof Error ? notice.reason.message : String(notice.reason);
            return log.warning(loc('UploadRestarted', file, reason, notice.restart, notice.maxRestarts));
        }
    }
}

function logRetry(notice: RetryNotice): void {
    const reason = notice.error instanceof Error ? notice.error.message : String(notice.error);
    log.info(loc('Retrying', notice.operation, notice.attempt, notice.maxAttempts, reason, formatSeconds(notice.delayMs)));
}

function totalSize(files: readonly ArtifactFile[]): number {
    return files.reduce((sum, file) => sum + file.size, 0);
}

main().catch((error: unknown) => setResult('Failed', [error instanceof Error ? error.message : String(error)]));
