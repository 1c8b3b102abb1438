import * as assert from 'assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../e2e/taskRunner';

/** One line of a ```sh block of the README, and what the test does with it. */
interface ReadmeCommand {
    readonly block: number;
    /** The line as the README shows it, without its comment. */
    readonly text: string;
    /** What runs: `text` with `npm ci && ` dropped and placeholders filled; undefined when it is not run. */
    readonly run?: string;
    readonly skipped?: string;
}

/** Values for the README's `<placeholders>`; a placeholder not listed here fails the test, so a new one gets a value. */
const PLACEHOLDERS: Record<string, string> = {
    'your-publisher-id': 'readme-test-publisher',
    'repository-url': 'https://github.com/fabrikam/upload-work-item-attachments',
    id: 'readme-test-publisher',
    url: 'https://github.com/fabrikam/upload-work-item-attachments',
};

/**
 * Which README commands are safe offline, and so are run:
 * - `npm ci` needs the registry: the copy links the `node_modules` this checkout installed instead, which is what
 *   `npm ci` would give it (`npm ci && X` runs X);
 * - `npm test` is the run this test is part of: running it again would recurse;
 * - a command that names a remote http(s) address, or publishes or shares on the Marketplace, reaches the network;
 * - everything else runs, as written, in a copy of the repository made as a fresh clone would be, with npm kept
 *   offline and its global prefix inside the copy, so `npm install -g` installs there and never on the machine.
 */
export function classify(text: string): { run?: string; skipped?: string } {
    const command = text.replace(/^npm ci\s*&&\s*/, '');
    if (/^npm ci\b/.test(command)) {
        return { skipped: 'npm ci needs the registry; the copy links the installed node_modules' };
    }
    if (/^npm (test|run test)\b/.test(command)) {
        return { skipped: 'npm test is the run this test belongs to' };
    }
    if (/https?:\/\/(?!127\.0\.0\.1|localhost)/i.test(command)) {
        return { skipped: 'names a remote address' };
    }
    if (/\btfx\b.*\bextension (publish|share)\b/.test(command)) {
        return { skipped: 'publishes or shares on the Marketplace' };
    }
    const run = command.replace(/<([a-z-]+)>/gi, (placeholder, name: string) => {
        assert.ok(name in PLACEHOLDERS, `the README uses the placeholder ${placeholder}, which this test has no value for: add one to PLACEHOLDERS`);
        return PLACEHOLDERS[name];
    });
    return { run };
}

/** Every line of every ```sh block, without comments, classified. */
export function readmeCommands(readme: string): ReadmeCommand[] {
    const commands: ReadmeCommand[] = [];
    let block = -1;
    let inSh = false;
    for (const line of readme.split('\n')) {
        const fence = /^\s*```(\S*)/.exec(line);
        if (fence) {
            inSh = !inSh && fence[1] === 'sh';
            block += inSh ? 1 : 0;
            continue;
        }
        const text = line.replace(/(^|\s)#\s.*$/, '').trim();
        if (inSh && text !== '') {
            commands.push({ block, text, ...classify(text) });
        }
    }
    return commands;
}

/** The repository as a fresh clone has it: tracked and new files (not ignored ones: no build/, dist/ or node_modules). */
function copyAsFreshClone(target: string): void {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: REPO_ROOT, encoding: 'utf8' });
    for (const file of listed.split('\0').filter(Boolean)) {
        const source = path.join(REPO_ROOT, file);
        if (fs.existsSync(source) && fs.statSync(source).isFile()) {
            fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
            fs.copyFileSync(source, path.join(target, file));
        }
    }
    fs.symlinkSync(fs.realpathSync(path.join(REPO_ROOT, 'node_modules')), path.join(target, 'node_modules'), 'junction');
}

describe("the README's shell commands, run on a fresh copy", function () {
    this.timeout(300_000);
    const readme = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
    const commands = readmeCommands(readme);

    describe('which commands are safe offline', () => {
        it('runs the build, demo, packaging, version and command line commands; skips npm ci, npm test and the network', () => {
            const run = commands.filter((command) => command.run).map((command) => command.run);
            for (const expected of ['npm pack', 'ado-attach --help', 'npm run version:bump -- patch', 'npm run demo']) {
                assert.ok(run.includes(expected), `${expected} is run; run: ${run.join(' / ')}`);
            }
            assert.ok(run.some((command) => command?.startsWith('npm run package -- --publisher readme-test-publisher --repository https://github.com/')), run.join(' / '));
            assert.deepEqual(classify('npm ci'), { skipped: 'npm ci needs the registry; the copy links the installed node_modules' });
            assert.equal(classify('npm ci && npm test').skipped, 'npm test is the run this test belongs to');
            assert.equal(classify('ado-attach --org https://dev.azure.com/fabrikam/ x').skipped, 'names a remote address');
            assert.equal(classify('npx tfx extension share --token <PAT>').skipped, 'publishes or shares on the Marketplace');
            assert.throws(() => classify('npm run package -- --publisher <nobody-knows>'), /placeholder <nobody-knows>/);
        });
    });

    describe('each block, in order, in one copy', () => {
        let workspace: string;
        let clone: string;
        const environment: NodeJS.ProcessEnv = {};

        before(() => {
            workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-readme-'));
            clone = path.join(workspace, 'clone');
            copyAsFreshClone(clone);
            const prefix = path.join(workspace, 'npm-global');
            Object.assign(environment, {
                ...process.env,
                HOME: workspace,
                npm_config_prefix: prefix,
                npm_config_cache: path.join(workspace, 'npm-cache'),
                npm_config_offline: 'true',
                npm_config_audit: 'false',
                npm_config_fund: 'false',
                npm_config_update_notifier: 'false',
                PATH: [path.join(prefix, 'bin'), process.env.PATH].join(path.delimiter),
            });
            delete environment.CI;
            delete environment.TASK_UNDER_TEST;
        });

        after(() => {
            fs.rmSync(workspace, { recursive: true, force: true });
        });

        const blocks = [...new Set(commands.map((command) => command.block))];
        for (const block of blocks) {
            const lines = commands.filter((command) => command.block === block);
            const toRun = lines.filter((command) => command.run).map((command) => command.run as string);
            const title = lines.map((command) => command.text).join(' ; ');
            if (toRun.length === 0) {
                continue;
            }
            it(`works as written: ${title}`, () => {
                const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', toRun.join('\n')], { cwd: clone, env: environment, encoding: 'utf8', timeout: 240_000 });
                const output = `${result.stdout}\n${result.stderr}`;
                assert.equal(result.status, 0, `exit ${result.status}:\n${output.slice(-4000)}`);
                if (toRun.includes('npm run demo')) {
                    assert.match(result.stdout, /4 of 4 attachments downloaded back and verified byte for byte/);
                    assert.doesNotMatch(result.stdout, /##vso\[/, 'the demo renders the logging commands rather than printing them');
                    assert.match(result.stdout, /^ {2}##\[warning\]'drop\/id_rsa' is a link to /m, 'a warning, shown as the agent shows it');
                    assert.match(result.stdout, /^\| AttachmentCount +\| 4 +\|$/m, 'the output variables as a table');
                    assert.match(result.stdout, /^ {2}#1234 -> http:\/\/127\.0\.0\.1:\d+\/org\/_workitems\/edit\/1234$/m, 'the summary links to the work item');
                    assert.match(result.stdout, /^#1234 "Release 1\.2\.3 sign-off": 4 attached file\(s\)/m, 'the files are on the named work item');
                }
                if (toRun.includes('ado-attach --help')) {
                    assert.match(result.stdout, /ado-attach \[options\] <pattern\.\.\.>/);
                    assert.ok(fs.existsSync(path.join(workspace, 'npm-global')), 'installed under the copy');
                }
                if (toRun.some((command) => command.startsWith('npm run package'))) {
                    assert.deepEqual(fs.readdirSync(path.join(clone, 'dist')).filter((name) => name.endsWith('.vsix')), [
                        `readme-test-publisher.upload-work-item-attachments-${JSON.parse(fs.readFileSync(path.join(clone, 'vss-extension.json'), 'utf8')).version}.vsix`,
                    ]);
                }
            });
        }
    });
});
