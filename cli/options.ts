import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { MEBIBYTE, type TransferSettings } from '../engine/settings';

/**
 * The command line contract of `ado-attach` (issue 10): `ado-attach [options] <pattern...>`.
 * Pure apart from looking at the folder `--root` names: the environment, the current folder and the host name
 * are passed in, so the same arguments always give the same options.
 */

export type IfNoFilesFound = 'warn' | 'error' | 'ignore';
export { MEBIBYTE };

/**
 * Everything a run needs from the command line and the environment, validated; the token is read apart (token.ts).
 * The engine's TransferSettings (area path, chunk size, upload type, concurrency, retries, stall timeout) are among them.
 */
export interface CliOptions extends TransferSettings {
    /** The collection URL, absolute http(s), ending with `/`. */
    readonly collectionUrl: string;
    readonly project?: string;
    /** Work items named with `--work-item`, each once, in the order given. */
    readonly workItemIds: number[];
    /** A WIQL query whose results are targets too (the union with `workItemIds`), run in `--project`. */
    readonly query?: string;
    readonly maxWorkItems: number;
    readonly comment: string;
    readonly ifNoFilesFound: IfNoFilesFound;
    /** Absolute, an existing folder. */
    readonly rootFolder: string;
    readonly allowFilesOutsideRoot: boolean;
    /** As the task's `contents`: `!` excludes, relative to `rootFolder`. */
    readonly patterns: string[];
    readonly json: boolean;
    readonly dryRun: boolean;
    readonly quiet: boolean;
    readonly tokenStdin: boolean;
}

/** What the command line asks for: usage, the version, or a run. */
export type Command = { readonly kind: 'help' } | { readonly kind: 'version' } | { readonly kind: 'run'; readonly options: CliOptions };

/** Bad usage or bad input found before any request: the CLI prints the message and exits 2. */
export class UsageError extends Error {
    override readonly name = 'UsageError';
}

export interface CommandLineContext {
    readonly environment: Readonly<Record<string, string | undefined>>;
    /** The folder `--root` defaults to and relative roots are resolved against. */
    readonly cwd: string;
    readonly hostname: string;
}

const OPTIONS = {
    org: { type: 'string' },
    project: { type: 'string' },
    'work-item': { type: 'string', multiple: true },
    query: { type: 'string' },
    'max-work-items': { type: 'string' },
    'area-path': { type: 'string' },
    'chunk-size': { type: 'string' },
    'upload-type': { type: 'string' },
    concurrency: { type: 'string' },
    retries: { type: 'string' },
    'stall-timeout': { type: 'string' },
    comment: { type: 'string' },
    'if-no-files-found': { type: 'string' },
    root: { type: 'string' },
    'allow-files-outside-root': { type: 'boolean' },
    json: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    quiet: { type: 'boolean' },
    'token-stdin': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
} as const;

export const USAGE = `Usage: ado-attach [options] <pattern...>

Uploads the files that match the patterns as attachments of Azure DevOps work items.
Patterns are relative to --root; a pattern that starts with ! excludes. Quote them ('dist/**/*.zip'),
so that the shell does not expand * and !.

Options:
  --org <url>                 collection URL, e.g. https://dev.azure.com/fabrikam/
                              (default: $AZURE_DEVOPS_ORG_URL, else $SYSTEM_COLLECTIONURI)
  --project <name>            project (default: $SYSTEM_TEAMPROJECT)
  --work-item <id>            work item to link the attachments to; repeat it or separate IDs with commas
  --query <wiql>              a WIQL query whose work items are targets too (run in --project)
  --max-work-items <n>        most work items one run may touch, 1 to 1000 (default 100)
  --area-path <path>          area path the attachments are stored under
  --chunk-size <MiB>          chunk size, 1 to 128 (default 8)
  --upload-type <type>        auto, simple or chunked (default auto)
  --concurrency <n>           files uploaded at once, 1 to 32 (default 4)
  --retries <n>               retries of each request, 0 to 10 (default 5)
  --stall-timeout <s>         seconds a request may make no progress, 5 to 3600 (default 120)
  --comment <text>            comment of the attachment links (default: "Attached by ado-attach on <host>")
  --if-no-files-found <what>  warn, error or ignore (default warn)
  --root <dir>                folder the patterns are relative to (default: the current folder)
  --allow-files-outside-root  also upload files whose real path lies outside --root
  --json                      print one JSON document on stdout; all other text goes to stderr
  --dry-run                   read the work items, list what would be uploaded and linked, write nothing
  --quiet                     no per-file lines and no progress bar (warnings and errors stay)
  --token-stdin               read the token from the first line of standard input
  -h, --help                  print this help
  --version                   print the version

The token never comes from an argument. In this order: --token-stdin, else $AZURE_DEVOPS_EXT_PAT
(a personal access token), else $SYSTEM_ACCESSTOKEN (a pipeline's token).
Network: $HTTPS_PROXY / $HTTP_PROXY, $NO_PROXY and $NODE_EXTRA_CA_CERTS are honoured.

Exit codes: 0 everything succeeded, 1 something failed, 2 bad usage or input (nothing was sent).
`;

/** Reads the command line; throws UsageError naming the option, the value and what is allowed. */
export function parseCommandLine(args: readonly string[], context: CommandLineContext): Command {
    const { values, positionals } = parseStrictly(args);
    if (values.help) {
        return { kind: 'help' };
    }
    if (values.version) {
        return { kind: 'version' };
    }
    const env = (name: string) => nonEmpty(context.environment[name]);
    const wholeNumber = (name: keyof typeof OPTIONS, fallback: number, min: number, max: number) =>
        parseWholeNumber(`--${name}`, values[name] as string | undefined, fallback, min, max);

    const options: CliOptions = {
        collectionUrl: collectionUrl(values.org, env),
        project: nonEmpty(values.project) ?? env('SYSTEM_TEAMPROJECT'),
        workItemIds: parseWorkItemIds(values['work-item'] ?? []),
        query: nonEmpty(values.query),
        maxWorkItems: wholeNumber('max-work-items', 100, 1, 1000),
        areaPath: nonEmpty(values['area-path']),
        chunkSizeBytes: wholeNumber('chunk-size', 8, 1, 128) * MEBIBYTE,
        uploadType: choice('--upload-type', values['upload-type'], ['auto', 'simple', 'chunked'] as const),
        concurrency: wholeNumber('concurrency', 4, 1, 32),
        retries: wholeNumber('retries', 5, 0, 10),
        stallTimeoutMs: wholeNumber('stall-timeout', 120, 5, 3600) * 1000,
        comment: nonEmpty(values.comment) ?? `Attached by ado-attach on ${context.hostname}`,
        ifNoFilesFound: choice('--if-no-files-found', values['if-no-files-found'], ['warn', 'error', 'ignore'] as const),
        rootFolder: existingFolder(values.root, context.cwd),
        allowFilesOutsideRoot: values['allow-files-outside-root'] ?? false,
        patterns: matchPatterns(positionals),
        json: values.json ?? false,
        dryRun: values['dry-run'] ?? false,
        quiet: values.quiet ?? false,
        tokenStdin: values['token-stdin'] ?? false,
    };
    if (options.workItemIds.length > options.maxWorkItems) {
        throw new UsageError(
            `Option '--work-item' names ${options.workItemIds.length} work items, more than --max-work-items allows (${options.maxWorkItems}): name fewer, or raise --max-work-items (at most 1000).`,
        );
    }
    return { kind: 'run', options };
}

function parseStrictly(args: readonly string[]) {
    try {
        return parseArgs({ args: [...args], options: OPTIONS, strict: true, allowPositionals: true });
    } catch (error) {
        throw new UsageError(usageProblem(error));
    }
}

/** parseArgs's own words, made shorter and pointed at --help. */
function usageProblem(error: unknown): string {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    const option = /'(-[^' ]*)/.exec(message)?.[1] ?? '?';
    const help = "Run 'ado-attach --help' for the options.";
    switch (code) {
        case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
            return `Unknown option '${option}'. ${help} A pattern that starts with '-' goes after '--'.`;
        case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
            if (/does not take an argument/.test(message)) {
                return `Option '${option}' takes no value. ${help}`;
            }
            if (/ambiguous/.test(message)) {
                return `Option '${option}' needs a value; to give one that starts with '-', write ${option}=<value>.`;
            }
            return `Option '${option}' needs a value. ${help}`;
        default:
            return `${message} ${help}`;
    }
}

function collectionUrl(option: string | undefined, env: (name: string) => string | undefined): string {
    const given = nonEmpty(option);
    const [source, raw] =
        given !== undefined
            ? ["Option '--org'", given]
            : env('AZURE_DEVOPS_ORG_URL') !== undefined
              ? ['AZURE_DEVOPS_ORG_URL', env('AZURE_DEVOPS_ORG_URL') as string]
              : ['SYSTEM_COLLECTIONURI', env('SYSTEM_COLLECTIONURI')];
    if (raw === undefined) {
        throw new UsageError('No collection URL: give --org <url> (for example https://dev.azure.com/fabrikam/), or set AZURE_DEVOPS_ORG_URL.');
    }
    const bad = (what: string) => new UsageError(`${source} is '${raw}', but it must be ${what}.`);
    let url: URL;
    try {
        url = new URL(raw);
    } catch {
        throw bad('an absolute http or https URL, such as https://dev.azure.com/fabrikam/');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw bad('an absolute http or https URL, such as https://dev.azure.com/fabrikam/');
    }
    // A user name or password in the URL would travel in logs and process lists: the token has its own ways in.
    if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        throw bad('a collection URL without user name, password, query or fragment');
    }
    return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** IDs repeated or separated by commas (spaces and semicolons too, as in the task); `#123` is how people write them. */
export function parseWorkItemIds(values: readonly string[]): number[] {
    const ids: number[] = [];
    for (const value of values) {
        const tokens = value.split(/[\s,;]+/).filter((part) => part !== '');
        if (tokens.length === 0) {
            throw new UsageError(`Option '--work-item' is '${value}', but it must be a work item ID: a whole number from 1 to 2147483647, such as 123 or #123.`);
        }
        for (const token of tokens) {
            const match = /^#?(\d{1,10})$/.exec(token);
            const id = match ? Number(match[1]) : NaN;
            if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
                throw new UsageError(`Option '--work-item' is '${token}', but it must be a work item ID: a whole number from 1 to 2147483647, such as 123 or #123.`);
            }
            if (!ids.includes(id)) {
                ids.push(id);
            }
        }
    }
    return ids;
}

export function parseWholeNumber(option: string, raw: string | undefined, fallback: number, min: number, max: number): number {
    if (raw === undefined) {
        return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
        throw new UsageError(`Option '${option}' is '${raw}', but it must be a whole number from ${min} to ${max}.`);
    }
    return value;
}

function choice<T extends string>(option: string, raw: string | undefined, allowed: readonly T[]): T {
    if (raw === undefined) {
        return allowed[0];
    }
    const match = allowed.find((candidate) => candidate === raw.trim().toLowerCase());
    if (match === undefined) {
        throw new UsageError(`Option '${option}' is '${raw}', but it must be one of ${allowed.join(', ')}.`);
    }
    return match;
}

function existingFolder(raw: string | undefined, cwd: string): string {
    const folder = raw ?? cwd;
    if (folder === '') {
        throw new UsageError("Option '--root' is '', but it must be an existing folder.");
    }
    const absolute = path.resolve(cwd, folder);
    let stats: fs.Stats;
    try {
        stats = fs.statSync(absolute);
    } catch {
        throw new UsageError(`Option '--root' is '${folder}', but no such folder exists.`);
    }
    if (!stats.isDirectory()) {
        throw new UsageError(`Option '--root' is '${folder}', but that is a file, not a folder.`);
    }
    return absolute;
}

function matchPatterns(positionals: readonly string[]): string[] {
    const patterns = positionals.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
    if (patterns.length === 0) {
        throw new UsageError("No pattern: name the files to attach, for example ado-attach --work-item 123 'dist/**/*.zip'.");
    }
    if (patterns.every((pattern) => pattern.startsWith('!'))) {
        throw new UsageError(`Every pattern excludes (${patterns.join(' ')}): add one that names the files to attach, for example 'dist/**'.`);
    }
    return patterns;
}

function nonEmpty(value: string | undefined): string | undefined {
    const trimmed = value?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
