import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { testCertificates, type EmulatorOptions, type FaultRequestInfo } from '../emulator';
import { ForwardProxy } from '../proxy/forwardProxy';
import { binaryContent, sha256 } from './fixtures';
import { PROJECT, Scenario, TOKEN, attachmentsOutput, failureOf } from './harness';
import { runTask, type TaskRun } from './taskRunner';

const MiB = 1024 * 1024;

const simplePost = (fileName?: string) => ({
    method: 'POST',
    path: '/_apis/wit/attachments',
    match: (req: FaultRequestInfo) => req.query.uploadType === 'Simple' && (fileName === undefined || req.query.fileName === fileName),
});

/**
 * The file is on the server exactly once as a complete attachment, byte for byte, and the outputs point at that
 * attachment. Incomplete attachments (a start whose chunks were abandoned) may remain: nothing links them, and
 * the service deletes them after about 30 days.
 */
async function assertStoredOnceAndOutput(scenario: Scenario, run: TaskRun, name: string, content: Buffer): Promise<void> {
    const complete = scenario.emulator.attachments().filter((attachment) => attachment.fileName === name && attachment.complete);
    assert.equal(complete.length, 1, `complete attachments named ${name}: ${complete.length}`);
    assert.equal(complete[0].sha256, sha256(content), `content of ${name}`);
    assert.equal(sha256(await scenario.emulator.download(complete[0].url)), sha256(content));
    const outputs = attachmentsOutput(run).filter((entry) => entry.name === name);
    assert.equal(outputs.length, 1, `${name} is once in the outputs`);
    assert.equal(outputs[0].id, complete[0].id, 'the outputs point at the complete attachment');
    assert.equal(outputs[0].url, complete[0].url);
}

/** A TCP server that accepts connections and never says a word: a silent proxy, or a "TLS" server that never answers the hello. */
async function startSilentServer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
    const sockets = new Set<net.Socket>();
    let accepted = 0;
    const server = net.createServer((socket) => {
        accepted += 1;
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        port: (server.address() as net.AddressInfo).port,
        connections: () => accepted,
        close: () =>
            new Promise<void>((resolve) => {
                sockets.forEach((socket) => socket.destroy());
                server.close(() => resolve());
            }),
    };
}

describe('end to end: hardening of the network (lost replies, hangs, early answers, waits, TLS and proxy)', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    async function start(options: EmulatorOptions = {}): Promise<Scenario> {
        scenario = await Scenario.start(options);
        return scenario;
    }

    describe('lost replies: the file still ends up stored intact and reported as uploaded', () => {
        // 'reject' loses the reply by dropping the connection after the commit; 'accept' by trickling the reply until the
        // watchdog gives up (the other way a reply is lost, and the one that hung before).
        const losses = { reject: { kind: 'lostReply' }, accept: { kind: 'trickle', intervalMs: 400 } } as const;

        for (const chunkReplay of ['reject', 'accept'] as const) {
            it(`on a middle chunk, with chunkReplay '${chunkReplay}'`, async () => {
                const s = await start({ chunkReplay });
                const content = binaryContent(3 * MiB, 31);
                s.artifacts.write('big.bin', content);
                s.emulator.addFault({ method: 'PUT', nth: 2, action: losses[chunkReplay], name: 'lost' });

                const run = await s.run({ contents: 'big.bin', chunkSizeMB: '1', stallTimeoutSeconds: '5' });

                assert.equal(run.result, 'Succeeded', run.stdout);
                const lost = s.uploadRequests().filter((request) => request.fault === 'lost');
                assert.equal(lost.length, 1);
                assert.equal(lost[0].committedStatus, 202, 'the server had committed the chunk');
                if (chunkReplay === 'reject') {
                    assert.match(run.visibleOutput, /^big\.bin \(chunk 2 of 3\): the reply to this chunk was lost, and the server refused it when it was sent again as one it already has; going on with the next chunk/m);
                } else {
                    assert.match(run.visibleOutput, /^big\.bin \(chunk 2 of 3\): attempt 1 of 6 failed, retrying in .*: stalled: the response was not complete within 5 s/m);
                }
                await assertStoredOnceAndOutput(s, run, 'big.bin', content);
                assert.equal(s.emulator.attachments().length, 1, 'no restart was needed');
            });

            it(`on the last chunk, with chunkReplay '${chunkReplay}'`, async () => {
                const s = await start({ chunkReplay });
                const content = binaryContent(3 * MiB - 5, 32);
                s.artifacts.write('big.bin', content);
                s.emulator.addFault({ method: 'PUT', nth: 3, action: losses[chunkReplay], name: 'lost' });

                const run = await s.run({ contents: 'big.bin', chunkSizeMB: '1', stallTimeoutSeconds: '5' });

                assert.equal(run.result, 'Succeeded', run.stdout);
                assert.equal(s.uploadRequests().find((request) => request.fault === 'lost')?.committedStatus, 201, 'the server had completed the attachment');
                if (chunkReplay === 'reject') {
                    assert.match(run.visibleOutput, /^big\.bin: the reply to the last chunk was lost, and the server says the attachment is already complete/m);
                }
                await assertStoredOnceAndOutput(s, run, 'big.bin', content);
                assert.equal(s.emulator.attachments().length, 1);
            });
        }

        it('starts the file again as a new attachment when the server refuses a resent chunk for another reason, and says so', async () => {
            const s = await start({ chunkReplay: 'reject' });
            const content = binaryContent(2 * MiB, 33);
            s.artifacts.write('big.bin', content);
            // The last chunk's connection breaks after its body went out; the resend is refused, and not as "already complete".
            s.emulator.addFault({ method: 'PUT', nth: 2, action: { kind: 'reset', afterBytes: MiB } });
            s.emulator.addFault({
                method: 'PUT',
                nth: 3,
                action: { kind: 'status', status: 400, body: { message: 'TF900010: The chunk was rejected: the upload state was lost.', typeKey: 'InvalidChunkException' } },
            });

            const run = await s.run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
            assert.match(run.warnings[0], /^big\.bin: the server's answers do not match what was sent \(HTTP 400: TF900010: The chunk was rejected: the upload state was lost\.\), so the file is uploaded again as a new attachment \(restart 1 of 2\)\./);
            await assertStoredOnceAndOutput(s, run, 'big.bin', content);
            const abandoned = s.emulator.attachments().filter((attachment) => !attachment.complete);
            assert.equal(abandoned.length, 1, 'the first start stays incomplete, linked nowhere');
        });

        it('on a simple upload, dropped or trickled: sent again as a new attachment, once in the outputs', async () => {
            const s = await start();
            const dropped = binaryContent(200_000, 34);
            const trickled = binaryContent(100, 35);
            s.artifacts.write('dropped.bin', dropped);
            s.artifacts.write('trickled.bin', trickled);
            s.emulator.addFault({ ...simplePost('dropped.bin'), action: { kind: 'lostReply' } });
            s.emulator.addFault({ ...simplePost('trickled.bin'), action: { kind: 'trickle', intervalMs: 400 } });

            const run = await s.run({ contents: '*.bin', stallTimeoutSeconds: '5' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            for (const [name, content] of [['dropped.bin', dropped], ['trickled.bin', trickled]] as const) {
                assert.match(run.visibleOutput, new RegExp(`^${name.replace('.', '\\.')}: the reply to the upload was lost, so the file was sent again as a new attachment\\.`, 'm'));
                const outputs = attachmentsOutput(run).filter((entry) => entry.name === name);
                assert.equal(outputs.length, 1, `${name} once in the outputs`);
                const stored = s.emulator.attachment(outputs[0].id);
                assert.ok(stored?.complete, 'the outputs point at a complete attachment');
                assert.equal(stored.sha256, sha256(content));
                // The first copy was committed before its reply was lost: an orphan the service deletes after 30 days.
                assert.equal(s.emulator.attachments().filter((attachment) => attachment.fileName === name).length, 2);
            }
        });
    });

    describe('no request can hang', () => {
        it('fails, naming the stall, when the proxy accepts and never answers CONNECT', async () => {
            const s = await start();
            const proxy = await startSilentServer();
            try {
                s.artifacts.write('a.txt', 'alpha');
                const started = Date.now();
                const run = await s.run({ contents: 'a.txt', stallTimeoutSeconds: '5', retries: '0' }, { variables: { 'Agent.ProxyUrl': `http://127.0.0.1:${proxy.port}` } });
                const elapsed = Date.now() - started;

                assert.equal(run.result, 'Failed');
                assert.match(failureOf(run, 'a.txt'), /^a\.txt: the connection stalled: no connection to the server was ready within 5 s \(the proxy's CONNECT or the TLS handshake through it got no answer\), 1 time\(s\) in a row\./);
                assert.ok(proxy.connections() >= 1, 'the proxy was asked');
                assert.ok(elapsed >= 5_000 && elapsed < 15_000, `took ${elapsed} ms`);
                assert.equal(s.emulator.requests.length, 0);
            } finally {
                await proxy.close();
            }
        });

        it('fails, naming the stall, when the server accepts TCP and never completes the TLS handshake', async () => {
            const silent = await startSilentServer();
            const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-artifacts-'));
            let run: TaskRun | undefined;
            try {
                fs.writeFileSync(path.join(temp, 'a.txt'), 'alpha');
                const started = Date.now();
                run = await runTask({
                    collectionUrl: `https://127.0.0.1:${silent.port}/org/`,
                    token: TOKEN,
                    projectName: PROJECT.name,
                    projectId: PROJECT.id,
                    inputs: { rootFolder: temp, contents: 'a.txt', stallTimeoutSeconds: '5', retries: '0' },
                });
                const elapsed = Date.now() - started;

                assert.equal(run.result, 'Failed', run.stdout);
                assert.match(failureOf(run, 'a.txt'), /^a\.txt: the connection stalled: no connection to the server was ready within 5 s \(the TCP connection or the TLS handshake got no answer\), 1 time\(s\) in a row\./);
                assert.ok(elapsed >= 5_000 && elapsed < 12_000, `took ${elapsed} ms`);
            } finally {
                await silent.close();
                fs.rmSync(temp, { recursive: true, force: true });
                if (run) {
                    fs.rmSync(run.tempDirectory, { recursive: true, force: true });
                }
            }
        });

        it('fails, naming the stall, when the response trickles in one byte at a time', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.emulator.addFault({ ...simplePost(), times: Infinity, action: { kind: 'trickle', intervalMs: 200 } });

            const started = Date.now();
            const run = await s.run({ contents: 'a.txt', stallTimeoutSeconds: '5', retries: '0' });
            const elapsed = Date.now() - started;

            assert.equal(run.result, 'Failed');
            assert.match(failureOf(run, 'a.txt'), /^a\.txt: the server stalled: its answer was not complete within 5 s of the request being sent, 1 time\(s\) in a row\./);
            assert.ok(elapsed >= 5_000 && elapsed < 12_000, `took ${elapsed} ms`);
        });
    });

    describe('early answers', () => {
        it('reports a 413 the server answered while the body was still being sent, not the reset that cut it and the body off', async () => {
            const s = await start();
            s.artifacts.write('big.bin', binaryContent(16 * MiB, 36));
            s.emulator.addFault({
                ...simplePost(),
                action: {
                    kind: 'status',
                    status: 413,
                    consumeBody: false,
                    early: 'cutShort',
                    body: { message: 'Request body too large for this front end.', typeKey: 'RequestEntityTooLargeException' },
                },
            });

            const run = await s.run({ contents: 'big.bin', uploadType: 'simple' });

            assert.equal(run.result, 'Failed');
            const failure = failureOf(run, 'big.bin');
            assert.match(failure, /HTTP 413: Request body too large for this front end\./);
            assert.doesNotMatch(failure, /EPIPE|ECONNRESET|network failed/);
            // A request answered early is recorded once its connection is gone.
            await s.emulator.stop();
            const request = s.uploadRequests()[0];
            assert.ok(request.bodyBytes < 16 * MiB, 'the server answered before reading the body');
        });

        it('says a simple upload over the server\'s simple limit is too large, with its size, and suggests chunked', async () => {
            const s = await start({ maxSimpleUploadBytes: MiB });
            s.artifacts.write('big.bin', binaryContent(3 * MiB, 37));

            const run = await s.run({ contents: 'big.bin', uploadType: 'simple' });

            assert.equal(run.result, 'Failed');
            assert.match(
                failureOf(run, 'big.bin'),
                /^big\.bin: the server refused the request as too large \(HTTP 413: TF900013: .*\)\. The file has 3\.00 MiB \(3,145,728 bytes\), too much for a simple upload .*set 'uploadType' to 'chunked', or to 'auto'/,
            );
            await s.emulator.stop();
            assert.deepEqual(s.uploadRequests().map((request) => request.status), [413], `a 413 is not retried: ${JSON.stringify(s.uploadRequests().map((r) => [r.seq, r.remotePort, r.bodyBytes, r.url]))}`);
            assert.equal(s.emulator.attachments().length, 0);
        });
    });

    describe('waits', () => {
        it('does not wait for X-RateLimit-Delay on a success: the server already delayed the request', async () => {
            const s = await start();
            s.artifacts.write('a.txt', 'alpha');
            s.artifacts.write('b.txt', 'beta');
            s.artifacts.write('c.txt', 'gamma');
            s.emulator.addFault({ ...simplePost(), times: Infinity, action: { kind: 'headers', headers: { 'X-RateLimit-Delay': '30', 'X-RateLimit-Resource': 'ATCPU' } } });

            const started = Date.now();
            const run = await s.run({ contents: '*.txt', concurrency: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.ok(Date.now() - started < 10_000, 'no request waited 30 s');
            assert.equal(s.uploadRequests().filter((request) => request.fault !== undefined).length, 3);
            assert.equal(attachmentsOutput(run).length, 3);
        });
    });

    describe('TLS and proxy settings', () => {
        it('names every way to trust a private root when the certificate is not trusted', async () => {
            const s = await start({ tls: { key: testCertificates.serverKey, cert: testCertificates.serverCert } });
            s.artifacts.write('a.txt', 'alpha');

            const run = await s.run({ contents: 'a.txt' });

            assert.equal(run.result, 'Failed');
            const failure = failureOf(run, 'a.txt');
            assert.match(failure, /the server's TLS certificate is not trusted/);
            assert.match(failure, /--sslcacert, or Agent\.CAInfo/);
            assert.match(failure, /NODE_EXTRA_CA_CERTS/);
            assert.match(failure, /on the Node24 handler, set the pipeline variable NODE_USE_SYSTEM_CA=1 to trust the Windows certificate store/);
        });

        it('ignores a bypass entry that is not a regular expression, with a warning naming it, and trims padded entries', async () => {
            const s = await start();
            const proxy = await ForwardProxy.start();
            try {
                s.artifacts.write('a.txt', 'alpha');
                const bypass = ['[unclosed', `   ^http://127\\.0\\.0\\.1:${s.emulator.port}/   `, '  '];

                const run = await s.run(
                    { contents: 'a.txt' },
                    { variables: { 'Agent.ProxyUrl': proxy.url, 'Agent.ProxyBypassList': JSON.stringify(bypass) } },
                );

                assert.equal(run.result, 'Succeeded', run.stdout);
                assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
                assert.match(run.warnings[0], /^The agent's proxy bypass list \(Agent\.ProxyBypassList\) has the entry '\[unclosed', which is not a valid regular expression \(.+\)\. It is ignored/);
                assert.deepEqual(proxy.requests, [], 'the padded entry matched once trimmed: everything went direct');
                assert.equal(attachmentsOutput(run).length, 1);
            } finally {
                await proxy.stop();
            }
        });
    });
});
