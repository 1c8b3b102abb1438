import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { binaryContent } from './fixtures';
import { AzureDevOpsEmulator } from '../emulator';
import { PackedCli } from '../cli/packedCli';
import { ForwardProxy } from '../proxy/forwardProxy';
import { PROJECT, Scenario } from './harness';
import { TaskRun, variableToEnvironment } from './taskRunner';

const MiB = 1024 * 1024;

/**
 * Node 24 prints some deprecations that Node 20 keeps quiet (url.parse(), DEP0169, for code outside node_modules, which
 * a bundle is, bundled libraries included). Node 20 prints them under --pending-deprecation. Not --throw-deprecation:
 * a throw inside a request is caught and retried, and Node warns once, so the retry succeeds and hides it.
 */
const STRICT_NODE = { NODE_OPTIONS: '--pending-deprecation --trace-deprecation' };
const NODE_WARNING = /\(node:\d+\)|Warning:/;

function assertCleanRun(run: TaskRun, result = 'Succeeded'): void {
    assert.equal(run.stderr, '', 'nothing on stderr under --pending-deprecation');
    assert.equal(run.result, result, run.stdout);
}

const FLAT = 'SELECT [System.Id] FROM WorkItems';
const PROXY_USER = 'runtime-proxy-user';
const PROXY_PASSWORD = 'runtime-proxy-secret-5d2a';

describe('end to end: the bundled task under Node deprecation checks (Node 22-24 readiness)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('uploads simple and chunked files and links them, with no deprecation warning', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }], wiql: () => ({ workItems: [102] }) });
        scenario.artifacts.write('logs/app.log', 'application log');
        scenario.artifacts.write('drop/setup.bin', binaryContent(MiB + 3, 4));

        const run = await scenario.run(
            { contents: '**', chunkSizeMB: '1', workItemIds: '101', workItemQuery: FLAT, replaceOlderVersions: 'true', discussionComment: 'true' },
            { environment: STRICT_NODE },
        );

        assertCleanRun(run);
        assert.equal(run.outputs.AttachmentCount, '2');
        assert.equal(run.outputs.LinkedWorkItems, '101,102');
    });

    // typed-rest-client's `tunnel` builds Proxy-Authorization with `new Buffer()` (DEP0005, printed for code outside
    // node_modules on Node 20 already): the task's own agents replace tunnel's, so it must never run.
    it('goes through a proxy that wants credentials with no deprecation warning', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
        const proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
        try {
            scenario.artifacts.write('a.bin', binaryContent(MiB + 1, 2));

            const run = await scenario.run(
                { contents: 'a.bin', chunkSizeMB: '1', workItemIds: '101' },
                {
                    variables: { 'Agent.ProxyUrl': proxy.url, 'Agent.ProxyUsername': PROXY_USER },
                    environment: {
                        ...STRICT_NODE,
                        VSTS_SECRET_VARIABLES: JSON.stringify(['Agent.ProxyPassword']),
                        [`SECRET_${variableToEnvironment('Agent.ProxyPassword')}`]: PROXY_PASSWORD,
                    },
                },
            );

            assertCleanRun(run);
            assert.ok(proxy.requests.length > 0 && proxy.requests.every((request) => request.kind === 'connect' && request.status === 200), 'through the proxy');
        } finally {
            await proxy.stop();
        }
    });

    it('fails a run with an input error without a deprecation warning', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: 'a.log', chunkSizeMB: 'lots' }, { environment: STRICT_NODE });

        assertCleanRun(run, 'Failed');
    });
});

describe('end to end: the packed ado-attach under Node deprecation checks (Node 22-24 readiness)', function () {
    this.timeout(60_000);
    const PAT = 'runtimereviewpatruntimereviewpatruntimereviewpat12';
    const cli = new PackedCli();
    let emulator: AzureDevOpsEmulator | undefined;

    before(() => {
        cli.install();
        fs.mkdirSync(path.join(cli.workspace, 'files', 'drop'), { recursive: true });
        fs.writeFileSync(path.join(cli.workspace, 'files', 'drop', 'setup.bin'), binaryContent(MiB + 5, 6));
        fs.writeFileSync(path.join(cli.workspace, 'files', 'drop', 'notes.txt'), 'notes');
    });

    after(() => cli.dispose());

    afterEach(async () => {
        await emulator?.stop();
        emulator = undefined;
    });

    it('uploads, chunks and links with no deprecation warning on stderr', async () => {
        emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT], workItems: [{ id: 7 }] });

        const result = await cli.run(['--org', emulator.collectionUrl, '--project', PROJECT.name, '--chunk-size', '1', '--work-item', '7', 'drop/**'], {
            environment: { AZURE_DEVOPS_EXT_PAT: PAT, ...STRICT_NODE },
            cwd: path.join(cli.workspace, 'files'),
        });

        assert.equal(result.exitCode, 0, result.stderr);
        assert.doesNotMatch(result.stderr, NODE_WARNING);
        assert.equal(emulator.attachments().filter((attachment) => attachment.complete).length, 2);
    });

    it('goes through a proxy that wants credentials with no deprecation warning on stderr', async () => {
        emulator = await AzureDevOpsEmulator.start({ token: PAT, projects: [PROJECT] });
        const proxy = await ForwardProxy.start({ username: PROXY_USER, password: PROXY_PASSWORD });
        try {
            const proxyUrl = new URL(proxy.url);
            proxyUrl.username = PROXY_USER;
            proxyUrl.password = PROXY_PASSWORD;

            const result = await cli.run(['--org', emulator.collectionUrl, '--project', PROJECT.name, '--chunk-size', '1', 'drop/setup.bin'], {
                environment: { AZURE_DEVOPS_EXT_PAT: PAT, HTTP_PROXY: proxyUrl.href, ...STRICT_NODE },
                cwd: path.join(cli.workspace, 'files'),
            });

            assert.equal(result.exitCode, 0, result.stderr);
            assert.doesNotMatch(result.stderr, NODE_WARNING);
            assert.ok(proxy.requests.some((request) => request.kind === 'connect' && request.status === 200), 'through the proxy');
        } finally {
            await proxy.stop();
        }
    });
});
