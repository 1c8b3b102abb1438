import { attachFiles, planAttachments, type AttachOutcome, type AttachSettings, type AttachmentOutput, type EngineHost } from '../engine/attach';
import { compareOrdinal, describeFindNotice, findArtifacts, type ArtifactFile } from '../engine/find/findArtifacts';
import type { RunFailure } from '../engine/outcomeFailures';
import type { ServerTarget } from '../engine/target';
import { safeUrl } from '../engine/text/safeText';
import { cliLoc } from './messages';
import { networkFromEnvironment, type CliNetwork } from './networkFromEnv';
import { parseCommandLine, USAGE, UsageError, type CliOptions } from './options';
import { Terminal, type CliAttachment, type CliFailure, type CliReport, type OutputStream } from './terminal';
import { readFirstLine, resolveToken, type ResolvedToken } from './token';

/** Everything the command takes from its process, passed in so that a test can run it with its own. */
export interface CliProcess {
    readonly args: readonly string[];
    readonly environment: Readonly<Record<string, string | undefined>>;
    readonly cwd: string;
    readonly hostname: string;
    readonly version: string;
    readonly stdin: NodeJS.ReadableStream;
    /** Whether standard input is a terminal: --token-stdin then refuses, instead of waiting for a token typed in the clear. */
    readonly stdinIsTTY?: boolean;
    readonly stdout: OutputStream;
    readonly stderr: OutputStream;
    readonly stderrIsTTY: boolean;
    readonly columns?: number;
}

export const EXIT_SUCCESS = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * The command's flow: read the command line, the token and the network; find the files; let the engine upload and
 * link them (or, with --dry-run, plan); print what happened. Exit 0 when everything succeeded, 1 when anything failed
 * once requests started, 2 for bad usage or input found before any request.
 */
export async function runCli(io: CliProcess): Promise<number> {
    let options: CliOptions;
    let token: ResolvedToken;
    let network: CliNetwork;
    if (io.args.length === 0) {
        // Bare `ado-attach`: the usage says more than a complaint about the first thing missing. Exit 2, stdout empty.
        io.stderr.write(USAGE);
        return EXIT_USAGE;
    }
    try {
        const command = parseCommandLine(io.args, { environment: io.environment, cwd: io.cwd, hostname: io.hostname });
        if (command.kind === 'help') {
            io.stdout.write(USAGE);
            return EXIT_SUCCESS;
        }
        if (command.kind === 'version') {
            io.stdout.write(`${io.version}\n`);
            return EXIT_SUCCESS;
        }
        options = command.options;
        token = await resolveToken({
            tokenStdin: options.tokenStdin,
            stdinIsTTY: io.stdinIsTTY === true,
            environment: io.environment,
            readFirstLine: () => readFirstLine(io.stdin),
        });
        network = networkFromEnvironment(io.environment, options.collectionUrl);
    } catch (error) {
        if (error instanceof UsageError) {
            // Nothing on stdout on exit 2: a script reading --json output sees no document at all.
            new Terminal({ stdout: io.stderr, stderr: io.stderr, stderrIsTTY: false, json: true, quiet: false, secrets: [] }).error(error.message);
            return EXIT_USAGE;
        }
        throw error;
    }

    const terminal = new Terminal({
        stdout: io.stdout,
        stderr: io.stderr,
        stderrIsTTY: io.stderrIsTTY,
        columns: io.columns,
        json: options.json,
        quiet: options.quiet,
        secrets: [...token.secrets, ...network.secrets],
    });
    try {
        return await attach(terminal, options, token, network, io.version);
    } catch (error) {
        // The run failed as a whole once requests had started: exit 1, and with --json still the one document.
        const reason = error instanceof Error ? error.message : String(error);
        terminal.error(reason);
        if (options.dryRun) {
            terminal.dryRun({ files: [], workItems: [], failed: [{ reason }] });
        } else {
            terminal.report({ attachments: [], linkedWorkItems: [], failed: [{ reason }] });
        }
        return EXIT_FAILED;
    }
}

async function attach(terminal: Terminal, options: CliOptions, token: ResolvedToken, network: CliNetwork, version: string): Promise<number> {
    describeConnection(terminal, options, token, network);
    const files = findFiles(terminal, options);
    if (files.length === 0) {
        return noFiles(terminal, options);
    }
    const target: ServerTarget = { collectionUrl: options.collectionUrl, credential: token.credential, identity: identityOf(token), project: options.project };
    const counter = new FileCounter(terminal, files);
    const host: EngineHost = {
        log: { info: (text) => terminal.note(text), warning: (text) => terminal.warning(text), debug: () => undefined },
        loc: cliLoc,
        progress: ({ bytesSent, bytesTotal }) => counter.bytes(bytesSent, bytesTotal),
        uploaded: (attachment) => {
            terminal.attached(cliAttachment(attachment));
            counter.fileDone();
        },
        // No line of its own: the engine's note says the file is already attached; the bar counts it done, none of its bytes to send.
        reused: ({ file }) => counter.fileReused(file),
        failed: (file, reason) => {
            terminal.failed({ path: file.relativePath, reason });
            counter.fileDone();
        },
        userAgent: `ado-attach/${version}`,
    };
    if (options.dryRun) {
        const plan = await planAttachments(files, attachSettings(options), target, network, host);
        const failures = plan.failures.flatMap(cliFailures);
        failures.forEach((failure) => terminal.failed(failure));
        terminal.dryRun({
            files: plan.files.map(({ file, uploadType }) => ({ path: file.relativePath, size: file.size, uploadType })),
            workItems: plan.workItems,
            failed: failures,
        });
        return failures.length === 0 ? EXIT_SUCCESS : EXIT_FAILED;
    }
    const outcome = await attachFiles(files, attachSettings(options), target, network, host);
    const report = cliReport(outcome);
    terminal.report(report);
    return report.failed.length === 0 ? EXIT_SUCCESS : EXIT_FAILED;
}

/** The engine's settings: the options, with the query under the engine's name for it. */
function attachSettings(options: CliOptions): CliOptions & AttachSettings {
    return { ...options, workItemQuery: options.query };
}

/** The files to upload; what the search skipped or decided is a warning or a note, and never fails the run. */
function findFiles(terminal: Terminal, options: CliOptions): ArtifactFile[] {
    const found = findArtifacts(options.rootFolder, options.patterns, { allowFilesOutsideRoot: options.allowFilesOutsideRoot });
    for (const notice of found.notices) {
        const { warning, text } = describeFindNotice(notice, cliLoc);
        (warning ? terminal.warning : terminal.note).call(terminal, text);
    }
    return found.files;
}

/** Nothing matched: exit 1 with --if-no-files-found error, else 0; with --json the (empty) document is printed either way. */
function noFiles(terminal: Terminal, options: CliOptions): number {
    const message = cliLoc('NoFilesMatched', options.rootFolder, options.patterns.join(', '));
    if (options.ifNoFilesFound === 'error') {
        terminal.error(message);
    } else if (options.ifNoFilesFound === 'warn') {
        terminal.warning(message);
    }
    if (options.dryRun) {
        terminal.dryRun({ files: [], workItems: [], failed: [] });
    } else {
        terminal.report({ attachments: [], linkedWorkItems: [], failed: [] });
    }
    return options.ifNoFilesFound === 'error' ? EXIT_FAILED : EXIT_SUCCESS;
}

/** The outcome as the command prints it: attachments in path order, then every failure with its words. */
function cliReport({ attachments, links, failures }: AttachOutcome): CliReport {
    return {
        attachments: [...attachments].sort((a, b) => compareOrdinal(a.file.relativePath, b.file.relativePath)).map(cliAttachment),
        linkedWorkItems: links?.linked ?? [],
        failed: failures.flatMap(cliFailures),
    };
}

/** A failure as the command prints it; a work item's failed link is one entry per file it did not get. */
function cliFailures(failure: RunFailure): CliFailure[] {
    const { subject, reason } = failure;
    if (failure.kind !== 'workItem' || failure.workItem === undefined) {
        // A file, or the lookup of the run's work items: no item, and the subject stands where a file's path would.
        return [{ path: subject, reason }];
    }
    const { workItem, paths } = failure;
    return paths && paths.length > 0 ? paths.map((path) => ({ workItem, path, reason })) : [{ workItem, reason }];
}

function cliAttachment({ file, id, url, uploadType }: AttachmentOutput): CliAttachment {
    return { path: file.relativePath, name: file.name, id, url: safeUrl(url), size: file.size, uploadType };
}

/** Who the token belongs to, in words the user can act on: the failure messages name it. */
function identityOf(token: ResolvedToken): string {
    const kind = token.credential.kind === 'bearer' ? 'the bearer token' : 'the personal access token';
    return token.source === 'stdin' ? `${kind} from standard input` : `${kind} in ${token.source}`;
}

/** Counts the files done and the bytes sent, for the progress bar. */
class FileCounter {
    private done = 0;
    private sent = 0;
    /** All the files' bytes until the engine says how many it will send (none of a reused file). */
    private total: number;

    constructor(private readonly terminal: Terminal, private readonly files: readonly ArtifactFile[]) {
        this.total = files.reduce((sum, file) => sum + file.size, 0);
    }

    fileDone(): void {
        this.done++;
        this.draw();
    }

    /** Done before any upload, and none of its bytes will be sent (the engine's own total leaves them out too). */
    fileReused(file: ArtifactFile): void {
        this.total = Math.max(0, this.total - file.size);
        this.fileDone();
    }

    bytes(sent: number, total: number): void {
        this.sent = sent;
        this.total = total;
        this.draw();
    }

    private draw(): void {
        this.terminal.progress({ filesDone: this.done, filesTotal: this.files.length, bytesSent: this.sent, bytesTotal: this.total });
    }
}

/** Where the run goes and how it authenticates, on stderr: never the token, never a proxy password. */
function describeConnection(terminal: Terminal, options: CliOptions, token: ResolvedToken, network: CliNetwork): void {
    const how = token.credential.kind === 'bearer' ? 'bearer token' : 'personal access token, basic auth';
    const from = token.source === 'stdin' ? 'standard input' : token.source;
    const proxy = network.proxyFor(options.collectionUrl);
    const via = proxy ? ` through proxy ${proxy.url}${proxy.username ? ` as ${proxy.username}` : ''}` : '';
    const project = options.project ? `, project ${options.project}` : '';
    if (!options.quiet) {
        terminal.note(`${options.collectionUrl}${project}${via}; token from ${from} (${how}).`);
    }
}
