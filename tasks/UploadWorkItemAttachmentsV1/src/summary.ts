import type { ArtifactFile } from './findArtifacts';
import { formatBytes } from './format';
import type { WorkItemFailure } from './linking';
import type { Localize } from './localize';

export interface SummaryRow {
    readonly file: ArtifactFile;
    /** `simple`, `chunked`, `reused`, or the reason it failed. */
    readonly status: string;
    readonly url?: string;
    readonly workItems: readonly number[];
}

/** The markdown for the run's summary page: one row per file, then the work items that did not get their attachments. */
export function summaryMarkdown(rows: readonly SummaryRow[], workItemFailures: readonly WorkItemFailure[], loc: Localize): string {
    const lines = [
        `### ${loc('SummaryTitle')}`,
        '',
        `| ${loc('SummaryColumns').split('|').map(cell).join(' | ')} |`,
        '| --- | ---: | --- | --- | --- |',
        ...rows.map(({ file, status, url, workItems }) =>
            [
                cell(file.relativePath),
                cell(formatBytes(file.size)),
                cell(status),
                url ? `[${cell(file.name)}](${url.replace(/\)/g, '%29').replace(/ /g, '%20')})` : '',
                workItems.map((id) => `#${id}`).join(', '),
            ].join(' | '),
        ).map((row) => `| ${row} |`),
    ];
    if (workItemFailures.length > 0) {
        lines.push('', `**${loc('SummaryWorkItemFailures')}**`, '', ...workItemFailures.map(({ subject, reason }) => `- ${cell(subject)}: ${cell(reason)}`));
    }
    return `${lines.join('\n')}\n`;
}

/** Keeps a value inside its table cell: pipes and line breaks would end it. */
function cell(value: string): string {
    return value.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
