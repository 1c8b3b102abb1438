import type { AttachOutcome } from '../../../engine/attach';
import type { ArtifactFile } from '../../../engine/find/findArtifacts';
import { loc, log, setResult, uploadSummary } from './agent';
import type { TaskSettings } from './inputs';
import { summaryMarkdown, type SummaryRow } from './summary';

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

export function reportOutcome({ uploads, links, describe }: AttachOutcome, total: number): void {
    const workItemFailures = links?.failures ?? [];
    const problems = [
        ...uploads.failed.map(({ file, error }) => loc('FileFailed', file.relativePath, describe(error, file))),
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

/** A markdown page on the run's summary tab: what each file became and where it is attached (linked in `collectionUrl`). */
export function publishSummary(files: readonly ArtifactFile[], { uploads, attachments, links, describe }: AttachOutcome, collectionUrl: string): void {
    const attachmentOf = new Map(attachments.map((attachment) => [attachment.file, attachment]));
    const failureOf = new Map(uploads.failed.map((failed) => [failed.file, failed]));
    const rows: SummaryRow[] = files.map((file) => {
        const attachment = attachmentOf.get(file);
        const failure = failureOf.get(file);
        const status = attachment?.uploadType ?? (failure ? describe(failure.error, file) : loc('SummaryNotStarted'));
        return { file, status, url: attachment?.url, workItems: links?.itemsByFile.get(file) ?? [] };
    });
    uploadSummary(summaryMarkdown(rows, links?.failures ?? [], loc, collectionUrl, links?.replaced ?? []));
}
