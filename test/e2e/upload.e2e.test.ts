import * as assert from 'assert/strict';
import { binaryContent } from './fixtures';
import { PROJECT, Scenario, TOKEN, assertServerHoldsExactly, attachmentsOutput } from './harness';

const MiB = 1024 * 1024;

describe('end to end: the bundled task against the emulator', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    describe('content', () => {
        const files: Record<string, Buffer | string> = {
            'notes.txt': 'release notes\r\nline two\n\u00e9t\u00e9 \u2713\n',
            'image.bin': binaryContent(300_000, 7),
            'empty.log': '',
            'big.dat': binaryContent(2 * MiB + 1, 9),
        };

        beforeEach(async () => {
            scenario = await Scenario.start();
            for (const [name, content] of Object.entries(files)) {
                scenario.artifacts.write(`out/${name}`, content);
            }
        });

        it('uploads text, binary, empty and multi-chunk files byte for byte and sets every output', async () => {
            const run = await scenario.run({ contents: 'out/**', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            await assertServerHoldsExactly(scenario, files);
            const outputs = attachmentsOutput(run);
            assert.deepEqual(outputs.map((entry) => entry.path), ['out/big.dat', 'out/empty.log', 'out/image.bin', 'out/notes.txt']);
            assert.deepEqual(outputs.map((entry) => entry.uploadType), ['chunked', 'simple', 'simple', 'simple']);
            assert.deepEqual(outputs.map((entry) => entry.size), [2 * MiB + 1, 0, 300_000, Buffer.byteLength(files['notes.txt'])]);
            assert.equal(run.outputs.AttachmentUrls, outputs.map((entry) => entry.url).join(';'));
            assert.equal(run.outputs.AttachmentUrl, outputs[0].url);
            assert.equal(run.outputs.AttachmentCount, '4');
            for (const entry of outputs) {
                assert.equal(scenario.emulator.attachment(entry.id)?.url, entry.url);
            }
        });

        it('sends a large file as an empty octet-stream POST, then in-order PUTs with exact Content-Range', async () => {
            await scenario.run({ contents: 'out/big.dat', chunkSizeMB: '1' });

            const requests = scenario.uploadRequests();
            const [start, ...chunks] = requests;
            assert.equal(start.method, 'POST');
            assert.equal(start.query.uploadType, 'Chunked');
            assert.equal(start.bodyBytes, 0);
            assert.equal(start.headers['content-type'], 'application/octet-stream');
            assert.equal(start.query.fileName, 'big.dat');
            assert.deepEqual(
                chunks.map((request) => [request.method, request.headers['content-range'], request.bodyBytes, request.status]),
                [
                    ['PUT', `bytes 0-${MiB - 1}/${2 * MiB + 1}`, MiB, 202],
                    ['PUT', `bytes ${MiB}-${2 * MiB - 1}/${2 * MiB + 1}`, MiB, 202],
                    ['PUT', `bytes ${2 * MiB}-${2 * MiB}/${2 * MiB + 1}`, 1, 201],
                ],
            );
            const id = scenario.emulator.attachments()[0].id;
            assert.ok(chunks.every((request) => request.path.endsWith(`/_apis/wit/attachments/${id}`)));
            assert.ok(requests.every((request) => request.path.startsWith(`/org/${PROJECT.id}/`)), 'uploads go to the pipeline project');
        });

        it('uploads a file of exactly one chunk simply, and chunks one byte more', async () => {
            scenario.artifacts.write('edge/exact.bin', binaryContent(MiB, 3));
            scenario.artifacts.write('edge/plus-one.bin', binaryContent(MiB + 1, 4));

            const run = await scenario.run({ contents: 'edge/*', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.name, entry.uploadType]), [['exact.bin', 'simple'], ['plus-one.bin', 'chunked']]);
        });

        it('logs one line per file with its size, upload type, time, speed and URL, and reports progress', async () => {
            const run = await scenario.run({ contents: 'out/**', chunkSizeMB: '1' });

            const bigLine = run.visibleOutput.split('\n').find((line) => line.startsWith('Uploaded out/big.dat'));
            assert.match(bigLine ?? '', /^Uploaded out\/big\.dat \(2\.00 MiB, chunked\) in \d+(\.\d\d s| ms) at [\d.]+ (MiB|KiB|GiB)\/s: http:\/\/127\.0\.0\.1:\d+\/org\/_apis\/wit\/attachments\/[0-9a-f-]+\?fileName=big\.dat$/);
            const progress = run.commands.filter((command) => command.command === 'task.setprogress').map((command) => Number(command.properties.value));
            assert.ok(progress.length >= 3, `progress updates: ${progress.join(',')}`);
            assert.deepEqual([...progress].sort((a, b) => a - b), progress, 'progress only grows');
            assert.equal(progress[progress.length - 1], 100);
        });
    });

    describe('names and matching', () => {
        beforeEach(async () => {
            scenario = await Scenario.start();
        });

        it('keeps names with spaces, #, %, &, ; and non-ASCII intact', async () => {
            const names = ['with space.txt', 'hash#1.txt', '100%.txt', 'a&b.txt', 'semi;colon.txt', 'r\u00e9sum\u00e9 \u65e5\u672c.txt'];
            const expected: Record<string, string> = {};
            for (const name of names) {
                expected[name] = `content of ${name}`;
                scenario.artifacts.write(name, expected[name]);
            }

            const run = await scenario.run({ contents: '*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            await assertServerHoldsExactly(scenario, expected);
            const outputs = attachmentsOutput(run);
            assert.deepEqual(outputs.map((entry) => entry.name).sort(), [...names].sort());
            assert.equal(run.outputs.AttachmentUrls.split(';').length, names.length, 'a ; in a name is escaped in its URL');
        });

        it('applies excludes and comments', async () => {
            scenario.artifacts.write('logs/app.log', 'a');
            scenario.artifacts.write('logs/debug.log', 'b');
            scenario.artifacts.write('logs/keep.txt', 'c');

            const run = await scenario.run({ contents: '# the logs\nlogs/**\n!logs/debug.log\n!**/*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['logs/app.log']);
        });

        for (const [mode, result, issue] of [
            ['warn', 'Succeeded', 'warning'],
            ['error', 'Failed', 'error'],
            ['ignore', 'Succeeded', undefined],
        ] as const) {
            it(`ifNoFilesFound=${mode}: ${result}${issue ? ` with a ${issue}` : ' quietly'}, outputs empty, nothing sent`, async () => {
                const run = await scenario.run({ contents: '**/*.zip', ifNoFilesFound: mode });

                assert.equal(run.result, result, run.stdout);
                const expectedIssues = issue === undefined ? [] : [`No files matched under '${scenario.artifacts.root}' for the patterns: **/*.zip`];
                assert.deepEqual(issue === 'warning' || issue === undefined ? run.warnings : run.errors, expectedIssues);
                assert.equal(run.outputs.AttachmentCount, '0');
                assert.equal(run.outputs.AttachmentUrls, '');
                assert.equal(scenario.emulator.requests.length, 0);
            });
        }
    });

    describe('faults', () => {
        beforeEach(async () => {
            scenario = await Scenario.start();
        });

        it('waits out a 429 with Retry-After, logs the retry, and stores the file once', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', action: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });

            const run = await scenario.run({ contents: '*.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.match(run.visibleOutput, /a\.txt: attempt 1 of 6 failed, retrying in 1\.00 s: HTTP 429: TF400733/m);
            const posts = scenario.uploadRequests();
            assert.deepEqual(posts.map((request) => request.status), [429, 201]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('retries a 503 on a chunk by resending only that chunk', async () => {
            const content = binaryContent(3 * MiB, 5);
            scenario.artifacts.write('big.bin', content);
            scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'status', status: 503 } });

            const run = await scenario.run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const puts = scenario.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(
                puts.map((request) => [request.headers['content-range'], request.status]),
                [
                    [`bytes 0-${MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 503],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${2 * MiB}-${3 * MiB - 1}/${3 * MiB}`, 201],
                ],
            );
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });

        it('survives a connection reset in the middle of a chunk', async () => {
            const content = binaryContent(2 * MiB + 100, 6);
            scenario.artifacts.write('big.bin', content);
            scenario.emulator.addFault({ method: 'PUT', nth: 1, action: { kind: 'reset', afterBytes: 300_000 } });

            const run = await scenario.run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.match(run.visibleOutput, /big\.bin \(chunk 1 of 3\): attempt 1 of 6 failed/);
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });
    });

    describe('failures the user must act on', () => {
        it('names the identity and the permissions when the token is refused, and stops after the first file', async () => {
            scenario = await Scenario.start({ token: 'a-different-token' });
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('b.txt', 'b');

            const run = await scenario.run({ contents: '*.txt', concurrency: '1' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /2 of 2 file\(s\) were not uploaded/);
            assert.match(run.resultMessage ?? '', /the server refused the token \(HTTP 401\)\. Check that the pipeline's build identity \('Fabrikam Build Service \(127\.0\.0\.1:\d+\/org\)'/);
            assert.match(run.resultMessage ?? '', /'Edit work items in this node'/);
            assert.match(run.resultMessage ?? '', /b\.txt: not attempted/);
            assert.equal(scenario.emulator.attachments().length, 0);
        });

        it('names the area path and the permission when the area is denied', async () => {
            scenario = await Scenario.start({ deniedAreaPaths: ['Fabrikam\\Secret'] });
            scenario.artifacts.write('a.txt', 'a');

            const run = await scenario.run({ contents: '*.txt', areaPath: 'Fabrikam\\Secret' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /a\.txt: the identity may not create attachments under area path 'Fabrikam\\Secret'\. Grant the pipeline's build identity .* the permission 'Edit work items in this node'.*TF237111/);
        });

        it('fails only the file over the size limit, naming its size and the limit, and still outputs the others', async () => {
            scenario = await Scenario.start({ maxAttachmentBytes: 1 * MiB });
            scenario.artifacts.write('small.txt', 'small');
            scenario.artifacts.write('huge.bin', binaryContent(3 * MiB, 2));

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /1 of 2 file\(s\) were not uploaded:\nhuge\.bin: the file has 3\.00 MiB \(3,145,728 bytes\), more than the server accepts for one attachment: TF237082: .*\(1\.000 MB\(s\)\)/);
            assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path), ['small.txt']);
            assert.equal(run.outputs.AttachmentCount, '1');
            assert.deepEqual(run.errors, [run.resultMessage], 'one error issue: the summary');
            assert.match(run.visibleOutput, /^huge\.bin: the file has 3\.00 MiB/m, 'the failure is logged when it happens');
        });

        it('negotiates down to an Azure DevOps Server 2019 (api-version 5.0)', async () => {
            scenario = await Scenario.start({ serverVersion: '5.0' });
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('big.bin', binaryContent(MiB + 5, 8));

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const versions = new Set(scenario.uploadRequests().map((request) => request.apiVersion));
            assert.deepEqual([...versions], ['5.0']);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'a', 'big.bin': binaryContent(MiB + 5, 8) });
        });

        for (const [input, value, allowed] of [
            ['chunkSizeMB', 'abc', 'a whole number from 1 to 128'],
            ['chunkSizeMB', '0', 'a whole number from 1 to 128'],
            ['chunkSizeMB', '500', 'a whole number from 1 to 128'],
            ['concurrency', '33', 'a whole number from 1 to 32'],
            ['uploadType', 'fast', 'one of: auto, simple, chunked'],
        ] as const) {
            it(`rejects ${input}=${value} before sending anything`, async () => {
                scenario = await Scenario.start();
                scenario.artifacts.write('a.txt', 'a');

                const run = await scenario.run({ contents: '*.txt', [input]: value });

                assert.equal(run.result, 'Failed');
                assert.equal(run.resultMessage, `Input '${input}' is '${value}', but it must be ${allowed}.`);
                assert.equal(scenario.emulator.requests.length, 0);
            });
        }

        it('rejects a rootFolder that does not exist before sending anything', async () => {
            scenario = await Scenario.start();

            const run = await scenario.run({ contents: '*', rootFolder: '/no/such/folder' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /^Input 'rootFolder' is '\/no\/such\/folder', but no such folder exists/);
            assert.equal(scenario.emulator.requests.length, 0);
        });
    });

    describe('the connection', () => {
        it('reads the collection from the SystemVssConnection endpoint, not from a variable', async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'a');

            const run = await scenario.run({ contents: '*.txt' }, { variables: { 'System.TeamFoundationCollectionUri': 'http://127.0.0.1:9/elsewhere/' } });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.match(run.visibleOutput, new RegExp(`to ${scenario.emulator.collectionUrl.replace(/[.]/g, '\\.')}$`, 'm'));
        });

        it("uploads with a service connection's personal access token, at collection level when no project is given", async () => {
            const pat = 'service-connection-pat-77';
            scenario = await Scenario.start({ token: pat });
            scenario.artifacts.write('a.txt', 'from another organization');
            const id = '3f1c9e52-8a4b-4c1e-9d2f-6b7a8c9d0e1f';

            const run = await scenario.run(
                { contents: '*.txt', connection: id },
                {
                    token: 'the-pipeline-token-is-not-used',
                    environment: {
                        [`ENDPOINT_URL_${id}`]: scenario.emulator.collectionUrl,
                        [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters: { apitoken: pat }, scheme: 'Token' }),
                        [`ENDPOINT_AUTH_SCHEME_${id}`]: 'Token',
                        [`ENDPOINT_AUTH_PARAMETER_${id}_APITOKEN`]: pat,
                    },
                },
            );

            assert.equal(run.result, 'Succeeded', run.stdout);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'from another organization' });
            const uploads = scenario.uploadRequests();
            assert.ok(uploads.every((request) => request.headers.authorization === `Basic ${Buffer.from(`:${pat}`).toString('base64')}`));
            assert.ok(uploads.every((request) => request.path.startsWith('/org/_apis/wit/attachments')), 'collection level');
            assert.ok(!run.visibleOutput.includes(pat), 'the PAT is masked');
        });
    });

    describe('the token', () => {
        it('is registered as a secret, never printed outside debug lines, and sent only to the collection', async () => {
            scenario = await Scenario.start();
            scenario.artifacts.write('a.txt', 'a');
            scenario.artifacts.write('big.bin', binaryContent(MiB + 1, 1));
            scenario.emulator.addFault({ method: 'PUT', action: { kind: 'status', status: 500 } });

            const run = await scenario.run({ contents: '*', chunkSizeMB: '1', areaPath: 'Fabrikam' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.ok(run.commands.some((command) => command.command === 'task.setsecret' && command.message === TOKEN));
            const printed = run.stdout.split('\n').filter((line) => !line.startsWith('##vso[task.debug]') && !line.startsWith('##vso[task.setsecret]'));
            assert.ok(!printed.join('\n').includes(TOKEN), 'token in the visible output');
            assert.ok(!run.stderr.includes(TOKEN), 'token on stderr');
            assert.ok(!/authorization/i.test(printed.join('\n')), 'no header is logged');
            assert.ok(scenario.emulator.requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}`));
        });
    });
});

