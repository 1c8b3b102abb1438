import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { attachFiles, type AttachmentOutput, type AttachOutcome, type EngineHost } from '../../../engine/attach';
import { TargetsRefusedError } from '../../../engine/link/targets';
import { describeFindNotice, findArtifacts, type ArtifactFile } from '../../../engine/find/findArtifacts';
import { secretsOf } from '../../../engine/target';
import { formatDuration, formatSize, formatSpeed, withThousandsSeparators } from '../../../engine/text/format';
import { safeUrl } from '../../../engine/text/safeText';
import { agentContext, agentNetwork, fileLine, groupFileLines, guardTaskLibOutput, loc, log, outputSink, registerSecrets, setProgress, setResult } from './agent';
import { readSettings, type TaskSettings } from './inputs';
import { publishOutputs } from './outputs';
import { publishSummary, reportNoFiles, reportOutcome } from './report';
import { describeRun, runIdentity, runLink } from './runContext';
import { resolveServerTarget } from './serverTarget';

/**
 * The pipeline task, a thin door to the engine: read the inputs and the agent's token; find the artifacts; let the
 * engine upload and link them; set the outputs; publish a summary; fail at the end naming every file and work item
 * that did not make it.
 */
async function main(): Promise<void> {
    guardTaskLibOutput();
    tl.setResourcePath(path.join(__dirname, '..', 'task.json'));
    const settings = readSettings({ getInput: (name) => tl.getInput(name), defaultWorkingDirectory: () => tl.getVariable('System.DefaultWorkingDirectory') }, loc);
    const target = resolveServerTarget(settings, agentContext, loc);
    registerSecrets(secretsOf(target.credential));

    const files = findFiles(settings);
    if (files.length === 0) {
        setOutputs([], []);
        reportNoFiles(settings);
        return;
    }

    const attachSettings = {
        ...settings,
        runWorkItems: settings.linkRunWorkItems ? runIdentity(tl.getVariable, settings.runWorkItemsScope) : undefined,
        comment: settings.comment ?? describeRun(tl.getVariable, loc),
        discussion: settings.discussionComment ? runLink(tl.getVariable) : undefined,
    };
    if (files.length > FILES_SHOWN_UNGROUPED) {
        groupFileLines(loc('FileLinesGroup', withThousandsSeparators(files.length)));
    }
    const started = Date.now();
    let outcome: AttachOutcome;
    try {
        outcome = await attachFiles(files, attachSettings, target, agentNetwork(), engineHost);
    } catch (error) {
        if (!(error instanceof TargetsRefusedError)) {
            throw error;
        }
        // Nothing was uploaded: the outputs say so, for the steps that read them.
        setOutputs([], []);
        setResult('Failed', [error.message]);
        return;
    }
    log.info(resultLine(outcome, files.length, Date.now() - started));

    setOutputs(outcome.attachments, outcome.links?.linked ?? []);
    publishSummary(files, outcome, target.collectionUrl);
    reportOutcome(outcome, files.length);
}

/**
 * Whether the outputs are set. A run that fails before it sets them (a bad input, no token) sets them empty, like a run
 * that uploads nothing: a later step that reads `$(step.AttachmentCount)` would otherwise get that text itself.
 */
let outputsSet = false;

function setOutputs(attachments: readonly AttachmentOutput[], linkedWorkItems: readonly number[]): void {
    publishOutputs(attachments, linkedWorkItems, outputSink, loc);
    outputsSet = true;
}

/** Up to this many files, each file's line shows as it is; past it, they go into one collapsible group. */
const FILES_SHOWN_UNGROUPED = 20;

const engineHost: EngineHost = {
    log,
    loc,
    progress: ({ percent }) => setProgress(percent, loc('ProgressOperation')),
    // The URL as the outputs spell it, so that a line of the log can be matched with an entry of AttachmentUrls.
    uploaded: ({ file, uploadType, elapsedMs, url }) =>
        fileLine(loc('FileUploaded', file.relativePath, formatSize(file.size), uploadType, formatDuration(elapsedMs), formatSpeed(file.size, elapsedMs), safeUrl(url))),
    // Its line (FileAlreadyAttached) is the engine's, logged as the reuse is proven; the percentage counts bytes only.
    reused: () => undefined,
    // Logged as it happens; the one error issue is the result at the end, which names every failed file again.
    failed: (file, reason) => log.info(loc('FileFailed', file.relativePath, reason)),
    userAgent: 'UploadWorkItemAttachments/1',
};

/** The run in one line: files (those found already attached apart, so that none reads as left out), bytes, time, rate and retries. */
function resultLine({ uploads, attachments, retries }: AttachOutcome, total: number, elapsedMs: number): string {
    const bytes = uploads.uploaded.reduce((sum, attachment) => sum + attachment.file.size, 0);
    const reused = attachments.length - uploads.uploaded.length;
    const transfer = [formatSize(bytes), formatDuration(elapsedMs), formatSpeed(bytes, elapsedMs), withThousandsSeparators(retries)];
    const uploaded = withThousandsSeparators(uploads.uploaded.length);
    return reused === 0
        ? loc('UploadResult', uploaded, withThousandsSeparators(total), ...transfer)
        : loc('UploadResultReused', uploaded, withThousandsSeparators(total), withThousandsSeparators(reused), ...transfer);
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

main().catch((error: unknown) => {
    try {
        if (!outputsSet) {
            setOutputs([], []);
        }
    } finally {
        setResult('Failed', [error instanceof Error ? error.message : String(error)]);
    }
});
