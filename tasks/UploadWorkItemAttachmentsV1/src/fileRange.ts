import * as fs from 'fs';
import { Readable, Transform, pipeline, type TransformCallback } from 'stream';
import type { ChunkRange } from './chunkRanges';
import { FileChangedError } from './errors';
import type { ArtifactFile } from './findArtifacts';
import type { RequestBody } from './attachmentClient';

/** Large reads keep syscalls and socket writes few; the benchmark compared 64 KiB (node's default) with this. */
export const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * Bodies up to this size (node's own stream buffer) are read in one synchronous read and checked before the
 * request starts: for small files a stream's open, read and close, each a trip through libuv's thread pool, cost
 * more than the bytes (the benchmark's 2,000 files of 10 KB). Anything larger, every full chunk included, streams.
 */
export const WHOLE_READ_MAX_BYTES = 64 * 1024;

/**
 * A request body with `range` of `file`. A small range is read into memory and checked at once; a larger one
 * is streamed from disk, and its last buffer is held back until the file has been checked again. Either way, if
 * the file changed, the body fails before its final bytes leave, so the server never receives a complete, torn copy.
 */
export function fileRangeBody(file: ArtifactFile, range: ChunkRange, onBytes: (count: number) => void): RequestBody {
    const length = range.last - range.first + 1;
    return {
        length,
        open: (): Readable | Buffer => {
            if (length <= WHOLE_READ_MAX_BYTES) {
                const content = readRangeChecked(file, range, length);
                onBytes(content.length);
                return content;
            }
            const source = fs.createReadStream(file.absolutePath, { start: range.first, end: range.last, highWaterMark: READ_BUFFER_BYTES });
            const verifier = new HoldLastBufferUntilVerified(file, length, onBytes);
            pipeline(source, verifier, () => {
                // pipeline destroys the verifier with the source's error; the request sees it there.
            });
            return verifier;
        },
    };
}

/** The bytes of `range`, read synchronously (a page-cache copy), once the file has been found unchanged after the read. */
function readRangeChecked(file: ArtifactFile, range: ChunkRange, length: number): Buffer {
    const content = Buffer.allocUnsafe(length);
    if (length === 0) {
        assertFileUnchanged(file);
        return content;
    }
    let fd: number;
    try {
        fd = fs.openSync(file.absolutePath, 'r');
    } catch (error) {
        throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new FileChangedError('deleted', file.size) : error;
    }
    try {
        let received = 0;
        while (received < length) {
            const count = fs.readSync(fd, content, received, length - received, range.first + received);
            if (count === 0) {
                throw new FileChangedError('resized', file.size);
            }
            received += count;
        }
    } finally {
        fs.closeSync(fd);
    }
    assertFileUnchanged(file);
    return content;
}

/** Throws when the file is gone, or its size or modification time differ from when it was matched. */
export function assertFileUnchanged(file: ArtifactFile): void {
    let stats: fs.Stats;
    try {
        stats = fs.statSync(file.absolutePath);
    } catch {
        throw new FileChangedError('deleted', file.size);
    }
    if (stats.size !== file.size) {
        throw new FileChangedError('resized', file.size, stats.size);
    }
    if (stats.mtimeMs !== file.modifiedMs) {
        throw new FileChangedError('modified', file.size, stats.size);
    }
}

class HoldLastBufferUntilVerified extends Transform {
    private held: Buffer | undefined;
    private received = 0;

    constructor(private readonly file: ArtifactFile, private readonly expected: number, private readonly onBytes: (count: number) => void) {
        super();
    }

    override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
        this.received += chunk.length;
        const previous = this.held;
        this.held = chunk;
        if (previous) {
            this.onBytes(previous.length);
        }
        callback(null, previous);
    }

    override _flush(callback: TransformCallback): void {
        try {
            if (this.received !== this.expected) {
                throw new FileChangedError('resized', this.file.size);
            }
            assertFileUnchanged(this.file);
        } catch (error) {
            callback(error as Error);
            return;
        }
        if (this.held) {
            this.onBytes(this.held.length);
        }
        callback(null, this.held);
    }

    override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
        const code = (error as NodeJS.ErrnoException | null)?.code;
        callback(code === 'ENOENT' ? new FileChangedError('deleted', this.file.size) : error);
    }
}
