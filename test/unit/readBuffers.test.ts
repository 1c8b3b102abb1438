import * as assert from 'assert/strict';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import sinon from 'sinon';
import { fileRangeBody } from '../../engine/files/fileRange';
import { OpenFile } from '../../engine/files/openFile';
import { ReadBufferPool } from '../../engine/files/readBuffers';
import { findArtifacts, type ArtifactFile } from '../../engine/find/findArtifacts';
import { NodeHttpTransport, type HttpRequest } from '../../engine/http/httpTransport';
import type { ChunkRange } from '../../engine/upload/chunkRanges';

const MiB = 1024 * 1024;

describe('ReadBufferPool', () => {
    it('hands out a buffer given back, and allocates when it has none', () => {
        const pool = new ReadBufferPool(16, 2);
        const first = pool.take();
        assert.equal(first.length, 16);
        pool.giveBack([first]);
        assert.equal(pool.take(), first);
        assert.notEqual(pool.take(), first);
    });

    it('keeps at most its spare count, and never a buffer of another size', () => {
        const pool = new ReadBufferPool(16, 2);
        const buffers = [pool.take(), pool.take(), pool.take()];
        pool.giveBack([...buffers, Buffer.alloc(8)]);
        const again = [pool.take(), pool.take(), pool.take()];
        assert.equal(again.filter((buffer) => buffers.includes(buffer)).length, 2);
        assert.ok(again.every((buffer) => buffer.length === 16));
    });
});

/**
 * The body of a request streamed from a file, through the real transport to a loopback server: its read buffers
 * go back to the pool only once the request has written them out, and a buffer used again never changes bytes
 * already sent.
 */
describe('read buffers lent to a streamed body', () => {
    let folder: string;
    let server: http.Server;
    let url: string;
    let transport: NodeHttpTransport;
    /** What the server does with a request: read it all and answer 201, or answer 413 at the first bytes and hang up. */
    let behaviour: 'read all' | 'refuse early';
    let received: Buffer[];

    beforeEach(async () => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-read-buffers-'));
        received = [];
        behaviour = 'read all';
        server = http.createServer((req, res) => {
            if (behaviour === 'refuse early') {
                req.once('data', () => {
                    res.writeHead(413, { connection: 'close' }).end('too large');
                    req.socket.destroy();
                });
                return;
            }
            const parts: Buffer[] = [];
            req.on('data', (part: Buffer) => parts.push(part));
            req.on('end', () => {
                received.push(Buffer.concat(parts));
                res.writeHead(201).end('{}');
            });
        });
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`;
        transport = new NodeHttpTransport({
            tokenOrigin: new URL(url).origin,
            authorization: 'Bearer test',
            stallTimeoutMs: 10_000,
            proxyFor: () => undefined,
            tls: { rejectUnauthorized: true },
            userAgent: 'test',
        });
    });

    afterEach(async () => {
        transport.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        fs.rmSync(folder, { recursive: true, force: true });
    });

    function fileOf(content: Buffer): ArtifactFile {
        fs.writeFileSync(path.join(folder, 'big.bin'), content);
        return findArtifacts(folder, ['big.bin'], { allowFilesOutsideRoot: false }).files[0];
    }

    /** Sends a range of the file; resolves with the memory of every buffer the body pushed, once the request has closed. */
    async function send(file: ArtifactFile, range: ChunkRange, pool: ReadBufferPool): Promise<{ status?: number; pushed: ArrayBufferLike[] }> {
        const source = new OpenFile(file, pool);
        const body = fileRangeBody(source, range, () => undefined);
        const pushed: ArrayBufferLike[] = [];
        let closed!: Promise<void>;
        const watchedBody: NonNullable<HttpRequest['body']> = {
            length: body.length,
            open: () => {
                const opened = body.open();
                assert.ok(opened instanceof Readable, 'a range this large streams');
                opened.on('data', (part: Buffer) => pushed.push(part.buffer));
                closed = new Promise((resolve) => opened.once('close', resolve));
                return opened;
            },
        };
        const status = await transport.send({ method: 'PUT', url, headers: {}, body: watchedBody }).then(
            (response) => response.status,
            () => undefined,
        );
        await closed;
        // The request's own 'close' follows the response: give it its turn.
        await new Promise((resolve) => setTimeout(resolve, 20));
        source.close();
        return { status, pushed };
    }

    it('uses the buffers of a request written out for the next one, and every body arrives as the file has it', async () => {
        const content = randomBytes(3 * MiB + 12_345);
        const file = fileOf(content);
        const pool = new ReadBufferPool(MiB, 4);
        const first = await send(file, { first: 0, last: 2 * MiB - 1, total: content.length }, pool);
        const second = await send(file, { first: 2 * MiB, last: content.length - 1, total: content.length }, pool);

        assert.deepEqual([first.status, second.status], [201, 201]);
        assert.ok(received[0].equals(content.subarray(0, 2 * MiB)), 'the first range arrives intact');
        assert.ok(received[1].equals(content.subarray(2 * MiB)), 'the second range arrives intact');
        assert.ok(
            second.pushed.some((memory) => first.pushed.includes(memory)),
            'the second request reads into memory the first one wrote out',
        );
    });

    it('does not take back buffers from a request that ended before writing them out', async () => {
        const content = randomBytes(4 * MiB);
        const file = fileOf(content);
        const pool = new ReadBufferPool(MiB, 8);
        const giveBack = sinon.spy(pool, 'giveBack');
        behaviour = 'refuse early';

        const refused = await send(file, { first: 0, last: content.length - 1, total: content.length }, pool);

        assert.ok(refused.pushed.length > 0, 'the body had started');
        const takenBack = giveBack.getCalls().flatMap((call) => call.args[0].map((buffer) => buffer.buffer));
        assert.deepEqual(
            takenBack.filter((memory) => refused.pushed.includes(memory)),
            [],
            'no buffer handed to the request came back',
        );
    });
});
