import * as assert from 'assert/strict';
import { randomBytes } from 'crypto';
import fs = require('fs');
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import sinon from 'sinon';
import { fileRangeBody } from '../../engine/files/fileRange';
import { OpenFile } from '../../engine/files/openFile';
import { ReadBufferPool } from '../../engine/files/readBuffers';
import { findArtifacts, type ArtifactFile } from '../../engine/find/findArtifacts';
import { FileChangedError } from '../../engine/http/errors';

const MiB = 1024 * 1024;

/** Reads a body to its end; resolves with its bytes, or rejects with the error that stopped it. */
async function consume(body: Readable | Buffer): Promise<Buffer> {
    if (Buffer.isBuffer(body)) {
        return body;
    }
    const parts: Buffer[] = [];
    for await (const part of body) {
        parts.push(Buffer.from(part as Buffer));
    }
    return Buffer.concat(parts);
}

describe('the open file of an upload', () => {
    let folder: string;
    let content: Buffer;
    let file: ArtifactFile;
    let pool: ReadBufferPool;

    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-open-file-'));
        content = randomBytes(2 * MiB + 1000);
        fs.writeFileSync(path.join(folder, 'big.bin'), content);
        file = findArtifacts(folder, ['big.bin'], { allowFilesOutsideRoot: false }).files[0];
        pool = new ReadBufferPool(MiB, 4);
    });

    afterEach(() => {
        sinon.restore();
        fs.rmSync(folder, { recursive: true, force: true });
    });

    const range = (first: number, last: number) => ({ first, last, total: content.length });

    it('opens the file once for all chunks, and has the next chunk read ahead once a chunk has been read', async () => {
        const open = sinon.spy(fs, 'open');
        const read = sinon.spy(fs, 'read');
        const source = new OpenFile(file, pool);
        const first = await consume(fileRangeBody(source, range(0, MiB - 1), () => undefined).open());
        const second = await consume(fileRangeBody(source, range(MiB, 2 * MiB - 1), () => undefined).open());
        source.close();

        assert.ok(first.equals(content.subarray(0, MiB)) && second.equals(content.subarray(MiB, 2 * MiB)), 'the chunks hold the file');
        assert.equal(open.callCount, 1);
        // The first chunk, the second read ahead, and the start of the third read ahead: no read of its own for the second.
        assert.deepEqual(
            read.getCalls().map((call) => (call.args as unknown[])[4]),
            [0, MiB, 2 * MiB],
        );
    });

    it('uses a read ahead only for its own position and length', async () => {
        const read = sinon.spy(fs, 'read');
        const source = new OpenFile(file, pool);
        source.startReadAhead(MiB);
        const other = await source.read(MiB + 1, 10);
        const ahead = await source.read(MiB, MiB);
        source.close();

        assert.ok(other.bytes.equals(content.subarray(MiB + 1, MiB + 11)));
        assert.ok(ahead.bytes.equals(content.subarray(MiB, 2 * MiB)));
        assert.equal(read.callCount, 2, 'the read ahead, and the read at another position');
    });

    it('still stops a chunk read ahead when the file changed after that read: the proof follows every read', async () => {
        const source = new OpenFile(file, pool);
        await consume(fileRangeBody(source, range(0, MiB - 1), () => undefined).open());
        // The second chunk's first buffer has been read ahead; now the file is rewritten in place, same size.
        await new Promise((resolve) => setTimeout(resolve, 20));
        const fd = fs.openSync(file.absolutePath, 'r+');
        fs.writeSync(fd, Buffer.alloc(10, 7), 0, 10, MiB + 5);
        fs.closeSync(fd);

        await assert.rejects(
            consume(fileRangeBody(source, range(MiB, content.length - 1), () => undefined).open()),
            (error: unknown) => error instanceof FileChangedError && error.reason === 'modified',
        );
        source.close();
    });

    it('proves a chunk before the last while its bytes go out, and a failed proof stops every later chunk', async () => {
        const source = new OpenFile(file, pool);
        const fd = fs.openSync(file.absolutePath, 'r+');
        fs.writeSync(fd, Buffer.alloc(10, 7), 0, 10, 5);
        fs.closeSync(fd);

        // The first chunk's bytes may leave before its proof fails: the server then holds an incomplete upload at most.
        await consume(fileRangeBody(source, range(0, MiB - 1), () => undefined).open()).catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 20));
        const read = sinon.spy(fs, 'read');
        await assert.rejects(
            consume(fileRangeBody(source, range(MiB, content.length - 1), () => undefined).open()),
            (error: unknown) => error instanceof FileChangedError && error.reason === 'modified',
        );
        assert.equal(read.callCount, 0, 'nothing more is read');
        source.close();
    });

    it('fails a file deleted during its upload as deleted, although it is still open', async () => {
        const source = new OpenFile(file, pool);
        // The first chunk's proof runs on while its bytes go out: the file is deleted only once it has settled, or that
        // proof could see the deletion half-way (the path still there, the open file's change time moved) as a change.
        const proofs: Promise<void>[] = [];
        const prove = source.proveUnchanged.bind(source);
        sinon.stub(source, 'proveUnchanged').callsFake(() => {
            const proof = prove();
            proofs.push(proof);
            return proof;
        });
        await consume(fileRangeBody(source, range(0, MiB - 1), () => undefined).open());
        await Promise.allSettled(proofs);
        fs.rmSync(file.absolutePath);

        await assert.rejects(
            consume(fileRangeBody(source, range(MiB, content.length - 1), () => undefined).open()),
            (error: unknown) => error instanceof FileChangedError && error.reason === 'deleted',
        );
        source.close();
    });

    it('gives an unused read ahead back to the pool, and closes the file only once that read is done', async () => {
        const giveBack = sinon.spy(pool, 'giveBack');
        const close = sinon.spy(fs, 'close');
        const source = new OpenFile(file, pool);
        await source.read(0, 10);
        // From now on a read takes 60 ms to finish.
        const realRead = fs.read;
        sinon.stub(fs, 'read').callsFake(((...args: unknown[]) => {
            const done = args.pop() as (...results: unknown[]) => void;
            (realRead as (...all: unknown[]) => void)(...args, (...results: unknown[]) => setTimeout(() => done(...results), 60));
        }) as typeof fs.read);
        source.startReadAhead(MiB);
        source.close();

        await new Promise((resolve) => setTimeout(resolve, 20));
        assert.equal(close.callCount, 0, 'not closed while the read ahead is in flight');
        assert.equal(giveBack.callCount, 0, 'its buffer not given back while the read writes into it');
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(close.callCount, 1);
        assert.equal(giveBack.callCount, 1);
        await assert.rejects(source.read(0, 10), /closed/);
    });
});
