import type { AttachmentOutput } from '../../../engine/attach';
import { compareOrdinal } from '../../../engine/find/findArtifacts';
import type { Localize } from '../../../engine/text/localize';
import { jsonForLog, safeUrl } from '../../../engine/text/safeText';

/**
 * Later steps receive output variables as environment variables, and often paste them into a script: a cmd.exe line
 * holds 8,191 characters, Windows PowerShell 5.1 refuses to start a process whose environment passes 64 KiB, Windows
 * refuses one variable over 32,767 characters and Linux one over 128 KiB. Each value stays strictly under these limits
 * (characters of the values; the variable names add a few dozen).
 */
export const OUTPUT_LIMITS = { list: 8_000, total: 24_000 } as const;

export interface OutputLimits {
    /** For AttachmentUrls, and for LinkedWorkItems. */
    readonly list: number;
    /** For all outputs together. */
    readonly total: number;
}

export interface OutputSink {
    setOutput(name: string, value: string): void;
    /** Writes the complete `Attachments` JSON where later steps can read it; returns its path, or throws. */
    writeAttachmentsFile(json: string): string;
    warning(message: string): void;
}

/** One attachment as the outputs show it: its URL made safe, and its `Attachments` entry as JSON. */
export interface OutputEntry {
    readonly url: string;
    readonly json: string;
}

export interface FittedOutputs {
    readonly values: Readonly<Record<'AttachmentUrls' | 'AttachmentUrl' | 'AttachmentCount' | 'Attachments' | 'AttachmentsFile' | 'LinkedWorkItems', string>>;
    /** How many attachments AttachmentUrls and Attachments hold, the first ones in path order. */
    readonly attachmentsShown: number;
    readonly workItemsShown: number;
}

/**
 * Sets every output, in path order whatever order the uploads finished in; with nothing uploaded the outputs are
 * empty, not missing. The complete `Attachments` JSON always goes to a file (AttachmentsFile); when the variables cannot
 * hold every attachment, they hold the first ones and one warning says so.
 */
export function publishOutputs(attachments: readonly AttachmentOutput[], linkedWorkItems: readonly number[], sink: OutputSink, loc: Localize, limits: OutputLimits = OUTPUT_LIMITS): void {
    const entries = outputEntries(attachments);
    let attachmentsFile = '';
    try {
        attachmentsFile = sink.writeAttachmentsFile(jsonArray(entries));
    } catch (error) {
        sink.warning(loc('AttachmentsFileFailed', error instanceof Error ? error.message : String(error)));
    }
    const fitted = fitOutputs(entries, linkedWorkItems, attachmentsFile, limits);
    for (const [name, value] of Object.entries(fitted.values)) {
        sink.setOutput(name, value);
    }
    if (fitted.attachmentsShown < entries.length) {
        sink.warning(
            attachmentsFile
                ? loc('OutputsCut', fitted.attachmentsShown, entries.length, limits.list, limits.total, attachmentsFile)
                : loc('OutputsCutNoFile', fitted.attachmentsShown, entries.length, limits.list, limits.total),
        );
    }
    if (fitted.workItemsShown < linkedWorkItems.length) {
        sink.warning(loc('LinkedWorkItemsCut', fitted.workItemsShown, linkedWorkItems.length, limits.list));
    }
}

/** In path order, each URL with `;` and the like percent-encoded so that AttachmentUrls always splits into whole URLs. */
export function outputEntries(attachments: readonly AttachmentOutput[]): OutputEntry[] {
    return [...attachments]
        .sort((a, b) => compareOrdinal(a.file.relativePath, b.file.relativePath))
        .map(({ file, id, url, uploadType }) => {
            const safe = safeUrl(url);
            return { url: safe, json: jsonForLog({ path: file.relativePath, name: file.name, id, url: safe, size: file.size, uploadType }) };
        });
}

/**
 * What the variables can hold. AttachmentCount (the full count) and AttachmentsFile are always whole; then
 * LinkedWorkItems, whole IDs under the list limit; then as many attachments as fit, the same first ones in
 * AttachmentUrls (whole URLs, under the list limit) and in Attachments (whole entries, valid JSON), with
 * AttachmentUrl the first of them.
 */
export function fitOutputs(entries: readonly OutputEntry[], linkedWorkItems: readonly number[], attachmentsFile: string, limits: OutputLimits): FittedOutputs {
    const count = String(entries.length);
    const workItemsShown = fittingPrefix(linkedWorkItems.map((id) => String(id).length), 1, limits.list);
    const linked = linkedWorkItems.slice(0, workItemsShown).join(',');
    const fixed = count.length + attachmentsFile.length + linked.length;

    let shown = 0;
    let urlsLength = 0;
    let jsonLength = 2;
    for (const entry of entries) {
        const separator = shown === 0 ? 0 : 1;
        const nextUrls = urlsLength + separator + entry.url.length;
        const nextJson = jsonLength + separator + entry.json.length;
        const firstUrl = entries[0].url.length;
        if (nextUrls >= limits.list || fixed + nextUrls + firstUrl + nextJson >= limits.total) {
            break;
        }
        shown++;
        urlsLength = nextUrls;
        jsonLength = nextJson;
    }
    const included = entries.slice(0, shown);
    return {
        values: {
            AttachmentUrls: included.map((entry) => entry.url).join(';'),
            AttachmentUrl: included[0]?.url ?? '',
            AttachmentCount: count,
            Attachments: jsonArray(included),
            AttachmentsFile: attachmentsFile,
            LinkedWorkItems: linked,
        },
        attachmentsShown: shown,
        workItemsShown,
    };
}

function jsonArray(entries: readonly OutputEntry[]): string {
    return `[${entries.map((entry) => entry.json).join(',')}]`;
}

/** How many of the values, joined by a separator of `separatorLength`, stay under `limit` characters. */
function fittingPrefix(lengths: readonly number[], separatorLength: number, limit: number): number {
    let total = 0;
    for (let index = 0; index < lengths.length; index++) {
        total += lengths[index] + (index === 0 ? 0 : separatorLength);
        if (total >= limit) {
            return index;
        }
    }
    return lengths.length;
}
