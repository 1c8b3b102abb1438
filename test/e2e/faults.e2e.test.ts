import * as assert from 'assert/strict';
import * as fs from 'fs';
import type { FaultRequestInfo } from '../emulator';
import { binaryContent } from './fixtures';
import { Scenario, assertServerHoldsExactly, failureOf, assertTokenNotPrinted, startOtherHost } from './harness';
import type { TaskRun } from './taskRunner';

const MiB = 1024 * 1024;

const attachmentsPost = (uploadType: 'Simple' | 'Chunked') => ({
    method: 'POST',
    path: '/_apis/wit/attachments',
    match: (req: FaultRequestInfo) => req.query.uploadType === uploadType,
});

const forFile = (name: string) => (req: FaultRequestInfo) => req.query.fileName === name;

describe('end to end: faults (each file ends up on the server exactly once, or not at all)', function () {
    this.timeout(60_000);
    let scenario: Scenario;
    const runs: TaskRun[] = [];

    beforeEach(async () => {
        scenario = await Scenario.start();
    });

    afterEach(async () => {
        await scenario.stop();
        runs.splice(0).forEach(assertTokenNotPrinted);
    });

    async function run(inputs: Record<string, string>): Promise<TaskRun> {
        const result = await scenario.run(inputs);
        runs.push(result);
        return result;
    }

    describe('throttling (429)', () => {
        it('waits the Retry-After of a throttled chunk, then resends only that chunk', async () => {
            const content = binaryContent(3 * MiB, 11);
            scenario.artifacts.write('big.bin', content);
            scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });

            const result = await run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^big\.bin \(chunk 2 of 3\): attempt 1 of 6 failed, retrying in 1\.00 s: HTTP 429: TF400733/m);
            const puts = scenario.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(
                puts.map((request) => [request.headers['content-range'], request.status]),
                [
                    [`bytes 0-${MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 429],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${2 * MiB}-${3 * MiB - 1}/${3 * MiB}`, 201],
                ],
            );
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });

        it('does not wait the X-RateLimit-Delay of a 429 without Retry-After (the server already applied it), but backs off on its own', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), times: 2, action: { kind: 'status', status: 429, headers: { 'X-RateLimit-Delay': '30' } } });

            const started = Date.now();
            const result = await run({ contents: 'a.txt' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.ok(Date.now() - started < 10_000, 'no 30 s waits');
            const retries = result.visibleOutput.split('\n').filter((line) => line.includes(': HTTP 429'));
            assert.equal(retries.length, 2);
            // The task's own backoff: 0.5 to 1 s after the first attempt, 1 to 2 s after the second.
            assert.ok(retries.every((line) => /retrying in [0-2]\.\d\d s: /.test(line)), retries.join('\n'));
            assert.deepEqual(scenario.uploadRequests().map((request) => request.status), [429, 429, 201]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('waits out a 429 on the API negotiation as well', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.emulator.addFault({ method: 'OPTIONS', action: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });

            const result = await run({ contents: 'a.txt' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^wit API location: attempt 1 of 6 failed, retrying in 1\.00 s: HTTP 429: TF400733/m);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });

        it('gives up when throttling outlasts the retries, saying so and what to do, without looping', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), times: Infinity, action: { kind: 'status', status: 429, headers: { 'X-RateLimit-Delay': '0.2' } } });

            const result = await run({ contents: 'a.txt', retries: '2' });

            assert.equal(result.result, 'Failed');
            assert.match(
                failureOf(result, 'a.txt'),
                /^a\.txt: the server kept throttling the upload \(HTTP 429\) for all 3 attempt\(s\): TF400733: .*\. Run the pipeline later, lower 'concurrency', or raise 'retries'\.$/,
            );
            assert.deepEqual(scenario.uploadRequests().map((request) => request.status), [429, 429, 429]);
            assert.equal(scenario.emulator.attachments().length, 0);
        });
    });

    describe('server errors (5xx)', () => {
        it('retries bursts of 500 on a simple create and 503 on a chunked start, storing each file once', async () => {
            const big = binaryContent(2 * MiB + 3, 12);
            scenario.artifacts.write('small.txt', 'small');
            scenario.artifacts.write('big.bin', big);
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), times: 2, action: { kind: 'status', status: 500 } });
            scenario.emulator.addFault({ ...attachmentsPost('Chunked'), times: 2, action: { kind: 'status', status: 503 } });

            const result = await run({ contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            const posts = scenario.uploadRequests().filter((request) => request.method === 'POST');
            assert.deepEqual(posts.filter((request) => request.query.uploadType === 'Simple').map((request) => request.status), [500, 500, 201]);
            assert.deepEqual(posts.filter((request) => request.query.uploadType === 'Chunked').map((request) => request.status), [503, 503, 202]);
            await assertServerHoldsExactly(scenario, { 'small.txt': 'small', 'big.bin': big });
            assert.equal(scenario.emulator.attachments().length, 2, 'no attachment was started twice');
        });

        it('retries bursts of 503 and 500 on chunks, resending only the failed chunk', async () => {
            const content = binaryContent(3 * MiB, 13);
            scenario.artifacts.write('big.bin', content);
            scenario.emulator.addFault({ method: 'PUT', nth: 2, times: 2, action: { kind: 'status', status: 503 } });
            scenario.emulator.addFault({ method: 'PUT', nth: 5, action: { kind: 'status', status: 500 } });

            const result = await run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            const puts = scenario.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(
                puts.map((request) => [request.headers['content-range'], request.status]),
                [
                    [`bytes 0-${MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 503],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 503],
                    [`bytes ${MiB}-${2 * MiB - 1}/${3 * MiB}`, 202],
                    [`bytes ${2 * MiB}-${3 * MiB - 1}/${3 * MiB}`, 500],
                    [`bytes ${2 * MiB}-${3 * MiB - 1}/${3 * MiB}`, 201],
                ],
            );
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });

        it('fails the file with the status and the attempts when the errors outlast the retries', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), times: Infinity, action: { kind: 'status', status: 503 } });

            const result = await run({ contents: 'a.txt', retries: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), /^a\.txt: the server failed \(HTTP 503\) on each of 2 attempt\(s\): /);
            assert.equal(scenario.uploadRequests().length, 2);
            assert.equal(scenario.emulator.attachments().length, 0);
        });
    });

    describe('the network', () => {
        it('resends a simple upload and a chunk whose connections were reset mid-body', async () => {
            const simple = binaryContent(600_000, 14);
            const big = binaryContent(3 * MiB, 15);
            scenario.artifacts.write('simple.bin', simple);
            scenario.artifacts.write('big.bin', big);
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), action: { kind: 'reset', afterBytes: 200_000 } });
            scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'reset', afterBytes: 400_000 } });

            const result = await run({ contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^simple\.bin: attempt 1 of 6 failed, retrying in /m);
            assert.match(result.visibleOutput, /^big\.bin \(chunk 2 of 3\): attempt 1 of 6 failed, retrying in /m);
            const resets = scenario.uploadRequests().filter((request) => request.fault === 'reset');
            assert.equal(resets.length, 2);
            assert.ok(resets.every((request) => request.status === 0 && request.bodyBytes > 0), 'the resets came mid-body');
            await assertServerHoldsExactly(scenario, { 'simple.bin': simple, 'big.bin': big });
        });

        it('aborts a chunk the server stopped reading after stallTimeoutSeconds, and resends it', async function () {
            this.timeout(30_000);
            const content = binaryContent(3 * MiB, 16);
            scenario.artifacts.write('big.bin', content);
            scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'stall', afterBytes: 256 * 1024 } });

            const started = Date.now();
            const result = await run({ contents: 'big.bin', chunkSizeMB: '1', stallTimeoutSeconds: '5' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.ok(Date.now() - started >= 5_000, 'the watchdog waited the stall timeout');
            assert.match(result.visibleOutput, /^big\.bin \(chunk 2 of 3\): attempt 1 of 6 failed, retrying in .*: no data sent or received for 5 s/m);
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
            // A server that stopped reading does not notice the client hang up: the stalled request is recorded once the emulator stops.
            await scenario.emulator.stop();
            const stalled = scenario.uploadRequests().filter((request) => request.fault === 'stall');
            assert.equal(stalled.length, 1);
            assert.equal(stalled[0].status, 0);
            assert.ok(stalled[0].bodyBytes >= 256 * 1024 && stalled[0].bodyBytes < MiB, `the server stopped mid-body, at ${stalled[0].bodyBytes}`);
        });
    });

    describe('replies that are not what the protocol promises', () => {
        it('stops at a 203 sign-in page, naming the token, and attempts nothing more', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('b.txt', 'beta');
            const page = '<!DOCTYPE html><html><head><title>Sign In</title></head><body>Sign in to your account</body></html>';
            scenario.emulator.addFault({
                ...attachmentsPost('Simple'),
                action: { kind: 'status', status: 203, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page },
            });

            const result = await run({ contents: '*.txt', concurrency: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), /^a\.txt: the server refused the token \(HTTP 203\)\. Check that the pipeline's build identity/);
            assert.match(failureOf(result, 'b.txt'), /^b\.txt: not attempted/);
            assert.equal(scenario.uploadRequests().length, 1, 'a sign-in page is not retried');
            assert.equal(scenario.emulator.attachments().length, 0);
        });

        it('fails a file whose 2xx reply is not JSON, without retrying a request the server may have stored', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            scenario.artifacts.write('b.txt', 'beta');
            scenario.emulator.addFault({ ...attachmentsPost('Simple'), match: forFile('a.txt'), action: { kind: 'status', status: 201, body: 'OK, stored.' } });

            const result = await run({ contents: '*.txt' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), /^a\.txt: the server answered HTTP 201 with something that is not the JSON Azure DevOps sends \(OK, stored\.\)\. A proxy or gateway/);
            assert.equal(scenario.uploadRequests().filter((request) => request.query.fileName === 'a.txt').length, 1);
            await assertServerHoldsExactly(scenario, { 'b.txt': 'beta' });
        });

        it('fails a chunked file whose last chunk answers 201 with a body that is not JSON', async () => {
            scenario.artifacts.write('big.bin', binaryContent(2 * MiB, 17));
            scenario.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'status', status: 201, headers: { 'Content-Type': 'text/html' }, body: '<html>done</html>' } });

            const result = await run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'big.bin'), /^big\.bin: the server answered HTTP 201 with something that is not the JSON Azure DevOps sends \(<html>done<\/html>\)/);
            assert.equal(scenario.uploadRequests().filter((request) => request.method === 'PUT').length, 2);
        });

        it('refuses a redirect of an upload to another host, and never sends it the token', async () => {
            const other = await startOtherHost();
            try {
                scenario.artifacts.write('a.txt', 'alpha');
                scenario.emulator.addFault({
                    ...attachmentsPost('Simple'),
                    action: { kind: 'status', status: 302, headers: { Location: `${other.origin}/org/_apis/wit/attachments?fileName=a.txt` }, body: '' },
                });

                const result = await run({ contents: 'a.txt' });

                assert.equal(result.result, 'Failed');
                assert.match(failureOf(result, 'a.txt'), new RegExp(`^a\\.txt: the server answered HTTP 302, a redirect to '${other.origin.slice('http://'.length)}'\\. The task does not follow redirects, so the token is never sent to another host\\.`));
                assert.deepEqual(other.seen, [], 'the other host got no request at all');
                assert.equal(scenario.emulator.attachments().length, 0);
            } finally {
                await other.close();
            }
        });

        it('refuses a redirect of the API negotiation to another host, and never sends it the token', async () => {
            const other = await startOtherHost();
            try {
                scenario.artifacts.write('a.txt', 'alpha');
                scenario.emulator.addFault({ method: 'OPTIONS', times: Infinity, action: { kind: 'status', status: 302, headers: { Location: `${other.origin}/org/_apis/wit` }, body: '' } });

                const result = await run({ contents: 'a.txt' });

                assert.equal(result.result, 'Failed');
                assert.match(failureOf(result, 'a.txt'), /HTTP 302/);
                assert.deepEqual(other.seen, [], 'the other host got no request at all');
                // The negotiation's first two requests go out together (issue 11): neither is sent twice.
                const options = scenario.emulator.requests.filter((request) => request.method === 'OPTIONS').map((request) => request.path);
                assert.equal(new Set(options).size, options.length, `a redirect is not retried: ${options.join(', ')}`);
            } finally {
                await other.close();
            }
        });
    });

    describe('the file itself', () => {
        it('fails a file deleted between matching and its upload, and uploads the others', async () => {
            scenario.artifacts.write('a.txt', 'alpha');
            const doomed = scenario.artifacts.write('b.txt', 'beta');
            scenario.artifacts.write('c.txt', 'gamma');
            scenario.emulator.addFault({
                ...attachmentsPost('Simple'),
                match: (req) => {
                    if (req.query.fileName === 'a.txt') {
                        fs.rmSync(doomed, { force: true });
                        return true;
                    }
                    return false;
                },
                action: { kind: 'delay', ms: 50 },
            });

            const result = await run({ contents: '*.txt', concurrency: '1' });

            assert.equal(result.result, 'Failed');
            assert.equal(failureOf(result, 'b.txt'), 'b.txt: the file was deleted after it matched, so it was not uploaded.');
            assert.ok(!scenario.uploadRequests().some((request) => request.query.fileName === 'b.txt'), 'nothing was sent for b.txt');
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha', 'c.txt': 'gamma' });
        });

        const changes: [string, (file: string) => void, RegExp][] = [
            ['grows', (file) => fs.appendFileSync(file, 'more bytes'), /the file changed while it was being uploaded \(it had 3\.00 MiB/],
            ['shrinks', (file) => fs.truncateSync(file, 2 * MiB + 10), /the file changed while it was being uploaded \(it had 3\.00 MiB/],
            ['is rewritten with the same size', (file) => fs.writeFileSync(file, binaryContent(3 * MiB, 99)), /the file changed while it was being uploaded \(it had 3\.00 MiB/],
            ['is deleted', (file) => fs.rmSync(file), /the file was deleted after it matched/],
        ];
        for (const [change, mutate, message] of changes) {
            it(`stops a file that ${change} during its chunked upload, and stores no complete copy of it`, async () => {
                const file = scenario.artifacts.write('big.bin', binaryContent(3 * MiB, 18));
                scenario.artifacts.write('other.txt', 'other');
                // The second chunk's request arrives, the file changes on disk, and the server takes its time to answer.
                let puts = 0;
                scenario.emulator.addFault({
                    method: 'PUT',
                    match: () => {
                        puts += 1;
                        if (puts !== 2) {
                            return false;
                        }
                        mutate(file);
                        return true;
                    },
                    action: { kind: 'delay', ms: 100 },
                });

                const result = await run({ contents: '*', chunkSizeMB: '1' });

                assert.equal(result.result, 'Failed');
                assert.match(failureOf(result, 'big.bin'), message);
                const started = scenario.emulator.attachments().filter((attachment) => attachment.fileName === 'big.bin');
                assert.equal(started.length, 1);
                assert.equal(started[0].complete, false, 'no complete attachment holds a torn or mixed file');
                assert.ok(started[0].size < 3 * MiB);
                await assertServerHoldsExactly(scenario, { 'other.txt': 'other' });
            });
        }
    });
});
