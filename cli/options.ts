import { parseArgs } from 'util';
import {
    CHOICE_RULES,
    existingFolder,
    matchPatterns,
    parseChoice,
    parseWholeNumber,
    parseWorkItemIds,
    WHOLE_NUMBER_RULES,
    WORK_ITEM_ID_RANGE,
    type ChoiceRule,
    type IfNoFilesFound,
    type WholeNumberRule,
} from '../engine/inputRules';
import { MEBIBYTE, type TransferSettings } from '../engine/settings';

/**
 * The command line contract of `ado-attach` (issue 10): `ado-attach [options] <pattern...>`.
 * Pure apart from looking at the folder `--root` names: the environment, the current folder and the host name
 * are passed in, so the same arguments always give the same options.
 */

export type { IfNoFilesFound };
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

/** `1 to 128 (default 8)`: a range of the shared table, as the usage text gives it. */
function span(rule: WholeNumberRule): string {
    return `${rule.min} to ${rule.max} (default ${rule.fallback})`;
}

/** `auto, simple or chunked (default auto)`. */
function alternatives(rule: ChoiceRule<string>): string {
    const allowed = rule.allowed;
    return `${allowed.slice(0, -1).join(', ')} or ${allowed[allowed.length - 1]} (default ${rule.fallback})`;
}

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
  --max-work-items <n>        most work items one run may touch, ${span(WHOLE_NUMBER_RULES.maxWorkItems)}
  --area-path <path>          area path the attachments are stored under
  --chunk-size <MiB>          chunk size, ${span(WHOLE_NUMBER_RULES.chunkSize)}
  --upload-type <type>        ${alternatives(CHOICE_RULES.uploadType)}
  --concurrency <n>           files uploaded at once, ${span(WHOLE_NUMBER_RULES.concurrency)}
  --retries <n>               retries of each request, ${span(WHOLE_NUMBER_RULES.retries)}
  --stall-timeout <s>         seconds a request may make no progress, ${span(WHOLE_NUMBER_RULES.stallTimeout)}
  --comment <text>            comment of the attachment links (default: "Attached by ado-attach on <host>")
  --if-no-files-found <what>  ${alternatives(CHOICE_RULES.ifNoFilesFound)}
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
    // The ranges, defaults and choices are the engine's (inputRules.ts), shared with the task; the words are ours.
    const wholeNumber = (name: keyof typeof OPTIONS, rule: WholeNumberRule) =>
        parseWholeNumber(values[name] as string | undefined, rule, (raw) => refused(name, raw, `a whole number from ${rule.min} to ${rule.max}`));
    const choice = <T extends string>(name: keyof typeof OPTIONS, rule: ChoiceRule<T>) =>
        parseChoice(values[name] as string | undefined, rule, (raw) => refused(name, raw, `one of ${rule.allowed.join(', ')}`));

    const options: CliOptions = {
        collectionUrl: collectionUrl(values.org, env),
        project: nonEmpty(values.project) ?? env('SYSTEM_TEAMPROJECT'),
        workItemIds: workItemIds(values['work-item'] ?? []),
        query: nonEmpty(values.query),
        maxWorkItems: wholeNumber('max-work-items', WHOLE_NUMBER_RULES.maxWorkItems),
        areaPath: nonEmpty(values['area-path']),
        chunkSizeBytes: wholeNumber('chunk-size', WHOLE_NUMBER_RULES.chunkSize) * MEBIBYTE,
        uploadType: choice('upload-type', CHOICE_RULES.uploadType),
        concurrency: wholeNumber('concurrency', WHOLE_NUMBER_RULES.concurrency),
        retries: wholeNumber('retries', WHOLE_NUMBER_RULES.retries),
        stallTimeoutMs: wholeNumber('stall-timeout', WHOLE_NUMBER_RULES.stallTimeout) * 1000,
        comment: nonEmpty(values.comment) ?? `Attached by ado-attach on ${context.hostname}`,
        ifNoFilesFound: choice('if-no-files-found', CHOICE_RULES.ifNoFilesFound),
        rootFolder: rootFolder(values.root, context.cwd),
        allowFilesOutsideRoot: values['allow-files-outside-root'] ?? false,
        patterns: patterns(positionals),
        json: values.json ?? false,
        dryRun: values['dry-run'] ?? false,
        quiet: values.quiet ?? false,
        tokenStdin: values['token-stdin'] ?? false,
    };
    if (options.workItemIds.length > options.maxWorkItems) {
        throw new UsageError(
            `Option '--work-item' names ${options.workItemIds.length} work items, more than --max-work-items allows (${options.maxWorkItems}): name fewer, or raise --max-work-items (at most ${WHOLE_NUMBER_RULES.maxWorkItems.max}).`,
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
    // A password written into the URL is not repeated on stderr, which a CI log keeps.
    const shown = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@');
    const bad = (what: string) => new UsageError(`${source} is '${shown}', but it must be ${what}.`);
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

/** How the command line refuses an option's value: the option, the value, what it must be. */
function refused(option: string, raw: string, mustBe: string): UsageError {
    return new UsageError(`Option '--${option}' is '${raw}', but it must be ${mustBe}.`);
}

/** Repeated or separated by commas (spaces and semicolons too, as in the task); an empty one is refused. */
function workItemIds(values: readonly string[]): number[] {
    const notAnId = (given: string) =>
        refused('work-item', given, `a work item ID: a whole number from ${WORK_ITEM_ID_RANGE.min} to ${WORK_ITEM_ID_RANGE.max}, such as 123 or #123`);
    return parseWorkItemIds(values, { noId: notAnId, badId: (_value, token) => notAnId(token) });
}

/** Relative to the current folder, which is also what a left-out --root means. */
function rootFolder(raw: string | undefined, cwd: string): string {
    return existingFolder(raw ?? cwd, cwd, {
        missing: () => refused('root', '', 'an existing folder'),
        notFound: (folder) => new UsageError(`Option '--root' is '${folder}', but no such folder exists.`),
        notAFolder: (folder) => new UsageError(`Option '--root' is '${folder}', but that is a file, not a folder.`),
    });
}

function patterns(positionals: readonly string[]): string[] {
    return matchPatterns(positionals, {
        none: () => new UsageError("No pattern: name the files to attach, for example ado-attach --work-item 123 'dist/**/*.zip'."),
        onlyExcludes: (given) => new UsageError(`Every pattern excludes (${given.join(' ')}): add one that names the files to attach, for example 'dist/**'.`),
    });
}

function nonEmpty(value: string | undefined): string | undefined {
    const trimmed = value?.trim();
    return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
