import * as assert from 'assert/strict';
import * as fs from 'fs';
import type { EmulatorOptions, FaultRequestInfo } from '../emulator';
import { binaryContent, sha256 } from './fixtures';
import { PROJECT, Scenario, TOKEN, assertServerHoldsExactly, attachmentsOutput, failureOf, assertTokenNotPrinted, startOtherHost } from './harness';
import { runTask, type TaskRun } from './taskRunner';

/*
 * A review of "Attachments - Create" and the chunked upload against the ways FACTS.md says the service answers and
 * misbehaves, for the cases the other fault tests leave out: a 2xx without a body, a Retry-After on a success,
 * 401, 403, 404, 413 and a redirect on a chunk, resets and lost replies at the chunked start and the first chunk,
 * restarts that run out, a gateway's error page, a server that is down, a collection URL that is not a collection,
 * and the size limit on a simple upload. Each test checks the bytes on the server, the retries, the words and that
 * the other files succeed.
 */

const MiB = 1024 * 1024;

const attachmentsPost = (uploadType: 'Simple' | 'Chunked', fileName?: string) => ({
    method: 'POST',
    path: '/_apis/wit/attachments',
    match: (req: FaultRequestInfo) => req.query.uploadType === uploadType && (fileName === undefined || req.query.fileName === fileName),
});

/** The chunks of one file: their URL carries its name. `first`: only the chunk that starts at this byte. */
const chunkPut = (fileName: string, first?: number) => ({
    method: 'PUT',
    path: '/_apis/wit/attachments/',
    match: (req: FaultRequestInfo) =>
        req.query.fileName === fileName && (first === undefined || String(req.headers['content-range'] ?? '').startsWith(`bytes ${first}-`)),
});

function requestsFor(scenario: Scenario, fileName: string) {
    return scenario.uploadRequests().filter((request) => request.query.fileName === fileName);
}

/** The file's one complete attachment holds its bytes, and the outputs name that attachment, once. */
async function assertStoredOnceAndOutput(scenario: Scenario, run: TaskRun, name: string, content: Buffer): Promise<void> {
    const complete = scenario.emulator.attachments().filter((attachment) => attachment.fileName === name && attachment.complete);
    assert.equal(complete.length, 1, `complete attachments named ${name}: ${complete.length}`);
    assert.equal(sha256(await scenario.emulator.download(complete[0].url)), sha256(content), `content of ${name}`);
    const outputs = attachmentsOutput(run).filter((entry) => entry.name === name);
    assert.equal(outputs.length, 1, `${name} is once in the outputs`);
    assert.equal(outputs[0].id, complete[0].id, 'the outputs point at the complete attachment');
}

describe('end to end: review of the upload faults (create, chunks, limits)', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;
    const runs: TaskRun[] = [];

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
        runs.splice(0).forEach(assertTokenNotPrinted);
    });

    async function start(options: EmulatorOptions = {}): Promise<Scenario> {
        scenario = await Scenario.start(options);
        return scenario;
    }

    async function run(s: Scenario, inputs: Record<string, string>): Promise<TaskRun> {
        const result = await s.run(inputs);
        runs.push(result);
        return result;
    }

    describe('a 2xx without a body', () => {
        it('fails a simple create and a chunked start answered 2xx with no body, in words, without retrying; the others are uploaded', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('big.bin', binaryContent(2 * MiB, 41));
            s.artifacts.write('c.txt', 'gamma');
            // The create is committed, and a gateway drops the reply's body; the chunked start's 204 never carries one.
            s.emulator.addFault({ ...attachmentsPost('Simple', 'a.txt'), action: { kind: 'emptyReply' } });
            s.emulator.addFault({ ...attachmentsPost('Chunked', 'big.bin'), action: { kind: 'status', status: 204 } });

            const result = await run(s, { contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(result.resultMessage ?? '', /^2 of 3 file\(s\) were not uploaded/);
            assert.equal(
                failureOf(result, 'a.txt'),
                'a.txt: the server answered HTTP 201 with something that is not the JSON Azure DevOps sends (an empty body). ' +
                    "A proxy or gateway between the agent and the server may be answering instead; check the agent's proxy settings.",
            );
            assert.match(failureOf(result, 'big.bin'), /^big\.bin: the server answered HTTP 204 with something that is not the JSON Azure DevOps sends \(an empty body\)\. /);
            assert.equal(requestsFor(s, 'a.txt').length, 1, 'a 2xx is never retried: the server may have stored the file');
            assert.deepEqual(requestsFor(s, 'big.bin').map((request) => request.method), ['POST'], 'no chunk without a reference');
            assert.ok(!/attempt \d+ of \d+ failed/.test(result.visibleOutput), 'no retry was logged');
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['c.txt']);
            assert.equal(result.outputs.AttachmentCount, '1');
            await assertStoredOnceAndOutput(s, result, 'c.txt', Buffer.from('gamma'));
        });

        it('goes on through intermediate chunks answered 202 with no body, and stores the file intact', async () => {
            const s = await start();
            const content = binaryContent(3 * MiB + 7, 42);
            s.artifacts.write('big.bin', content);
            // Chunks 1 to 3 of 4 are committed and answered 202 without a body; the last one carries the reference.
            s.emulator.addFault({ method: 'PUT', times: 3, action: { kind: 'emptyReply' }, name: 'empty' });

            const result = await run(s, { contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            const puts = s.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(puts.map((request) => [request.status, request.bodyBytes, request.fault]), [
                [202, MiB, 'empty'],
                [202, MiB, 'empty'],
                [202, MiB, 'empty'],
                [201, 7, undefined],
            ]);
            assert.ok(!/attempt \d+ of \d+ failed/.test(result.visibleOutput), 'nothing was retried');
            await assertStoredOnceAndOutput(s, result, 'big.bin', content);
        });

        it('fails a chunked file whose last chunk is answered 201 with no body, without resending it; the others are uploaded', async () => {
            const s = await start();
            s.artifacts.write('big.bin', binaryContent(2 * MiB, 43));
            s.artifacts.write('small.txt', 'small');
            s.emulator.addFault({ ...chunkPut('big.bin', MiB), action: { kind: 'emptyReply' } });

            const result = await run(s, { contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'big.bin'), /^big\.bin: the server answered HTTP 201 with something that is not the JSON Azure DevOps sends \(an empty body\)\. A proxy or gateway/);
            assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'PUT').length, 2, 'the last chunk was not sent again');
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['small.txt']);
        });
    });

    describe('throttling headers', () => {
        it('holds the next request back for a Retry-After that comes on a success', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('b.txt', 'beta');
            s.emulator.addFault({ ...attachmentsPost('Simple', 'a.txt'), action: { kind: 'headers', headers: { 'Retry-After': '1' } } });

            const result = await run(s, { contents: '*.txt', concurrency: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            const [first, second] = s.uploadRequests();
            assert.equal(first.query.fileName, 'a.txt');
            const gap = second.receivedAtMs - first.endedAtMs;
            assert.ok(gap >= 900, `b.txt started ${Math.round(gap)} ms after a.txt's reply asked for 1 s`);
            assert.equal(result.warnings.length, 0, result.warnings.join('\n'));
            await assertServerHoldsExactly(s, { 'a.txt': 'alpha', 'b.txt': 'beta' });
        });

        it('waits the Retry-After of a 503 on a chunk, then resends only that chunk', async () => {
            const s = await start();
            const content = binaryContent(2 * MiB + 1, 44);
            s.artifacts.write('big.bin', content);
            s.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'status', status: 503, headers: { 'Retry-After': '1' } } });

            const result = await run(s, { contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^big\.bin \(chunk 2 of 3\): attempt 1 of 6 failed, retrying in 1\.00 s: HTTP 503: TF900050: Emulated failure \(HTTP 503\)\.$/m);
            const puts = s.uploadRequests().filter((request) => request.method === 'PUT');
            assert.deepEqual(puts.map((request) => request.status), [202, 503, 202, 201]);
            assert.match(result.visibleOutput, /^Result: 1 of 1 file\(s\) uploaded, .*, 1 retried request\(s\)\.$/m);
            await assertStoredOnceAndOutput(s, result, 'big.bin', content);
        });
    });

    describe('refusals of a chunk', () => {
        it('a chunk refused as too large (413, a front end\'s request limit) says to lower chunkSizeMB, not to upload in chunks', async () => {
            const s = await start();
            s.artifacts.write('big.bin', binaryContent(3 * MiB, 45));
            s.artifacts.write('small.txt', 'small');
            s.emulator.addFault({
                ...chunkPut('big.bin'),
                action: {
                    kind: 'status',
                    status: 413,
                    consumeBody: false,
                    early: 'complete',
                    body: { message: 'Request body too large for this front end.', typeKey: 'RequestEntityTooLargeException' },
                },
            });

            const result = await run(s, { contents: '*', chunkSizeMB: '2' });

            assert.equal(result.result, 'Failed');
            const failure = failureOf(result, 'big.bin');
            assert.equal(
                failure,
                "big.bin: the server, or a proxy or gateway in front of it, refused a chunk of 2.00 MiB (2,097,152 bytes) as too large (HTTP 413: Request body too large for this front end.). " +
                    "Set 'chunkSizeMB' below the size it accepts.",
            );
            assert.doesNotMatch(failure, /uploadType|simple upload/);
            await assertStoredOnceAndOutput(s, result, 'small.txt', Buffer.from('small'));
            // A request answered early is recorded once its connection is gone.
            await s.emulator.stop();
            assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'PUT').length, 1, 'a 413 is not retried');
        });

        it('a 401 on a chunk (the token expired mid-upload) names the token, stops new files, and outputs what was uploaded', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('big.bin', binaryContent(3 * MiB, 46));
            s.artifacts.write('c.txt', 'gamma');
            s.emulator.addFault({ ...chunkPut('big.bin', MiB), action: { kind: 'status', status: 401, body: { message: "TF400813: The user '' is not authorized to access this resource.", typeKey: 'UnauthorizedRequestException' } } });

            const result = await run(s, { contents: '*', chunkSizeMB: '1', concurrency: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'big.bin'), /^big\.bin: the server refused the token \(HTTP 401\)\. Check that the pipeline's build identity/);
            assert.match(failureOf(result, 'c.txt'), /^c\.txt: not attempted/);
            assert.deepEqual(
                requestsFor(s, 'big.bin').map((request) => [request.method, request.status]),
                [['POST', 202], ['PUT', 202], ['PUT', 401]],
                'a 401 is not retried',
            );
            assert.equal(requestsFor(s, 'c.txt').length, 0);
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['a.txt']);
            await assertStoredOnceAndOutput(s, result, 'a.txt', Buffer.from('alpha'));
        });

        it('a 403 on a chunk fails that file alone, naming the permission, without retrying', async () => {
            const s = await start();
            s.artifacts.write('big.bin', binaryContent(2 * MiB, 47));
            s.artifacts.write('small.txt', 'small');
            s.emulator.addFault({
                ...chunkPut('big.bin', MiB),
                action: { kind: 'status', status: 403, body: { message: 'TF237111: The current user does not have permissions to save work items under the specified area path.', typeKey: 'WorkItemUnauthorizedAccessException' } },
            });

            const result = await run(s, { contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'big.bin'), /^big\.bin: the identity may not create attachments under area path 'the project's root area'\. Grant the pipeline's build identity .* 'Edit work items in this node'.*TF237111/);
            assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'PUT').length, 2);
            await assertServerHoldsExactly(s, { 'small.txt': 'small' });
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['small.txt']);
        });

        it('a 404 on a chunk (the attachment is not found) fails that file alone with the server\'s words, without retrying', async () => {
            const s = await start();
            s.artifacts.write('big.bin', binaryContent(2 * MiB, 48));
            s.artifacts.write('small.txt', 'small');
            s.emulator.addFault({ ...chunkPut('big.bin', 0), action: { kind: 'status', status: 404, body: { message: 'TF900020: The attachment does not exist or its upload is not complete.', typeKey: 'AttachmentNotFoundException' } } });

            const result = await run(s, { contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.equal(failureOf(result, 'big.bin'), 'big.bin: the server rejected the upload (HTTP 404): TF900020: The attachment does not exist or its upload is not complete.');
            assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'PUT').length, 1);
            await assertServerHoldsExactly(s, { 'small.txt': 'small' });
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['small.txt']);
        });

        it('refuses a redirect of a chunk to another host, sends it nothing, and starts no further file', async () => {
            const s = await start();
            const other = await startOtherHost();
            try {
                s.artifacts.write('a.txt', 'alpha');
                s.artifacts.write('big.bin', binaryContent(2 * MiB, 49));
                s.artifacts.write('c.txt', 'gamma');
                s.emulator.addFault({
                    ...chunkPut('big.bin', MiB),
                    action: { kind: 'status', status: 307, headers: { Location: `${other.origin}/org/_apis/wit/attachments/x` }, body: '' },
                });

                const result = await run(s, { contents: '*', chunkSizeMB: '1', concurrency: '1' });

                assert.equal(result.result, 'Failed');
                assert.match(failureOf(result, 'big.bin'), new RegExp(`^big\\.bin: the server answered HTTP 307, a redirect to '${other.origin.slice('http://'.length)}'\\. The task does not follow redirects`));
                assert.match(failureOf(result, 'c.txt'), /^c\.txt: not attempted/);
                assert.deepEqual(other.seen, [], 'the other host got no request at all');
                assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'PUT').length, 2, 'a redirect is not retried');
                assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['a.txt']);
            } finally {
                await other.close();
            }
        });
    });

    describe('resets and lost replies at each stage', () => {
        it('resends a chunked start that was reset or whose reply was lost, and a last chunk reset mid-body; each file is stored once', async () => {
            const s = await start();
            const lost = binaryContent(2 * MiB + 3, 50);
            const reset = binaryContent(2 * MiB + 4, 51);
            const tail = binaryContent(2 * MiB + 5, 52);
            s.artifacts.write('lost.bin', lost);
            s.artifacts.write('reset.bin', reset);
            s.artifacts.write('tail.bin', tail);
            s.emulator.addFault({ ...attachmentsPost('Chunked', 'lost.bin'), action: { kind: 'lostReply' }, name: 'lost' });
            s.emulator.addFault({ ...attachmentsPost('Chunked', 'reset.bin'), action: { kind: 'reset' }, name: 'reset' });
            s.emulator.addFault({ ...chunkPut('tail.bin', 2 * MiB), action: { kind: 'reset', afterBytes: 1 }, name: 'reset-tail' });

            const result = await run(s, { contents: '*.bin', chunkSizeMB: '1' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^lost\.bin: attempt 1 of 6 failed, retrying in /m);
            assert.match(result.visibleOutput, /^reset\.bin: attempt 1 of 6 failed, retrying in /m);
            assert.match(result.visibleOutput, /^tail\.bin \(chunk 3 of 3\): attempt 1 of 6 failed, retrying in /m);
            assert.equal(result.visibleOutput.split('\n').filter((line) => / attempt \d+ of 6 failed, /.test(line)).length, 3, 'one retry each');
            assert.match(result.visibleOutput, /^Result: 3 of 3 file\(s\) uploaded, .*, 3 retried request\(s\)\.$/m);
            for (const [name, content] of [['lost.bin', lost], ['reset.bin', reset], ['tail.bin', tail]] as const) {
                await assertStoredOnceAndOutput(s, result, name, content);
            }
            // The start whose reply was lost was committed: an empty attachment linked nowhere, which the service deletes.
            const leftovers = s.emulator.attachments().filter((attachment) => !attachment.complete);
            assert.deepEqual(leftovers.map((attachment) => [attachment.fileName, attachment.size]), [['lost.bin', 0]]);
        });

        for (const chunkReplay of ['accept', 'reject'] as const) {
            it(`stores a file whose first chunk's reply was lost, with chunkReplay '${chunkReplay}'`, async () => {
                const s = await start({ chunkReplay });
                const content = binaryContent(2 * MiB + 9, 54);
                s.artifacts.write('big.bin', content);
                s.emulator.addFault({ method: 'PUT', nth: 1, action: { kind: 'lostReply' }, name: 'lost' });

                const result = await run(s, { contents: 'big.bin', chunkSizeMB: '1' });

                assert.equal(result.result, 'Succeeded', result.stdout);
                assert.equal(s.uploadRequests().find((request) => request.fault === 'lost')?.committedStatus, 202);
                assert.match(result.visibleOutput, /^big\.bin \(chunk 1 of 3\): attempt 1 of 6 failed, retrying in /m);
                if (chunkReplay === 'reject') {
                    // The resend of bytes 0.. is refused as one the server has; the 2nd chunk's acceptance proves it.
                    assert.match(result.visibleOutput, /^big\.bin \(chunk 1 of 3\): the reply to this chunk was lost, and the server refused it when it was sent again/m);
                }
                assert.equal(result.warnings.length, 0, result.warnings.join('\n'));
                await assertStoredOnceAndOutput(s, result, 'big.bin', content);
                assert.equal(s.emulator.attachments().length, 1, 'no restart was needed');
            });

            it(`stores a file of one chunk whose reply was lost, with chunkReplay '${chunkReplay}'`, async () => {
                const s = await start({ chunkReplay });
                const content = binaryContent(300_000, 55);
                s.artifacts.write('one.bin', content);
                s.emulator.addFault({ method: 'PUT', nth: 1, action: { kind: 'lostReply' }, name: 'lost' });

                const result = await run(s, { contents: 'one.bin', uploadType: 'chunked', chunkSizeMB: '1' });

                assert.equal(result.result, 'Succeeded', result.stdout);
                assert.equal(s.uploadRequests().find((request) => request.fault === 'lost')?.committedStatus, 201, 'the server had completed it');
                assert.equal(attachmentsOutput(result)[0].uploadType, 'chunked');
                await assertStoredOnceAndOutput(s, result, 'one.bin', content);
                assert.equal(s.emulator.attachments().length, 1);
            });
        }

        it('gives up after two restarts when the server keeps refusing resent chunks, in words; the other files are uploaded', async () => {
            const s = await start({ chunkReplay: 'reject' });
            s.artifacts.write('big.bin', binaryContent(2 * MiB, 56));
            s.artifacts.write('small.txt', 'small');
            // Each start's last chunk: the connection breaks once its body is out, and the resend is refused for another reason.
            const refusal = { message: 'TF900010: The chunk was rejected: the upload state was lost.', typeKey: 'InvalidChunkException' };
            for (let start = 0; start < 3; start++) {
                s.emulator.addFault({ ...chunkPut('big.bin', MiB), nth: 2 * start + 1, action: { kind: 'reset', afterBytes: MiB } });
                s.emulator.addFault({ ...chunkPut('big.bin', MiB), nth: 2 * start + 2, action: { kind: 'status', status: 400, body: refusal } });
            }

            const result = await run(s, { contents: '*', chunkSizeMB: '1' });

            assert.equal(result.result, 'Failed');
            assert.equal(
                failureOf(result, 'big.bin'),
                "big.bin: the server's answers to the chunks did not match what was sent, even after starting the file again as a new attachment 2 time(s) " +
                    '(HTTP 400: TF900010: The chunk was rejected: the upload state was lost.). No complete copy of it is linked; run the pipeline again.',
            );
            assert.deepEqual(
                result.warnings.map((warning) => /\(restart (\d) of 2\)/.exec(warning)?.[1]),
                ['1', '2'],
                result.warnings.join('\n'),
            );
            assert.equal(requestsFor(s, 'big.bin').filter((request) => request.method === 'POST').length, 3, 'started three times, no more');
            assert.ok(s.emulator.attachments().filter((attachment) => attachment.fileName === 'big.bin').every((attachment) => !attachment.complete));
            assert.match(result.visibleOutput, /, 3 retried request\(s\)\.$/m);
            await assertServerHoldsExactly(s, { 'small.txt': 'small' });
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['small.txt']);
        });

        it('retries the API negotiation when its connection is reset', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.emulator.addFault({ method: 'OPTIONS', path: '/_apis/wit', action: { kind: 'reset' } });

            const result = await run(s, { contents: 'a.txt' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.match(result.visibleOutput, /^wit API location: attempt 1 of 6 failed, retrying in /m);
            await assertStoredOnceAndOutput(s, result, 'a.txt', Buffer.from('alpha'));
        });
    });

    describe('status codes and their bodies', () => {
        it('after a 500 on a simple create, says the server failed (not that its reply was lost) when it logs the resend', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.emulator.addFault({ ...attachmentsPost('Simple'), times: 2, action: { kind: 'status', status: 500 } });

            const result = await run(s, { contents: 'a.txt' });

            assert.equal(result.result, 'Succeeded', result.stdout);
            assert.equal(result.visibleOutput.split('\n').filter((line) => /^a\.txt: attempt \d of 6 failed, retrying in .*: HTTP 500: /.test(line)).length, 2);
            assert.match(
                result.visibleOutput,
                /^a\.txt: the server failed \(HTTP 500\) on an attempt it may have stored, so the file was sent again as a new attachment\. If the server had stored the first copy, it is linked nowhere/m,
            );
            assert.doesNotMatch(result.visibleOutput, /reply to the upload was lost/);
            assert.match(result.visibleOutput, /, 2 retried request\(s\)\.$/m);
            await assertStoredOnceAndOutput(s, result, 'a.txt', Buffer.from('alpha'));
        });

        it("fails a file whose create keeps meeting a gateway's 502 page, naming the status, the page and the attempts", async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('b.txt', 'beta');
            const page = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';
            s.emulator.addFault({
                ...attachmentsPost('Simple', 'a.txt'),
                times: Infinity,
                action: { kind: 'status', status: 502, headers: { 'Content-Type': 'text/html' }, body: page },
            });

            const result = await run(s, { contents: '*.txt', retries: '1' });

            assert.equal(result.result, 'Failed');
            assert.equal(
                failureOf(result, 'a.txt'),
                "a.txt: the server failed (HTTP 502) on each of 2 attempt(s): an HTML page (text/html). Run the pipeline again later, or raise 'retries'; " +
                    "if it keeps failing, ask the server's administrator (on Azure DevOps Services, see https://status.dev.azure.com).",
            );
            assert.match(result.visibleOutput, /^a\.txt: attempt 1 of 2 failed, retrying in .*: HTTP 502: an HTML page \(text\/html\)$/m);
            assert.equal(requestsFor(s, 'a.txt').length, 2);
            await assertServerHoldsExactly(s, { 'b.txt': 'beta' });
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['b.txt']);
        });
    });

    describe('a server that is down', () => {
        it('fails every file in words, after the retries, without hanging', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('b.txt', 'beta');
            // Nothing listens on the collection's port any more: every connection is refused.
            await s.emulator.stop();

            const started = Date.now();
            const result = await run(s, { contents: '*.txt', retries: '1' });

            assert.equal(result.result, 'Failed');
            assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
            for (const name of ['a.txt', 'b.txt']) {
                assert.match(failureOf(result, name), new RegExp(`^${name.replace('.', '\\.')}: the network failed \\(ECONNREFUSED: .*\\) on each of 2 attempt\\(s\\)\\. Check that the agent can reach the server and its proxy settings\\.$`));
            }
            assert.match(result.visibleOutput, /^wit API location: attempt 1 of 2 failed, retrying in .*: connect ECONNREFUSED /m);
            assert.equal(result.outputs.AttachmentCount, '0');
            assert.deepEqual(attachmentsOutput(result), []);
        });
    });

    describe('a collection URL that is not a collection', () => {
        const notACollection =
            /: the server did not answer as an Azure DevOps collection: it names no location for its '\w+' REST API \(it answered "not found", a page that is not JSON, or nothing\)\. Check that the collection URL is the collection's own address/;

        it('fails in words, and starts no further file, when the collection URL answers 404', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('b.txt', 'beta');
            const result = await runTask({
                collectionUrl: `${s.emulator.origin}/no-such-collection/`,
                token: TOKEN,
                projectName: PROJECT.name,
                projectId: PROJECT.id,
                inputs: { rootFolder: s.artifacts.root, contents: '*.txt', concurrency: '1' },
            });
            runs.push(result);
            fs.rmSync(result.tempDirectory, { recursive: true, force: true });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), notACollection);
            assert.doesNotMatch(result.resultMessage ?? '', /Failed to find api location|e81700f7/);
            assert.match(failureOf(result, 'b.txt'), /^b\.txt: not attempted/);
            assert.ok(s.emulator.requests.every((request) => request.method === 'OPTIONS' && request.status === 404), 'nothing but the negotiation was sent');
            assert.equal(s.emulator.attachments().length, 0);
        });

        it('fails in words when something between answers the negotiation with a sign-in page (203)', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            const page = '<!DOCTYPE html><html><head><title>Sign In</title></head><body>Sign in to your account</body></html>';
            s.emulator.addFault({ method: 'OPTIONS', times: Infinity, action: { kind: 'status', status: 203, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: page } });

            const result = await run(s, { contents: 'a.txt' });

            assert.equal(result.result, 'Failed');
            assert.match(failureOf(result, 'a.txt'), notACollection);
            assert.equal(s.uploadRequests().length, 0);
        });
    });

    describe('size limits', () => {
        it('fails a simple upload over the attachment limit (400 TF237082) alone, naming its size and the limit, without retrying', async () => {
            const s = await start({ maxAttachmentBytes: MiB });
            s.artifacts.write('big.bin', binaryContent(MiB + MiB / 2, 53));
            s.artifacts.write('small.txt', 'small');

            const result = await run(s, { contents: '*', chunkSizeMB: '4' });

            assert.equal(result.result, 'Failed');
            assert.match(
                failureOf(result, 'big.bin'),
                /^big\.bin: the file has 1\.50 MiB \(1,572,864 bytes\), more than the server accepts for one attachment: TF237082: .*\(1\.000 MB\(s\)\).*Split or compress the file/,
            );
            assert.deepEqual(requestsFor(s, 'big.bin').map((request) => [request.query.uploadType, request.status]), [['Simple', 400]]);
            await assertServerHoldsExactly(s, { 'small.txt': 'small' });
            assert.deepEqual(attachmentsOutput(result).map((entry) => entry.path), ['small.txt']);
        });
    });
});
