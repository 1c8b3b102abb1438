import { loc, log, setResult, uploadSummary } from './agent';
import { describeFailure, type FailureContext } from './failures';
import type { ArtifactFile } from './findArtifacts';
import type { TaskSettings } from './inputs';
import type { LinkOutcome, WorkItemFailure } from './linking';
import type { AttachmentOutput } from './outputs';
import { summaryMarkdown, type SummaryRow } from './summary';
import type { UploadOutcome } from './uploadAll';
import type { UploadedAttachment } from './uploadFile';

/** What the task tells the agent at the end: its result, and the summary page. */
export function reportNoFiles(settings: TaskSettings): void {
    const message = loc('NoFilesMatched', settings.rootFolder, settings.patterns.join(', '));
    if (settings.ifNoFilesFound === 'error') {
        setResult('Failed', [message]);
        return;
    }
    if (settings.ifNoFilesFound === 'warn') {
        log.warning(message);
    }
    setResult('Succeeded', [message]);
}

export function reportOutcome(uploads: UploadOutcome<UploadedAttachment>, workItemFailures: WorkItemFailure[], total: number, context: FailureContext): void {
    const problems = [
        ...uploads.failed.map(({ file, error }) => loc('FileFailed', file.relativePath, describeFailure(error, file, context, loc))),
        ...uploads.notStarted.map((file) => loc('FileNotStarted', file.relativePath)),
        ...workItemFailures.map(({ subject, reason }) => loc('WorkItemFailed', subject, reason)),
    ];
    if (problems.length === 0) {
        setResult('Succeeded', [loc('AllUploaded', total)]);
        return;
    }
    const filesFailed = uploads.failed.length + uploads.notStarted.length;
    const heading = workItemFailures.length === 0 ? loc('SomeFilesFailed', filesFailed, total) : loc('SomeFailed', filesFailed, total, workItemFailures.length);
    // One failure a line: each line is made safe on its own, the line breaks between them are meant.
    setResult('Failed', [heading, ...problems]);
}

/** A markdown page on the run's summary tab: what each file became and where it is attached. */
export function publishSummary(files: ArtifactFile[], uploads: UploadOutcome<UploadedAttachment>, attachments: AttachmentOutput[], links: LinkOutcome | undefined, context: FailureContext): void {
    const attachmentOf = new Map(attachments.map((attachment) => [attachment.file, attachment]));
    const failureOf = new Map(uploads.failed.map((failed) => [failed.file, failed]));
    const rows: SummaryRow[] = files.map((file) => {
        const attachment = attachmentOf.get(file);
        const failure = failureOf.get(file);
        const status = attachment?.uploadType ?? (failure ? describeFailure(failure.error, file, context, loc) : loc('SummaryNotStarted'));
        return { file, status, url: attachment?.url, workItems: links?.itemsByFile.get(file) ?? [] };
    });
    uploadSummary(summaryMarkdown(rows, links?.failures ?? [], loc));
}
