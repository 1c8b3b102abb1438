import { findArtifacts, type FindNotice } from '../engine/find/findArtifacts';
import { chooseUploadMethod } from '../engine/upload/uploadFile';
import { networkFromEnvironment, type CliNetwork } from './networkFromEnv';
import { parseCommandLine, USAGE, UsageError, type CliOptions } from './options';
import { Terminal, type OutputStream } from './terminal';
import { readFirstLine, resolveToken, type ResolvedToken } from './token';

/** Everything the command takes from its process, passed in so that a test can run it with its own. */
export interface CliProcess {
    readonly args: readonly string[];
    readonly environment: Readonly<Record<string, string | undefined>>;
    readonly cwd: string;
    readonly hostname: string;
    readonly version: string;
    readonly stdin: NodeJS.ReadableStream;
    readonly stdout: OutputStream;
    readonly stderr: OutputStream;
    readonly stderrIsTTY: boolean;
    readonly columns?: number;
}

export const EXIT_SUCCESS = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/**
 * The command's flow: read the command line, the token and the network, then plan. The engine is not wired yet
 * (issue 10's split is under way): for now the command finds the files and prints what it would upload and link,
 * as a dry run does, and a run without --dry-run says that it cannot upload yet and exits 1.
 */
export async function runCli(io: CliProcess): Promise<number> {
    let options: CliOptions;
    let token: ResolvedToken;
    let network: CliNetwork;
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
        token = await resolveToken({ tokenStdin: options.tokenStdin, environment: io.environment, readFirstLine: () => readFirstLine(io.stdin) });
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
        return plan(terminal, options, token, network);
    } catch (error) {
        terminal.error(error instanceof Error ? error.message : String(error));
        return EXIT_FAILED;
    }
}

function plan(terminal: Terminal, options: CliOptions, token: ResolvedToken, network: CliNetwork): number {
    describeConnection(terminal, options, token, network);

    const found = findArtifacts(options.rootFolder, options.patterns, { allowFilesOutsideRoot: options.allowFilesOutsideRoot });
    for (const notice of found.notices) {
        terminal.warning(describeNotice(notice));
    }
    // Nothing matched: exit 1 with --if-no-files-found error, else 0; the document (empty) is printed either way.
    const noFiles = found.files.length === 0;
    if (noFiles && options.ifNoFilesFound !== 'ignore') {
        const message = `No file under ${options.rootFolder} matches ${options.patterns.join(' ')}.`;
        if (options.ifNoFilesFound === 'error') {
            terminal.error(message);
        } else {
            terminal.warning(message);
        }
    }
    terminal.dryRun({
        files: found.files.map((file) => ({ path: file.relativePath, size: file.size, uploadType: chooseUploadMethod(file.size, options.uploadType, options.chunkSizeBytes) })),
        workItems: options.workItemIds,
    });
    if (noFiles) {
        return options.ifNoFilesFound === 'error' ? EXIT_FAILED : EXIT_SUCCESS;
    }
    if (options.dryRun) {
        return EXIT_SUCCESS;
    }
    terminal.error('This build of ado-attach only plans: uploading is not wired to the engine yet. Nothing was sent.');
    return EXIT_FAILED;
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

function describeNotice(notice: FindNotice): string {
    switch (notice.kind) {
        case 'brokenLink':
            return `skipped ${notice.path}: a link to ${notice.target}, which does not exist.`;
        case 'unreadable':
            return `skipped ${notice.path}: it cannot be read (${notice.code}).`;
        case 'loop':
            return `skipped ${notice.path}: a link back to ${notice.target}.`;
        case 'outsideRootLink':
            return `skipped ${notice.link}: it links to ${notice.target}, outside --root (${notice.files} files); --allow-files-outside-root takes them.`;
        case 'outsideRootPath':
            return `skipped ${notice.path}: its real path ${notice.target} is outside --root; --allow-files-outside-root takes it.`;
        case 'sameFile':
            return `skipped ${notice.path}: the same file as ${notice.keptPath}.`;
    }
}
