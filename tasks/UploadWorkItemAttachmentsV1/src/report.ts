import type { AttachOutcome } from '../../../engine/attach';
import type { ArtifactFile } from '../../../engine/find/findArtifacts';
import type { RunFailure } from '../../../engine/outcomeFailures';
import { withThousandsSeparators } from '../../../engine/text/format';
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
    // 'ignore' still says so on a plain line: the result's message alone does not show in the step's log.
    (settings.ifNoFilesFound === 'warn' ? log.warning : log.info)(message);
    setResult('Succeeded', [message]);
}

export function reportOutcome({ failures, uploads, attachments }: AttachOutcome, total: number): void {
    const count = withThousandsSeparators;
    if (failures.length === 0) {
        // A file found already attached was not uploaded: saying so keeps the result in step with the result line.
        const reused = attachments.length - uploads.uploaded.length;
        setResult('Succeeded', [reused === 0 ? loc('AllUploaded', count(total)) : loc('AllUploadedReused', count(uploads.uploaded.length), count(reused))]);
        return;
    }
    const workItemsFailed = failures.filter((failure) => failure.kind === 'workItem').length;
    const filesFailed = failures.length - workItemsFailed;
    const heading =
        workItemsFailed === 0
            ? loc('SomeFilesFailed', count(filesFailed), count(total))
            : filesFailed === 0
              ? loc('SomeWorkItemsFailed', count(workItemsFailed))
              : loc('SomeFailed', count(filesFailed), count(total), count(workItemsFailed));
    // One failure a line: each line is made safe on its own, the line breaks between them are meant.
    setResult('Failed', [heading, ...failures.map(resultLine)]);
}

/** A failure as a line of the task's result: what failed, then why. */
function resultLine(failure: RunFailure): string {
    switch (failure.kind) {
        case 'fileFailed':
        case 'fileNotStarted':
            return loc('FileFailed', failure.subject, failure.reason);
        case 'workItem':
            return loc('WorkItemFailed', failure.subject, failure.reason);
    }
}

/** A markdown page on the run's summary tab: what each file became and where it is attached (linked in `collectionUrl`). */
export function publishSummary(files: readonly ArtifactFile[], { attachments, links, failures }: AttachOutcome, collectionUrl: string): void {
    const attachmentOf = new Map(attachments.map((attachment) => [attachment.file, attachment]));
    const reasonOf = new Map(failures.filter((failure) => failure.kind === 'fileFailed').map((failure) => [failure.file, failure.reason]));
    const rows: SummaryRow[] = files.map((file) => {
        const attachment = attachmentOf.get(file);
        const status = attachment?.uploadType ?? reasonOf.get(file) ?? loc('SummaryNotStarted');
        return { file, status, url: attachment?.url, workItems: links?.itemsByFile.get(file) ?? [] };
    });
    const workItemFailures = failures.filter((failure) => failure.kind === 'workItem');
    uploadSummary(summaryMarkdown(rows, workItemFailures, loc, collectionUrl, links?.replaced ?? []));
}
