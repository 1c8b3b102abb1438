import { formatSize } from '../engine/text/format';
import { escapeJsonText, neutralise, redact } from '../engine/text/safeText';

/**
 * What `ado-attach` prints, and where. Per-file lines and the summary go to stdout (to stderr with --json, whose
 * stdout holds exactly one JSON document); warnings, errors and the progress bar go to stderr, the bar only when
 * stderr is a terminal. Every piece of text passes one door (`safe`): control characters escaped, so a file name
 * cannot move the cursor or recolour the screen (ANSI escapes) or break a line, `##vso[` broken, as a pipeline
 * script step's log would act on it, and every secret redacted.
 */

/** An attachment that is now on the server: uploaded by this run, or an identical one reused. */
export interface CliAttachment {
    /** Relative to --root, with forward slashes. */
    readonly path: string;
    /** The attachment's name on the server. */
    readonly name: string;
    readonly id: string;
    readonly url: string;
    readonly size: number;
    readonly uploadType: 'simple' | 'chunked' | 'reused';
}

/** A file that failed, or a work item that did not get its attachments (with the file concerned, when there is one). */
export type CliFailure =
    | { readonly path: string; readonly reason: string }
    | { readonly workItem: number; readonly path?: string; readonly reason: string }
    /** The run itself failed once requests had started (a refused query, too many work items): no file or item to name. */
    | { readonly reason: string };

/** The end of a run, as the engine must report it. */
export interface CliReport {
    readonly attachments: readonly CliAttachment[];
    /** Work items that now hold every attachment meant for them. */
    readonly linkedWorkItems: readonly number[];
    readonly failed: readonly CliFailure[];
}

/** What a dry run would do. */
export interface CliDryRun {
    readonly files: readonly { readonly path: string; readonly size: number; readonly uploadType: 'simple' | 'chunked' | 'reused' }[];
    readonly workItems: readonly number[];
    /** What the dry run found would fail (a work item it could not read, the run itself): exit 1 says so, this says why. */
    readonly failed: readonly CliFailure[];
}

export interface ProgressState {
    readonly filesDone: number;
    readonly filesTotal: number;
    readonly bytesSent: number;
    readonly bytesTotal: number;
}

export interface OutputStream {
    write(text: string): unknown;
}

export interface TerminalSettings {
    readonly stdout: OutputStream;
    readonly stderr: OutputStream;
    /** Whether stderr is a terminal: only then is the progress bar drawn. */
    readonly stderrIsTTY: boolean;
    /** The terminal's width, so that the bar never wraps. */
    readonly columns?: number;
    readonly json: boolean;
    readonly quiet: boolean;
    /** Redacted from everything printed: the token's and the proxy password's forms. */
    readonly secrets: readonly string[];
    readonly now?: () => number;
}

/** How often the bar is redrawn at most: ten times a second is smooth, and cheap over a slow terminal link. */
export const REDRAW_INTERVAL_MS = 100;

export class Terminal {
    private readonly now: () => number;
    private readonly startedAt: number;
    private lastDrawAt = -Infinity;
    private barShown = false;
    private lastProgress?: ProgressState;

    constructor(private readonly settings: TerminalSettings) {
        this.now = settings.now ?? Date.now;
        this.startedAt = this.now();
    }

    /** The one door: one line of text, made safe to show. */
    safe(text: string): string {
        return neutralise(redact(text, this.settings.secrets));
    }

    /** A line about one file: dropped with --quiet, on stderr with --json. */
    fileLine(text: string): void {
        if (!this.settings.quiet) {
            this.line(this.settings.json ? this.settings.stderr : this.settings.stdout, text);
        }
    }

    /**
     * Human information about the run (where it goes, how it authenticates, a file already attached): stderr, so stdout
     * stays the result. Dropped with --quiet, which keeps only warnings, errors and the summary: a run of 2,000 reused
     * files would otherwise print 2,000 lines.
     */
    note(text: string): void {
        if (!this.settings.quiet) {
            this.line(this.settings.stderr, text);
        }
    }

    warning(text: string): void {
        this.line(this.settings.stderr, `warning: ${text}`);
    }

    error(text: string): void {
        this.line(this.settings.stderr, `error: ${text}`);
    }

    /** Redraws the bar in place, at most every REDRAW_INTERVAL_MS, and only on a terminal, without --quiet. */
    progress(state: ProgressState): void {
        this.lastProgress = state;
        if (!this.animated()) {
            return;
        }
        const now = this.now();
        const finished = state.filesDone >= state.filesTotal;
        if (now - this.lastDrawAt < REDRAW_INTERVAL_MS && !finished) {
            return;
        }
        this.lastDrawAt = now;
        this.drawBar(state, now);
    }

    /** A file is on the server (uploaded, or an identical attachment reused): its line, as it happens. */
    attached(attachment: CliAttachment): void {
        this.fileLine(`${attachment.uploadType === 'reused' ? 'reused  ' : 'uploaded'} ${attachment.path} (${formatSize(attachment.size)}) ${attachment.url}`);
    }

    /** A file or a work item failed: an error line, as it happens, whatever --quiet says. */
    failed(failure: CliFailure): void {
        this.error(describeFailure(failure));
    }

    /**
     * The end of a run: the summary, every failure again (a long log shows them together at its end, as the task's
     * result does), and with --json the one document on stdout. The per-file lines were printed as they happened.
     */
    report(report: CliReport): void {
        this.clearBar();
        const summaryStream = this.settings.json ? this.settings.stderr : this.settings.stdout;
        this.line(summaryStream, summaryOf(report));
        for (const failure of report.failed) {
            this.line(this.settings.stderr, `failed: ${describeFailure(failure)}`);
        }
        if (this.settings.json) {
            this.json({ attachments: report.attachments, linkedWorkItems: report.linkedWorkItems, failed: report.failed });
        }
    }

    dryRun(plan: CliDryRun): void {
        this.clearBar();
        for (const file of plan.files) {
            this.fileLine(`would ${file.uploadType === 'reused' ? 'reuse ' : 'upload'} ${file.path} (${formatSize(file.size)}, ${file.uploadType})`);
        }
        const summaryStream = this.settings.json ? this.settings.stderr : this.settings.stdout;
        const bytes = plan.files.reduce((sum, file) => sum + file.size, 0);
        const targets = plan.workItems.length > 0 ? `, linked to ${workItemList(plan.workItems)}` : ', linked to no work item';
        const failures = plan.failed.length > 0 ? ` ${plural(plan.failed.length, 'failure')}.` : '';
        this.line(summaryStream, `Dry run: ${plural(plan.files.length, 'file')} (${formatSize(bytes)}) would be attached${targets}. Nothing was written.${failures}`);
        for (const failure of plan.failed) {
            this.line(this.settings.stderr, `failed: ${describeFailure(failure)}`);
        }
        if (this.settings.json) {
            this.json({ dryRun: true, files: plan.files, workItems: plan.workItems, failed: plan.failed });
        }
    }

    /** Removes the bar, so the shell prompt starts on a clean line. */
    clearBar(): void {
        if (this.barShown) {
            this.settings.stderr.write('\r\x1b[K');
            this.barShown = false;
        }
    }

    private animated(): boolean {
        return this.settings.stderrIsTTY && !this.settings.quiet;
    }

    private line(stream: OutputStream, text: string): void {
        const hadBar = this.barShown;
        this.clearBar();
        stream.write(`${this.safe(text)}\n`);
        if (hadBar && this.lastProgress) {
            this.drawBar(this.lastProgress, this.now());
        }
    }

    private drawBar(state: ProgressState, now: number): void {
        const text = this.safe(progressText(state, now - this.startedAt));
        const width = Math.max(20, (this.settings.columns ?? 80) - 1);
        this.settings.stderr.write(`\r${text.slice(0, width)}\x1b[K`);
        this.barShown = true;
    }

    /** Secrets redacted in every string before the document is written: redacting its text could miss an escaped form. */
    private json(document: unknown): void {
        const redacted = JSON.stringify(document, (_key, value: unknown) => (typeof value === 'string' ? redact(value, this.settings.secrets) : value));
        // `#`, C1 controls and bidirectional marks escaped, as in the task's outputs: the text can steer neither a terminal nor a pipeline's log.
        this.settings.stdout.write(`${escapeJsonText(redacted)}\n`);
    }
}

/** `[#####-----] 3/10 files  12.00 MiB of 40.00 MiB  5.20 MiB/s  ETA 0:06` */
export function progressText(state: ProgressState, elapsedMs: number): string {
    const fraction = state.bytesTotal > 0 ? Math.min(1, state.bytesSent / state.bytesTotal) : state.filesTotal > 0 ? state.filesDone / state.filesTotal : 1;
    const filled = Math.round(fraction * 20);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(20 - filled)}]`;
    const rate = elapsedMs > 0 ? (state.bytesSent * 1000) / elapsedMs : 0;
    const remaining = Math.max(0, state.bytesTotal - state.bytesSent);
    const eta = rate > 0 ? duration((remaining / rate) * 1000) : '--:--';
    return `${bar} ${state.filesDone}/${state.filesTotal} files  ${mebibytes(state.bytesSent)} of ${mebibytes(state.bytesTotal)}  ${mebibytes(rate)}/s  ETA ${eta}`;
}

function mebibytes(bytes: number): string {
    return `${(bytes / (1024 * 1024)).toFixed(2)} MiB`;
}

/** `0:06`, `12:34`, `1:02:03` */
export function duration(ms: number): string {
    const total = Math.ceil(ms / 1000);
    const hours = Math.floor(total / 3600);
    const minutes = Math.floor((total % 3600) / 60);
    const seconds = String(total % 60).padStart(2, '0');
    return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

function describeFailure(failure: CliFailure): string {
    if ('workItem' in failure) {
        return `work item #${failure.workItem}${failure.path !== undefined ? ` (${failure.path})` : ''}: ${failure.reason}`;
    }
    return 'path' in failure ? `${failure.path}: ${failure.reason}` : failure.reason;
}

export function summaryOf(report: CliReport): string {
    const bytes = report.attachments.reduce((sum, attachment) => sum + attachment.size, 0);
    const linked = report.linkedWorkItems.length > 0 ? `, linked to ${workItemList(report.linkedWorkItems)}` : '';
    const attached = `${plural(report.attachments.length, 'file')} attached (${formatSize(bytes)})${linked}.`;
    return report.failed.length === 0 ? attached : `${attached} ${plural(report.failed.length, 'failure')}.`;
}

function workItemList(ids: readonly number[]): string {
    return `${ids.length === 1 ? 'work item' : 'work items'} ${ids.map((id) => `#${id}`).join(', ')}`;
}

function plural(count: number, noun: string): string {
    return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
