import * as fs from 'fs';
import { Readable } from 'stream';
import type { ChunkRange } from '../upload/chunkRanges';
import { FileChangedError, isFileLocked } from '../http/errors';
import { asFileError, assertSameFile } from './fileFingerprint';
import type { ArtifactFile } from '../find/findArtifacts';
import type { RequestBody } from '../upload/attachmentClient';
import type { LendingBody } from '../http/httpTransport';
import type { OpenFile } from './openFile';

/** Large reads keep syscalls and socket writes few; the benchmark compared 64 KiB (node's default) with this. */
export const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * Bodies up to this size (node's own stream buffer) are read in one synchronous read and checked before the
 * request starts: for small files a stream's open, read and close, each a trip through libuv's thread pool, cost
 * more than the bytes (the benchmark's 2,000 files of 10 KB). Anything larger, every full chunk included, streams.
 */
export const WHOLE_READ_MAX_BYTES = 64 * 1024;

/**
 * A request body with `range` of the upload's file. A small range is read into memory from a file opened for it and
 * checked at once; a larger one is streamed from the upload's open file and checked after its last read. Either way
 * the file's last bytes leave only once it has proven to be the file that matched, unchanged (not replaced, resized
 * or rewritten), so the server never receives a complete, torn copy.
 */
export function fileRangeBody(source: OpenFile, range: ChunkRange, onBytes: (count: number) => void): RequestBody {
    const { file } = source;
    const length = range.last - range.first + 1;
    return {
        length,
        open: (): Readable | Buffer => {
            if (length <= WHOLE_READ_MAX_BYTES) {
                try {
                    const content = readRangeChecked(file, range, length);
                    onBytes(content.length);
                    return content;
                } catch (error) {
                    if (!isFileLocked(error)) {
                        throw asFileError(error, file, 'upload');
                    }
                    // Locked: the stream waits and tries again without blocking the other uploads.
                }
            }
            return new VerifiedRangeStream(source, range.first, length, onBytes);
        },
    };
}

/** The bytes of `range`, read synchronously (a page-cache copy), once the open file has proven unchanged: one fstat. */
function readRangeChecked(file: ArtifactFile, range: ChunkRange, length: number): Buffer {
    const content = Buffer.allocUnsafe(length);
    const fd = fs.openSync(file.absolutePath, 'r');
    try {
        let received = 0;
        while (received < length) {
            const count = fs.readSync(fd, content, received, length - received, range.first + received);
            if (count === 0) {
                throw new FileChangedError('resized', file.size);
            }
            received += count;
        }
        assertSameFile(file, fs.fstatSync(fd, { bigint: true }));
    } finally {
        fs.closeSync(fd);
    }
    return content;
}

/** Throws when the file at the path is gone, or is no longer the one that matched (identity, size, times). */
export function assertFileUnchanged(file: ArtifactFile): void {
    try {
        assertSameFile(file, fs.statSync(file.absolutePath, { bigint: true }));
    } catch (error) {
        throw asFileError(error, file, 'upload');
    }
}

/**
 * Streams `length` bytes of the upload's open file from `first`, proves the file unchanged after the range's last
 * read (see proveRead), then has the next chunk's first buffer read ahead. Its buffers are lent by the pool and go
 * back once the request has written them out. The upload that opened the file closes it.
 */
class VerifiedRangeStream extends Readable implements LendingBody {
    private position: number;
    private remaining: number;
    /** Buffers pushed to the request, to give back when it has written them out. */
    private lent: Buffer[] = [];

    constructor(
        private readonly source: OpenFile,
        first: number,
        length: number,
        private readonly onBytes: (count: number) => void,
    ) {
        super({ highWaterMark: source.bufferBytes });
        this.position = first;
        this.remaining = length;
    }

    override _read(): void {
        this.readNext().catch((error: unknown) => this.destroy(asFileError(error, this.source.file, 'upload') as Error));
    }

    private async readNext(): Promise<void> {
        const { source } = this;
        if (this.remaining === 0) {
            // An empty range (a locked empty file): only the proof.
            await source.proveUnchanged();
            if (!this.destroyed) {
                this.push(null);
            }
            return;
        }
        const { buffer, bytes } = await source.read(this.position, Math.min(this.remaining, source.bufferBytes));
        try {
            this.position += bytes.length;
            this.remaining -= bytes.length;
            if (this.remaining === 0) {
                await this.proveRead();
                source.startReadAhead(this.position);
            }
        } catch (error) {
            source.giveBack(buffer);
            throw error;
        }
        if (this.destroyed) {
            source.giveBack(buffer);
            return;
        }
        this.lent.push(buffer);
        this.onBytes(bytes.length);
        this.push(bytes);
        if (this.remaining === 0) {
            this.push(null);
        }
    }

    /**
     * The file's last bytes leave only once the file proves to be the one that matched, unchanged: the server never
     * completes a torn copy. A change at any time shows in that proof, since `utimes` cannot set a change time back. The proof
     * of a chunk before the last runs while its bytes go out, and stops the upload early when it fails (this chunk's
     * request if it is still sending, the next chunk's otherwise).
     */
    private async proveRead(): Promise<void> {
        const proof = this.source.proveUnchanged();
        if (this.position === this.source.file.size) {
            await proof;
            return;
        }
        proof.catch((error: unknown) => {
            this.source.failWith(error);
            this.destroy(asFileError(error, this.source.file, 'upload') as Error);
        });
    }

    requestClosed(allWrittenOut: boolean): void {
        if (allWrittenOut) {
            this.lent.forEach((buffer) => this.source.giveBack(buffer));
        }
        this.lent = [];
    }
}
