import type { ArtifactFile } from '../../../engine/find/findArtifacts';
import { formatBytes } from '../../../engine/text/format';
import type { Replacement, WorkItemFailure } from '../../../engine/link/linking';
import type { Localize } from '../../../engine/text/localize';
import { markdownLinkTarget, markdownText } from '../../../engine/text/safeText';

export interface SummaryRow {
    readonly file: ArtifactFile;
    /** `simple`, `chunked`, `reused`, or the reason it failed. */
    readonly status: string;
    readonly url?: string;
    readonly workItems: readonly number[];
}

/**
 * The markdown for the run's summary page: one row per file, then the work items that did not get their attachments.
 * Work item numbers link to the work items' pages in `collectionUrl`. Then the older versions replaced, per work item.
 */
export function summaryMarkdown(rows: readonly SummaryRow[], workItemFailures: readonly WorkItemFailure[], loc: Localize, collectionUrl: string, replaced: readonly Replacement[] = []): string {
    const lines = [
        `### ${loc('SummaryTitle')}`,
        '',
        `| ${loc('SummaryColumns').split('|').map(cell).join(' | ')} |`,
        '| --- | ---: | --- | --- | --- |',
        ...rows.map(({ file, status, url, workItems }) =>
            [
                cell(file.relativePath),
                formatBytes(file.size),
                cell(status),
                url ? attachmentLink(file.name, url) : '',
                workItems.map((id) => workItemLink(id, collectionUrl)).join(', '),
            ].join(' | '),
        ).map((row) => `| ${row} |`),
    ];
    if (replaced.length > 0) {
        lines.push('', `**${loc('SummaryReplaced')}**`, '', ...replacedByWorkItem(replaced, loc, collectionUrl));
    }
    if (workItemFailures.length > 0) {
        lines.push('', `**${loc('SummaryWorkItemFailures')}**`, '', ...workItemFailures.map(({ subject, reason }) => `- ${cell(subject)}: ${cell(reason)}`));
    }
    return `${lines.join('\n')}\n`;
}

/** One line per work item: the files whose older versions it no longer links, and how many each. */
function replacedByWorkItem(replaced: readonly Replacement[], loc: Localize, collectionUrl: string): string[] {
    const byItem = new Map<number, string[]>();
    for (const { workItem, file, versions } of replaced) {
        byItem.set(workItem, [...(byItem.get(workItem) ?? []), loc('SummaryReplacedLine', file.relativePath, versions)]);
    }
    return [...byItem].map(([id, files]) => `- ${workItemLink(id, collectionUrl)}: ${cell(files.join(', '))}`);
}

/** Keeps a value inside its table cell, rendered as the text it is: pipes and line breaks would end the cell, and markdown could make a link, an image or HTML of it. */
function cell(value: string): string {
    return markdownText(value);
}

/** A link to the attachment; a URL that is not http(s) is shown as text, never as a link. */
function attachmentLink(name: string, url: string): string {
    const target = markdownLinkTarget(url);
    return target ? `[${cell(name)}](${target})` : cell(url);
}

/**
 * `#12`, linked to the work item's page. The page is addressed at the collection, which redirects to the item's own
 * project, so an item of another project links right too. Only a whole number goes into the link, and the collection
 * URL is made safe like the attachments' URLs; anything else is shown as text.
 */
function workItemLink(id: number, collectionUrl: string): string {
    const target = Number.isSafeInteger(id) && id > 0 ? markdownLinkTarget(`${collectionUrl.replace(/\/*$/, '/')}_workitems/edit/${id}`) : undefined;
    return target ? `[#${id}](${target})` : cell(`#${id}`);
}
