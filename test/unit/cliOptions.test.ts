import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MEBIBYTE, parseCommandLine, UsageError, USAGE, type CliOptions, type Command } from '../../cli/options';

describe('ado-attach command line', () => {
    let folder: string;
    const org = ['--org', 'https://dev.azure.com/fabrikam'];

    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'ado-attach-options-'));
    });

    afterEach(() => {
        fs.rmSync(folder, { recursive: true, force: true });
    });

    function parse(args: string[], environment: Record<string, string> = {}): Command {
        return parseCommandLine(args, { environment, cwd: folder, hostname: 'build-host' });
    }

    function options(args: string[], environment: Record<string, string> = {}): CliOptions {
        const command = parse(args, environment);
        assert.equal(command.kind, 'run');
        return (command as { options: CliOptions }).options;
    }

    function rejects(args: string[], expected: string | RegExp, environment: Record<string, string> = {}) {
        assert.throws(
            () => parse(args, environment),
            (error: unknown) => error instanceof UsageError && (typeof expected === 'string' ? error.message === expected : expected.test(error.message)),
        );
    }

    it("applies the task's defaults", () => {
        assert.deepEqual(options([...org, 'dist/**']), {
            collectionUrl: 'https://dev.azure.com/fabrikam/',
            project: undefined,
            workItemIds: [],
            query: undefined,
            maxWorkItems: 100,
            areaPath: undefined,
            chunkSizeBytes: 8 * MEBIBYTE,
            uploadType: 'auto',
            concurrency: 4,
            retries: 5,
            stallTimeoutMs: 120_000,
            comment: 'Attached by ado-attach on build-host',
            ifNoFilesFound: 'warn',
            rootFolder: folder,
            allowFilesOutsideRoot: false,
            patterns: ['dist/**'],
            json: false,
            dryRun: false,
            quiet: false,
            tokenStdin: false,
        });
    });

    it('reads every option', () => {
        fs.mkdirSync(path.join(folder, 'out'));
        const parsed = options([
            ...['--org', 'http://tfs.local:8080/tfs/DefaultCollection/', '--project', 'Fabrikam Fiber', '--work-item', '5'],
            ...['--max-work-items', '1000', '--area-path', 'Fabrikam\\Web', '--chunk-size', '128', '--upload-type', 'Chunked', '--concurrency', '32'],
            ...['--retries', '0', '--stall-timeout', '5', '--comment', 'From CI', '--if-no-files-found', 'error', '--root', 'out'],
            ...['--allow-files-outside-root', '--json', '--dry-run', '--quiet', '--token-stdin', '**/*.zip', '!**/tmp/**'],
        ]);
        assert.deepEqual(parsed, {
            collectionUrl: 'http://tfs.local:8080/tfs/DefaultCollection/',
            project: 'Fabrikam Fiber',
            workItemIds: [5],
            query: undefined,
            maxWorkItems: 1000,
            areaPath: 'Fabrikam\\Web',
            chunkSizeBytes: 128 * MEBIBYTE,
            uploadType: 'chunked',
            concurrency: 32,
            retries: 0,
            stallTimeoutMs: 5_000,
            comment: 'From CI',
            ifNoFilesFound: 'error',
            rootFolder: path.join(folder, 'out'),
            allowFilesOutsideRoot: true,
            patterns: ['**/*.zip', '!**/tmp/**'],
            json: true,
            dryRun: true,
            quiet: true,
            tokenStdin: true,
        });
    });

    it('reads --query as it is, for the engine to run', () => {
        assert.equal(options([...org, '--query', 'SELECT [System.Id] FROM WorkItems', 'a']).query, 'SELECT [System.Id] FROM WorkItems');
    });

    it('refuses more work items than --max-work-items allows', () => {
        rejects([...org, '--work-item', '1,2,3', '--max-work-items', '2', 'a'], /names 3 work items, more than --max-work-items allows \(2\)/);
        assert.deepEqual(options([...org, '--work-item', '1,2', '--max-work-items', '2', 'a']).workItemIds, [1, 2]);
    });

    it('takes work items repeated and comma-separated, with or without #, each once, in order', () => {
        assert.deepEqual(options([...org, '--work-item', '12,#7', '--work-item=#12', '--work-item', '3 , 7', 'a']).workItemIds, [12, 7, 3]);
    });

    it('names the option, the value and what is allowed for a bad work item', () => {
        rejects([...org, '--work-item', '12,abc', 'a'], "Option '--work-item' is 'abc', but it must be a work item ID: a whole number from 1 to 2147483647, such as 123 or #123.");
        rejects([...org, '--work-item', '0', 'a'], /'--work-item' is '0'/);
        rejects([...org, '--work-item', '2147483648', 'a'], /'--work-item' is '2147483648'/);
        rejects([...org, '--work-item', ' ', 'a'], /'--work-item' is ' '/);
    });

    for (const [option, low, high] of [
        ['--chunk-size', 1, 128],
        ['--concurrency', 1, 32],
        ['--retries', 0, 10],
        ['--stall-timeout', 5, 3600],
        ['--max-work-items', 1, 1000],
    ] as const) {
        it(`accepts ${option} from ${low} to ${high} and names anything else`, () => {
            assert.doesNotThrow(() => options([...org, option, String(low), 'a']));
            assert.doesNotThrow(() => options([...org, option, String(high), 'a']));
            for (const bad of [String(high + 1), ...(low > 0 ? [String(low - 1)] : []), '-1', '2.5', 'many', '']) {
                rejects([...org, `${option}=${bad}`, 'a'], `Option '${option}' is '${bad}', but it must be a whole number from ${low} to ${high}.`);
            }
        });
    }

    it('names the allowed choices of --upload-type and --if-no-files-found', () => {
        rejects([...org, '--upload-type', 'fast', 'a'], "Option '--upload-type' is 'fast', but it must be one of auto, simple, chunked.");
        rejects([...org, '--if-no-files-found', 'fail', 'a'], "Option '--if-no-files-found' is 'fail', but it must be one of warn, error, ignore.");
    });

    it('makes unknown options, missing values and values given to flags usage errors', () => {
        rejects([...org, '--token', 'secret', 'a'], /^Unknown option '--token'\. Run 'ado-attach --help'/);
        rejects([...org, '-x', 'a'], /^Unknown option '-x'/);
        rejects([...org, 'a', '--chunk-size'], /^Option '--chunk-size' needs a value\./);
        rejects([...org, '--project', '--json', 'a'], /^Option '--project' needs a value; to give one that starts with '-', write --project=<value>\./);
        rejects([...org, '--json=yes', 'a'], /^Option '--json' takes no value\./);
    });

    it('needs a pattern that includes something', () => {
        rejects([...org], /^No pattern: name the files to attach/);
        rejects([...org, ' '], /^No pattern/);
        rejects([...org, '!**/*.tmp', '!x'], "Every pattern excludes (!**/*.tmp !x): add one that names the files to attach, for example 'dist/**'.");
    });

    it('takes a pattern that starts with - after --', () => {
        assert.deepEqual(options([...org, '--', '-odd-name.txt']).patterns, ['-odd-name.txt']);
    });

    it('resolves --root against the current folder and needs an existing folder', () => {
        fs.writeFileSync(path.join(folder, 'file.txt'), 'x');
        assert.equal(options([...org, '--root', '.', 'a']).rootFolder, folder);
        rejects([...org, '--root', 'missing', 'a'], "Option '--root' is 'missing', but no such folder exists.");
        rejects([...org, '--root', 'file.txt', 'a'], "Option '--root' is 'file.txt', but that is a file, not a folder.");
    });

    describe('the collection URL', () => {
        it('comes from --org before AZURE_DEVOPS_ORG_URL before SYSTEM_COLLECTIONURI, with a trailing /', () => {
            const environment = { AZURE_DEVOPS_ORG_URL: 'https://dev.azure.com/from-ext', SYSTEM_COLLECTIONURI: 'https://dev.azure.com/from-pipeline/' };
            assert.equal(options([...org, 'a'], environment).collectionUrl, 'https://dev.azure.com/fabrikam/');
            assert.equal(options(['a'], environment).collectionUrl, 'https://dev.azure.com/from-ext/');
            assert.equal(options(['a'], { SYSTEM_COLLECTIONURI: 'https://dev.azure.com/from-pipeline/' }).collectionUrl, 'https://dev.azure.com/from-pipeline/');
            assert.equal(options(['a'], { AZURE_DEVOPS_ORG_URL: '', SYSTEM_COLLECTIONURI: 'https://x.example/c' }).collectionUrl, 'https://x.example/c/');
        });

        it('is required', () => {
            rejects(['a'], /^No collection URL: give --org <url>.*or set AZURE_DEVOPS_ORG_URL\.$/);
        });

        it('must be an absolute http(s) URL without credentials, naming where it came from', () => {
            rejects(['--org', 'dev.azure.com/fabrikam', 'a'], "Option '--org' is 'dev.azure.com/fabrikam', but it must be an absolute http or https URL, such as https://dev.azure.com/fabrikam/.");
            rejects(['--org', 'ftp://dev.azure.com/fabrikam', 'a'], /^Option '--org' is 'ftp:/);
            rejects(['a'], /^AZURE_DEVOPS_ORG_URL is 'nope', but it must be an absolute http or https URL/, { AZURE_DEVOPS_ORG_URL: 'nope' });
            rejects(['a'], /^SYSTEM_COLLECTIONURI is '\/x'/, { SYSTEM_COLLECTIONURI: '/x' });
            rejects(['--org', 'https://me:pat@dev.azure.com/fabrikam', 'a'], /without user name, password, query or fragment\.$/);
        });
    });

    it('takes the project from SYSTEM_TEAMPROJECT unless --project names one', () => {
        assert.equal(options([...org, 'a'], { SYSTEM_TEAMPROJECT: 'Pipeline Project' }).project, 'Pipeline Project');
        assert.equal(options([...org, '--project', 'Mine', 'a'], { SYSTEM_TEAMPROJECT: 'Pipeline Project' }).project, 'Mine');
    });

    it('answers --help and --version before validating anything else', () => {
        assert.deepEqual(parse(['--help']), { kind: 'help' });
        assert.deepEqual(parse(['-h', '--chunk-size', '999']), { kind: 'help' });
        assert.deepEqual(parse(['--version']), { kind: 'version' });
    });

    it('documents every option in the usage text', () => {
        for (const option of ['--org', '--project', '--work-item', '--query', '--max-work-items', '--area-path', '--chunk-size', '--upload-type', '--concurrency']) {
            assert.match(USAGE, new RegExp(`${option} `));
        }
        for (const option of ['--retries', '--stall-timeout', '--comment', '--if-no-files-found', '--root', '--allow-files-outside-root', '--json', '--dry-run', '--quiet', '--token-stdin', '--help', '--version']) {
            assert.match(USAGE, new RegExp(`${option}\\b`));
        }
    });
});
