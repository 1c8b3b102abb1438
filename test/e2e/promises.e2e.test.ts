import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { binaryContent } from './fixtures';
import { fsFaultEnvironment } from './fsFaultPreload';
import { PROJECT, Scenario, assertServerHoldsExactly, attachedFiles, attachmentsOutput } from './harness';
import { REPO_ROOT } from './taskRunner';
import type { RecordedRequest } from '../emulator';

const MiB = 1024 * 1024;

/** A loopback port that nothing listens on: bound, then let go. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

const attachedFilesNamed = (scenario: Scenario, id: number) => attachedFiles(scenario, id).map((relation) => String(relation.attributes.name));

/**
 * What the README, the Marketplace overview and task.json promise, checked against the bundled task where no other test
 * did: each test names the promise it holds the task to.
 */
describe('end to end: what the documents promise', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    /** The creates (a simple upload, or the start of a chunked one), as opposed to chunks and negotiation. */
    const creates = () => scenario.uploadRequests().filter((request) => request.method === 'POST');

    describe('inputs', () => {
        it("areaPath: sent as areaPath on every create, simple and chunked alike; empty, none is sent (the project's root area)", async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('small.txt', 'small');
            scenario.artifacts.write('big.bin', binaryContent(MiB + 1, 2));

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1', areaPath: 'Fabrikam\\Web' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(creates().map((request) => [request.query.fileName, request.query.uploadType, request.query.areaPath]).sort(), [
                ['big.bin', 'Chunked', 'Fabrikam\\Web'],
                ['small.txt', 'Simple', 'Fabrikam\\Web'],
            ]);
            assert.deepEqual(scenario.emulator.attachments().map((attachment) => attachment.areaPath), ['Fabrikam\\Web', 'Fabrikam\\Web']);

            const before = creates().length;
            const plain = await scenario.run({ contents: 'small.txt' });

            assert.equal(plain.result, 'Succeeded', plain.stdout);
            assert.ok(creates().slice(before).every((request) => !('areaPath' in request.query)), 'no areaPath when the input is empty');
        });

        it('uploadType: simple sends a file larger than the chunk size in one request, chunked chunks a small one, and an empty file always goes simple', async () => {
            scenario = await Scenario.start();
            const files = { 'big.bin': binaryContent(MiB + 7, 3), 'small.txt': 'a few bytes', 'empty.log': '' };
            for (const [name, content] of Object.entries(files)) {
                scenario.artifacts.write(name, content);
            }

            const simple = await scenario.run({ contents: 'big.bin', uploadType: 'simple', chunkSizeMB: '1' });

            assert.equal(simple.result, 'Succeeded', simple.stdout);
            assert.deepEqual(attachmentsOutput(simple).map((entry) => entry.uploadType), ['simple']);
            assert.deepEqual(scenario.uploadRequests().map((request) => [request.method, request.query.uploadType, request.bodyBytes]), [['POST', 'Simple', MiB + 7]]);

            const chunked = await scenario.run({ contents: 'small.txt\nempty.log', uploadType: 'chunked', chunkSizeMB: '1' });

            assert.equal(chunked.result, 'Succeeded', chunked.stdout);
            assert.deepEqual(attachmentsOutput(chunked).map((entry) => [entry.name, entry.uploadType]), [['empty.log', 'simple'], ['small.txt', 'chunked']]);
            const small = scenario.uploadRequests().slice(1).filter((request) => request.query.fileName === 'small.txt' || request.method === 'PUT');
            assert.deepEqual(small.map((request) => [request.method, request.headers['content-range'] ?? '']), [['POST', ''], ['PUT', 'bytes 0-10/11']]);
            await assertServerHoldsExactly(scenario, files);
        });

        it('rootFolder: empty means $(System.DefaultWorkingDirectory)', async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('drop/app.zip', 'zip');

            const run = await scenario.run({ rootFolder: '', contents: 'drop/*.zip' }, { variables: { 'System.DefaultWorkingDirectory': scenario.artifacts.root } });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['drop/app.zip']);
        });

        const refusals: { promise: string; inputs: Record<string, string>; message: (root: string) => string }[] = [
            {
                promise: 'a rootFolder that is a file',
                inputs: { rootFolder: 'FILE', contents: '*' },
                message: (root) => `Input 'rootFolder' is '${path.join(root, 'a.txt')}', which is a file. It must be a folder; put the file name in 'contents' instead.`,
            },
            {
                promise: 'contents with only excludes and comments',
                inputs: { contents: '# logs\n!**/*.pdb' },
                message: () => "Input 'contents' is '# logs\\n!**/*.pdb', but it must hold at least one match pattern that is not an exclude, one a line, for example **/*.zip.",
            },
            {
                promise: 'a workItemIds value that is not an ID',
                inputs: { contents: '*', workItemIds: '1234, #5678, WI-9' },
                message: () => "Input 'workItemIds' is '1234, #5678, WI-9', but 'WI-9' is not a work item ID. Give positive whole numbers separated by commas, spaces or new lines, for example 123, #456.",
            },
            { promise: 'retries over 10', inputs: { contents: '*', retries: '11' }, message: () => "Input 'retries' is '11', but it must be a whole number from 0 to 10." },
            {
                promise: 'stallTimeoutSeconds under 5',
                inputs: { contents: '*', stallTimeoutSeconds: '4' },
                message: () => "Input 'stallTimeoutSeconds' is '4', but it must be a whole number from 5 to 3600.",
            },
            { promise: 'concurrency 0', inputs: { contents: '*', concurrency: '0' }, message: () => "Input 'concurrency' is '0', but it must be a whole number from 1 to 32." },
            {
                promise: 'an ifNoFilesFound that is not a choice',
                inputs: { contents: '*', ifNoFilesFound: 'fail' },
                message: () => "Input 'ifNoFilesFound' is 'fail', but it must be one of: warn, error, ignore.",
            },
            {
                promise: 'a runWorkItemsScope that is not a choice',
                inputs: { contents: '*', linkBuildWorkItems: 'true', runWorkItemsScope: 'lastRun' },
                message: () => "Input 'runWorkItemsScope' is 'lastRun', but it must be one of: thisRun, sinceLastSuccessfulRun.",
            },
        ];
        for (const { promise, inputs, message } of refusals) {
            it(`a bad value fails before anything is uploaded, naming the input, the value and what is allowed: ${promise}`, async () => {
                scenario = await Scenario.start();
                const file = scenario.artifacts.write('a.txt', 'a');

                const run = await scenario.run(inputs.rootFolder === 'FILE' ? { ...inputs, rootFolder: file } : inputs);

                assert.equal(run.result, 'Failed');
                assert.equal(run.resultMessage, message(scenario.artifacts.root));
                assert.equal(scenario.emulator.requests.length, 0);
            });
        }

        it("contents: tl.findMatch's semantics, where '!!' negates the exclude and so includes", async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('b.txt', 'b');

            const run = await scenario.run({ contents: '!!a.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['a.txt']);
        });

        it('workItemIds: commas, spaces, new lines and #123 are all accepted, each ID once', async () => {
            scenario = await Scenario.start({ workItems: [{ id: 1234 }, { id: 5678 }, { id: 91 }] });
            scenario.artifacts.write('a.txt', 'a');

            const run = await scenario.run({ contents: 'a.txt', workItemIds: '1234, #5678\n91 1234' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.equal(run.outputs.LinkedWorkItems, '1234,5678,91');
        });

        it('ifNoFilesFound=ignore logs a line and succeeds, without a warning', async () => {
            scenario = await Scenario.start();

            const run = await scenario.run({ contents: '**/*.zip', ifNoFilesFound: 'ignore' });

            assert.equal(run.result, 'Succeeded');
            assert.deepEqual(run.warnings, []);
            const line = `No files matched under '${scenario.artifacts.root}' for the patterns: **/*.zip`;
            assert.ok(run.visibleOutput.split('\n').includes(line), `a plain log line, not only the result's message:\n${run.visibleOutput}`);
        });

        it('project: the attachments go to the named project', async () => {
            const other = { id: '0f4a8c1e-6b2d-4e7f-9a3c-5d1b2e8f7a60', name: 'Contoso' };
            scenario = await Scenario.start({ projects: [PROJECT, other] });
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('big.bin', binaryContent(MiB + 1, 5));

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1', project: 'Contoso' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.ok(scenario.uploadRequests().every((request) => request.path.startsWith('/org/Contoso/')), scenario.uploadRequests().map((r) => r.path).join('\n'));
            assert.deepEqual(scenario.emulator.attachments().map((attachment) => attachment.project), ['Contoso', 'Contoso']);
        });
    });

    describe('defaults', () => {
        it('chunkSizeMB left empty: 8 MiB chunks, and a file of exactly 8 MiB goes simple', async () => {
            scenario = await Scenario.start();
            const files = { 'exact.bin': binaryContent(8 * MiB, 11), 'over.bin': binaryContent(8 * MiB + 1, 12) };
            for (const [name, content] of Object.entries(files)) {
                scenario.artifacts.write(name, content);
            }

            const run = await scenario.run({ contents: '*.bin' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.name, entry.uploadType]), [['exact.bin', 'simple'], ['over.bin', 'chunked']]);
            const chunks = scenario.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(chunks.map((request) => request.headers['content-range']), [`bytes 0-${8 * MiB - 1}/${8 * MiB + 1}`, `bytes ${8 * MiB}-${8 * MiB}/${8 * MiB + 1}`]);
            await assertServerHoldsExactly(scenario, files);
        });

        it('maxWorkItems left empty: at most 100 work items, and nothing is uploaded past it', async () => {
            scenario = await Scenario.start({ wiql: () => ({ workItems: Array.from({ length: 150 }, (_, n) => 500 + n) }) });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: '*.log', workItemQuery: 'SELECT [System.Id] FROM WorkItems' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /^Nothing was uploaded: more than 100 work items were selected \('workItemQuery' \(more than 100\)\), more than 'maxWorkItems' allows \(100\)/);
            assert.equal(scenario.uploadRequests().length, 0);
        });
    });

    describe('work item targets', () => {
        it("a run with linkBuildWorkItems and no work items warns, and says truly where the files go: the named and the queried work items", async () => {
            scenario = await Scenario.start({ workItems: [{ id: 201 }, { id: 202 }], wiql: () => ({ workItems: [202] }) });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: '*.log', linkBuildWorkItems: 'true', workItemIds: '201', workItemQuery: 'SELECT [System.Id] FROM WorkItems' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(run.warnings.map((warning) => warning.split('. ')[0]), [
                "linkBuildWorkItems is on, but this build has no associated work items, so the attachments are linked only to the work items named in 'workItemIds' or found by 'workItemQuery'",
            ]);
            assert.equal(run.outputs.LinkedWorkItems, '201,202');
        });

        it('retries a work item read and a work item patch after a server error, like any request', async () => {
            scenario = await Scenario.start({ workItems: [{ id: 101 }] });
            scenario.artifacts.write('a.log', 'a');
            scenario.emulator.addFault({ method: 'GET', path: /\/workitems\/101$/i, action: { kind: 'status', status: 503 } });
            scenario.emulator.addFault({ method: 'PATCH', path: /\/workitems\/101$/i, action: { kind: 'status', status: 502 } });

            const run = await scenario.run({ contents: '*.log', workItemIds: '101' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const onItem = (method: string) => scenario.emulator.requests.filter((request) => request.method === method && /\/workitems\/101$/i.test(request.path)).map((request) => request.status);
            assert.deepEqual(onItem('GET').slice(0, 2), [503, 200]);
            assert.deepEqual(onItem('PATCH'), [502, 200]);
            assert.equal(run.outputs.LinkedWorkItems, '101');
            assert.deepEqual(attachedFilesNamed(scenario, 101), ['a.log']);
        });

        it('says that no input selected a work item when the query and the run find none', async () => {
            scenario = await Scenario.start({ wiql: () => ({ workItems: [] }) });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: '*.log', linkBuildWorkItems: 'true', workItemQuery: 'SELECT [System.Id] FROM WorkItems' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.ok(
                run.visibleOutput.split('\n').includes("No work item to attach the files to: the inputs that select them ('workItemIds', 'workItemQuery', 'linkBuildWorkItems') selected none."),
                run.visibleOutput,
            );
            assert.equal(run.outputs.AttachmentCount, '1');
            assert.equal(run.outputs.LinkedWorkItems, '');
        });
    });

    describe('uploads', () => {
        /** The most requests the server was answering at one time. */
        function mostAtOnce(requests: readonly RecordedRequest[]): number {
            const edges = requests.flatMap((request) => [
                { at: request.receivedAtMs, step: 1 },
                { at: request.endedAtMs, step: -1 },
            ]);
            edges.sort((a, b) => a.at - b.at || a.step - b.step);
            let current = 0;
            let most = 0;
            for (const edge of edges) {
                current += edge.step;
                most = Math.max(most, current);
            }
            return most;
        }

        for (const [concurrency, expected] of [
            [undefined, 4],
            ['2', 2],
        ] as const) {
            it(`concurrency ${concurrency ?? 'left empty'}: ${expected} files uploaded at once, never more`, async () => {
                scenario = await Scenario.start();
                for (let index = 0; index < 8; index++) {
                    scenario.artifacts.write(`f${index}.txt`, `file ${index}`);
                }
                // Each create is held a while, so the files that the task sends at once are at the server at once.
                scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', times: Infinity, action: { kind: 'delay', ms: 150 } });

                const run = await scenario.run({ contents: '*.txt', ...(concurrency === undefined ? {} : { concurrency }) });

                assert.equal(run.result, 'Succeeded', run.stdout);
                assert.equal(creates().length, 8);
                assert.equal(mostAtOnce(creates()), expected);
            });
        }

        it('AttachmentUrls and Attachments are in sorted path order, whatever order the uploads finished in', async () => {
            scenario = await Scenario.start();
            for (const name of ['a.txt', 'b.txt', 'c.txt']) {
                scenario.artifacts.write(name, name);
            }
            scenario.emulator.addFault({ method: 'POST', match: (request) => request.query.fileName === 'a.txt', action: { kind: 'delay', ms: 500 } });

            const run = await scenario.run({ contents: '*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const finished = run.visibleOutput.split('\n').filter((line) => line.startsWith('Uploaded ')).map((line) => line.split(' ')[1]);
            assert.equal(finished[finished.length - 1], 'a.txt', `a.txt finished last: ${finished.join(', ')}`);
            const outputs = attachmentsOutput(run);
            assert.deepEqual(outputs.map((entry) => entry.path), ['a.txt', 'b.txt', 'c.txt']);
            assert.equal(run.outputs.AttachmentUrls, outputs.map((entry) => entry.url).join(';'));
            assert.equal(run.outputs.AttachmentUrl, outputs[0].url);
        });
    });

    describe('the network', () => {
        it('retries a refused connection, then names it and the attempts', async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'a');
            const closed = await closedPort();

            const run = await scenario.run({ contents: '*.txt', retries: '1' }, { environment: { ENDPOINT_URL_SYSTEMVSSCONNECTION: `http://127.0.0.1:${closed}/org/` } });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /^1 of 1 file\(s\) were not uploaded:\na\.txt: the network failed \(ECONNREFUSED: .*\) on each of 2 attempt\(s\)\. Check that the agent can reach the server and its proxy settings\.$/);
            assert.match(run.visibleOutput, /: attempt 1 of 2 failed, retrying in .*ECONNREFUSED/);
        });
    });

    describe('links', () => {
        it('a file reachable through several paths (a symbolic link, a hard link) is uploaded once, under its direct path', async () => {
            scenario = await Scenario.start();
            const real = scenario.artifacts.write('z/real.txt', 'one file');
            fs.symlinkSync(real, path.join(scenario.artifacts.root, 'a-link.txt'));
            fs.mkdirSync(path.join(scenario.artifacts.root, 'a'));
            fs.symlinkSync(path.join(scenario.artifacts.root, 'z'), path.join(scenario.artifacts.root, 'a', 'folder-link'));

            const run = await scenario.run({ contents: '**/*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.path, entry.name]), [['z/real.txt', 'real.txt']]);
            await assertServerHoldsExactly(scenario, { 'real.txt': 'one file' });

            // Two hard links are two direct paths to one file: it is uploaded once, and the log says under which.
            fs.linkSync(real, path.join(scenario.artifacts.root, 'b-hard.txt'));
            const hard = await scenario.run({ contents: '*.txt\nz/*.txt' });

            assert.equal(hard.result, 'Succeeded', hard.stdout);
            const [kept] = attachmentsOutput(hard).map((entry) => entry.path);
            assert.equal(attachmentsOutput(hard).length, 1);
            const other = kept === 'z/real.txt' ? 'b-hard.txt' : 'z/real.txt';
            assert.ok(hard.visibleOutput.split('\n').includes(`'${other}' is another path to '${kept}': that file is uploaded once.`), hard.visibleOutput);
        });
    });

    describe('locked files', () => {
        for (const code of ['EPERM', 'EACCES']) {
            it(`a file held by another process (${code}) is tried 3 more times, 250 ms apart, then fails alone, in words`, async () => {
                scenario = await Scenario.start();
                scenario.artifacts.write('a.txt', 'alpha');
                const locked = scenario.artifacts.write('app.log', 'still open');

                const started = Date.now();
                const run = await scenario.run({ contents: '*' }, { environment: fsFaultEnvironment([{ path: locked, operation: 'open', code }]) });

                assert.ok(Date.now() - started >= 750, 'three waits of 250 ms');
                assert.equal(run.result, 'Failed');
                assert.match(run.resultMessage ?? '', new RegExp(`^1 of 2 file\\(s\\) were not uploaded:\\napp\\.log: the file is locked by another process, or the agent may not read it \\(${code}, on each of 4 attempts\\)`));
                await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
            });
        }
    });

    describe('lost replies', () => {
        it('starts a file again as a new attachment at most twice, with a warning each time, then fails it alone', async () => {
            scenario = await Scenario.start({ chunkReplay: 'reject' });
            scenario.artifacts.write('one.bin', binaryContent(100, 41));
            scenario.artifacts.write('other.txt', 'other');
            // Every attempt: the chunk's connection breaks once its body is sent, and its resend is refused for a reason
            // other than "already complete", so the server's state cannot be trusted.
            for (let nth = 1; nth <= 8; nth++) {
                scenario.emulator.addFault({
                    method: 'PUT',
                    match: (request) => request.query.fileName === 'one.bin',
                    nth,
                    action: nth % 2 === 1 ? { kind: 'reset', afterBytes: 100 } : { kind: 'status', status: 400, body: { message: 'TF900010: The chunk was rejected.', typeKey: 'InvalidChunkException' } },
                });
            }

            const run = await scenario.run({ contents: '*', uploadType: 'chunked', chunkSizeMB: '1' });

            assert.equal(run.result, 'Failed');
            assert.deepEqual(
                run.warnings.map((warning) => /\(restart (\d) of (\d)\)/.exec(warning)?.slice(1).join(' of ')),
                ['1 of 2', '2 of 2'],
            );
            assert.match(
                run.resultMessage ?? '',
                /^1 of 2 file\(s\) were not uploaded:\none\.bin: the server's answers to the chunks did not match what was sent, even after starting the file again as a new attachment 2 time\(s\) \(HTTP 400: TF900010: The chunk was rejected\.\)\. No complete copy of it is linked; run the pipeline again\.$/,
            );
            assert.equal(creates().filter((request) => request.query.fileName === 'one.bin').length, 3, 'the first start and two restarts');
            assert.deepEqual(scenario.emulator.attachments().filter((attachment) => attachment.complete).map((attachment) => attachment.fileName), ['other.txt']);
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['other.txt']);
        });
    });

    describe('waits', () => {
        it('a Retry-After on a success holds back the requests that start after it, since throttling is per identity', async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('b.txt', 'beta');
            scenario.emulator.addFault({ method: 'POST', match: (request) => request.query.fileName === 'a.txt', action: { kind: 'headers', headers: { 'Retry-After': '1' } } });

            const run = await scenario.run({ contents: '*.txt', concurrency: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const [first, second] = creates();
            assert.deepEqual([first.query.fileName, first.status, second.query.fileName, second.status], ['a.txt', 201, 'b.txt', 201]);
            assert.ok(second.receivedAtMs - first.endedAtMs >= 900, `b.txt started ${Math.round(second.receivedAtMs - first.endedAtMs)} ms after the Retry-After`);
        });
    });

    describe('troubleshooting', () => {
        it("a 403 on a create names the area path (the project's root area when none is given) and the permission, fails only that file, and stops nothing", async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('b.txt', 'b');
            scenario.emulator.addFault({
                method: 'POST',
                match: (request) => request.query.fileName === 'a.txt',
                action: { kind: 'status', status: 403, body: { message: 'TF237111: You do not have permissions to save attachments in this area.', typeKey: 'WorkItemUnauthorizedAttachmentException' } },
            });

            const run = await scenario.run({ contents: '*.txt', concurrency: '1' });

            assert.equal(run.result, 'Failed');
            assert.match(
                run.resultMessage ?? '',
                /^1 of 2 file\(s\) were not uploaded:\na\.txt: the identity may not create attachments under area path 'the project's root area'\. Grant the pipeline's build identity .* the permission 'Edit work items in this node' on that area/,
            );
            await assertServerHoldsExactly(scenario, { 'b.txt': 'b' });
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['b.txt']);
        });
    });
});

describe('the Marketplace overview', () => {
    it("names each input in its table by the label task.json gives it, and marks exactly the advanced ones 'advanced'", () => {
        const task = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'task.json'), 'utf8')) as {
            inputs: { name: string; label: string; groupName?: string }[];
        };
        const overview = fs.readFileSync(path.join(REPO_ROOT, 'overview.md'), 'utf8');
        const rows = new Map<string, { label: string; advanced: boolean }>();
        for (const line of overview.split('\n')) {
            const row = /^\| `(\w+)` \((.+?)(, advanced)?\) \|/.exec(line);
            if (row) {
                rows.set(row[1], { label: row[2], advanced: row[3] !== undefined });
            }
        }
        assert.deepEqual(
            [...rows.keys()].sort(),
            task.inputs.map((input) => input.name).sort(),
            'every input has a row',
        );
        for (const input of task.inputs) {
            assert.deepEqual(rows.get(input.name), { label: input.label, advanced: input.groupName === 'advanced' }, input.name);
        }
    });
});
