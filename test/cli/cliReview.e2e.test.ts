import * as assert from 'assert/strict';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { AzureDevOpsEmulator, type EmulatorOptions } from '../emulator';
import { PROJECT } from '../e2e/harness';
import { REPO_ROOT } from '../../scripts/package/project';
import { PackedCli, type CliRun } from './packedCli';
import { stdinTtyEnvironment } from './stdinTtyPreload';

const PAT = 'patpatpatpatpatpatpatpatpatpatpatpatpatpatpatpatpat7';
const isWindows = process.platform === 'win32';

const README = fs.readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The first capture of a README line: the test runs what the README says, as it says it. */
function readmeLine(pattern: RegExp): string {
    const match = pattern.exec(README);
    assert.ok(match, `the README has a line that matches ${pattern}`);
    return match[1];
}

/** The arguments of an `ado-attach ...` command, its words after the command's name. */
function argumentsOf(words: string[]): string[] {
    assert.equal(words[0], 'ado-attach');
    return words.slice(1);
}

/** A simple command split as a POSIX shell splits it (bash in a Linux agent's script step, GitHub's runner): '…' and "…" group, and go. */
function posixWords(line: string): string[] {
    return [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2] ?? match[3]);
}

/** A command split as cmd.exe and the C runtime split it (a script step on a Windows agent): only "…" groups; a ' is part of the word. */
function cmdWords(line: string): string[] {
    return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

interface Failure {
    path?: string;
    workItem?: number;
    reason: string;
}

/** What a demanding first user of the packed command runs into: the README's example, closed pipes, a dry run's failures. */
describe('ado-attach: the packed command line, used as a new user would', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let files: string;
    let emulator: AzureDevOpsEmulator | undefined;

    const MANY = 30;

    before(() => {
        cli.install();
        files = path.join(cli.workspace, 'files');
        const write = (name: string, content: string) => {
            fs.mkdirSync(path.dirname(path.join(files, name)), { recursive: true });
            fs.writeFileSync(path.join(files, name), content);
        };
        write('out/build.log', 'build log\n');
        write('out/test/run.log', 'test log\n');
        write('out/tmp/scratch.log', 'scratch\n');
        write('out/report.html', '<html></html>\n');
        write('logs/agent.log', 'agent\n');
        write('logs/steps/step.log', 'step\n');
        write('test-results/unit/run.trx', '<TestRun/>\n');
        for (let i = 1; i <= MANY; i++) {
            write(`many/file-${String(i).padStart(2, '0')}.txt`, `file ${i}\n`);
        }
        fs.writeFileSync(path.join(cli.workspace, 'outside.txt'), 'outside the root\n');
    });

    after(() => cli.dispose());

    afterEach(async () => {
        await emulator?.stop();
        emulator = undefined;
    });

    async function start(workItems: number[] = [], options: EmulatorOptions = {}): Promise<AzureDevOpsEmulator> {
        emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT], workItems: workItems.map((id) => ({ id })), ...options });
        return emulator;
    }

    function run(args: readonly string[], environment: Record<string, string> = {}): Promise<CliRun> {
        return cli.run(args, { environment: { AZURE_DEVOPS_EXT_PAT: PAT, ...environment }, cwd: files });
    }

    /** The names of the files attached to a work item on the emulator, sorted. */
    function attachedNames(server: AzureDevOpsEmulator, id: number): string[] {
        const relations = server.workItem(id)?.relations.filter((relation) => relation.rel === 'AttachedFile') ?? [];
        return relations.map((relation) => String(relation.attributes.name)).sort();
    }

    it("runs the README's shell example as written, with the collection URL swapped for the emulator's", async () => {
        const server = await start([1234]);
        const line = readmeLine(/^(ado-attach --org https:\/\/dev\.azure\.com\/fabrikam\/ .*)$/m);

        const result = await run(argumentsOf(posixWords(line.replace('https://dev.azure.com/fabrikam/', server.collectionUrl))));

        assert.equal(result.exitCode, 0, result.stderr);
        assert.match(result.stdout, /^2 files attached \(\d+ bytes\), linked to work item #1234\.$/m);
        assert.deepEqual(attachedNames(server, 1234), ['build.log', 'run.log']);
    });

    it("runs the README's GitHub Actions step as written, its document on stdout", async () => {
        const server = await start([1234]);
        const line = readmeLine(/^\s+(ado-attach --project .*) > attached\.json$/m);

        const result = await run(argumentsOf(posixWords(line)), { AZURE_DEVOPS_ORG_URL: server.collectionUrl });

        assert.equal(result.exitCode, 0, result.stderr);
        const document = JSON.parse(result.stdout) as { attachments: { path: string }[]; linkedWorkItems: number[] };
        assert.deepEqual(document.attachments.map((attachment) => attachment.path), ['test-results/unit/run.trx']);
        assert.deepEqual(document.linkedWorkItems, [1234]);
    });

    it("runs the README's Azure Pipelines script step as a Linux agent's bash and a Windows agent's cmd.exe pass its words", async () => {
        const line = readmeLine(/^- script: (ado-attach .*)$/m);
        for (const [shell, words] of [
            ['bash', argumentsOf(posixWords(line))],
            ['cmd.exe', argumentsOf(cmdWords(line))],
        ] as const) {
            const server = await start([1234]);

            const result = await run(words, { AZURE_DEVOPS_EXT_PAT: '', SYSTEM_ACCESSTOKEN: PAT, SYSTEM_COLLECTIONURI: server.collectionUrl, SYSTEM_TEAMPROJECT: PROJECT.name });

            assert.equal(result.exitCode, 0, `${shell}: ${result.stderr}`);
            assert.doesNotMatch(result.stderr, /No files matched/, `${shell} passes ${JSON.stringify(words)}`);
            assert.deepEqual(attachedNames(server, 1234), ['agent.log', 'step.log'], shell);
            await server.stop();
            emulator = undefined;
        }
    });

    it('finishes every upload and link when the reader of stdout goes away (ado-attach ... | head -1), without a stack trace', async () => {
        const server = await start([12]);
        const args = ['--org', server.collectionUrl, '--project', PROJECT.name, '--work-item', '12', '--concurrency', '2', 'many/**'];

        const result = await new Promise<CliRun>((resolve, reject) => {
            const child = spawn(cli.bin, args, { cwd: files, env: { PATH: process.env.PATH ?? '', ...(isWindows ? { SYSTEMROOT: process.env.SYSTEMROOT ?? '' } : {}), AZURE_DEVOPS_EXT_PAT: PAT }, shell: isWindows, stdio: ['ignore', 'pipe', 'pipe'] });
            // The reader closes its end before the command prints its first line: every line it prints meets a closed pipe.
            child.stdout.destroy();
            let stderr = '';
            child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
            child.on('error', reject);
            child.on('close', (exitCode) => resolve({ exitCode, stdout: '', stderr }));
        });

        assert.equal(result.exitCode, 0, result.stderr);
        assert.doesNotMatch(result.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /);
        assert.equal(server.attachments().filter((attachment) => attachment.complete).length, MANY, 'every file uploaded');
        assert.equal(server.workItem(12)?.relations.filter((relation) => relation.rel === 'AttachedFile').length, MANY, 'and linked');
    });

    it('with --dry-run --json names in the document what fails, as the exit code 1 says something did', async () => {
        const server = await start([12]);

        const result = await run(['--org', server.collectionUrl, '--project', PROJECT.name, '--dry-run', '--json', '--work-item', '12,404', 'out/report.html']);

        assert.equal(result.exitCode, 1, result.stderr);
        const document = JSON.parse(result.stdout) as { dryRun: boolean; files: unknown[]; workItems: number[]; failed: Failure[] };
        assert.deepEqual(document.workItems, [12]);
        assert.equal(document.failed?.length, 1, result.stdout);
        assert.equal(document.failed[0].workItem, 404);
        assert.match(document.failed[0].reason, /work item 404 does not exist/);
        assert.match(result.stderr, /^Dry run: 1 file \(14 bytes\) would be attached, linked to work item #12\. Nothing was written\. 1 failure\.$/m);
        assert.equal(server.requests.filter((request) => !['GET', 'OPTIONS', 'HEAD'].includes(request.method)).length, 0, 'nothing written');
    });

    it('with --dry-run --json puts a failure of the run as a whole in the document too (a query the server rejects)', async () => {
        const server = await start([], { wiql: () => ({ error: 'TF51005: The query references a field that does not exist.' }) });

        const result = await run(['--org', server.collectionUrl, '--project', PROJECT.name, '--dry-run', '--json', '--query', 'SELECT [System.Id] FROM WorkItems WHERE [No.Such] = 1', 'out/report.html']);

        assert.equal(result.exitCode, 1, result.stderr);
        const document = JSON.parse(result.stdout) as { failed: Failure[] };
        assert.equal(document.failed?.length, 1, result.stdout);
        assert.match(document.failed[0].reason, /TF51005/);
    });

    it('tells how to upload a file outside --root with the flag as it is spelled, and the flag then works', async () => {
        const server = await start();
        const outside = path.join(cli.workspace, 'outside.txt');

        const skipped = await run(['--org', server.collectionUrl, '--dry-run', outside]);

        assert.equal(skipped.exitCode, 0, skipped.stderr);
        assert.match(skipped.stderr, /^warning: '\.\.\/outside\.txt' lies outside '--root' .*: skipped\. Add --allow-files-outside-root to upload/m);
        assert.doesNotMatch(skipped.stderr, /to true/);

        const allowed = await run(['--org', server.collectionUrl, '--dry-run', '--allow-files-outside-root', outside]);

        assert.equal(allowed.exitCode, 0, allowed.stderr);
        assert.match(allowed.stdout, /^would upload .*outside\.txt \(17 bytes, simple\)$/m);
    });

    it('with --quiet prints no line per file, not even for a file already attached, only the summary and what went wrong', async () => {
        const server = await start([12]);
        const args = ['--org', server.collectionUrl, '--project', PROJECT.name, '--work-item', '12', '--quiet', 'out/**'];
        const first = await run(args);
        assert.equal(first.exitCode, 0, first.stderr);

        const again = await run(args);

        assert.equal(again.exitCode, 0, again.stderr);
        assert.equal(again.stdout, '4 files attached (41 bytes), linked to work item #12.\n');
        assert.equal(again.stderr, '', 'nothing but warnings and errors on stderr, and there were none');
        assert.equal(first.stderr, '');
    });

    it("gives a network failure's advice for this machine and its environment, not for a pipeline agent", async () => {
        // A loopback port that nothing listens on: the connection is refused at once.
        const closed = net.createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as net.AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));

        const refused = await run(['--org', `http://127.0.0.1:${port}/org/`, '--retries', '0', '--json', 'out/report.html']);

        assert.equal(refused.exitCode, 1, refused.stderr);
        const [failure] = (JSON.parse(refused.stdout) as { failed: Failure[] }).failed;
        assert.match(failure.reason, /^the network failed \(ECONNREFUSED: .*\) on each of 1 attempt\(s\)\. Check that this machine can reach the server, and the proxy settings: HTTPS_PROXY \(HTTP_PROXY for an http collection URL\) and NO_PROXY\.$/);

        const server = await start();
        server.addFault({ method: 'POST', path: '/_apis/wit/attachments', action: { kind: 'status', status: 302, headers: { Location: 'https://login.example.invalid/sign-in' }, body: '' } });

        const redirected = await run(['--org', server.collectionUrl, '--retries', '0', '--json', 'out/report.html']);

        assert.equal(redirected.exitCode, 1, redirected.stderr);
        const [redirect] = (JSON.parse(redirected.stdout) as { failed: Failure[] }).failed;
        assert.match(redirect.reason, /ado-attach does not follow redirects, so the token is never sent to another host\. Check that --org is the server's real address\.$/);
        assert.doesNotMatch(refused.stderr + redirected.stderr, /\bagent\b|\bthe task\b|pipeline/);
    });

    it('refuses --token-stdin when standard input is a terminal, instead of waiting for a token typed in the clear', async () => {
        const server = await start();

        const result = await run(['--org', server.collectionUrl, '--token-stdin', 'out/report.html'], stdinTtyEnvironment());

        assert.equal(result.exitCode, 2);
        assert.equal(result.stdout, '');
        assert.match(result.stderr, /^error: --token-stdin was given, but standard input is a terminal, not a pipe: pipe the token in/m);
        assert.equal(server.requests.length, 0, 'no request');
    });

    it('shows the usage on stderr when run with no arguments at all, rather than one complaint about a missing option', async () => {
        const result = await cli.run([], { environment: { AZURE_DEVOPS_ORG_URL: 'https://dev.azure.com/fabrikam/', AZURE_DEVOPS_EXT_PAT: PAT }, cwd: files });

        assert.equal(result.exitCode, 2);
        assert.equal(result.stdout, '', 'nothing on stdout, as for every usage error');
        assert.match(result.stderr, /^Usage: ado-attach /m);
        assert.match(result.stderr, /--work-item/);
    });
});
