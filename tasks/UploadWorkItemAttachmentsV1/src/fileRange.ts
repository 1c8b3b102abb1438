import * as fs from 'fs';
import { Readable, Transform, pipeline, type TransformCallback } from 'stream';
import type { ChunkRange } from './chunkRanges';
import { FileChangedError } from './errors';
import type { ArtifactFile } from './findArtifacts';
import type { RequestBody } from './attachmentClient';

/** Large reads keep syscalls and socket writes few; the benchmark compared 64 KiB (node's default) with this. */
export const READ_BUFFER_BYTES = 1024 * 1024;

/**
 * A request body that streams `range` of `file` from disk. The last buffer is held back until the file
 * has been checked again: if it changed, the body errors before its final bytes leave, so the server
 * never receives a complete, torn copy.
 */
export function fileRangeBody(file: ArtifactFile, range: ChunkRange, onBytes: (count: number) => void): RequestBody {
    const length = range.last - range.first + 1;
    return {
        length,
        open: (): Readable => {
            if (length === 0) {
                assertFileUnchanged(file);
                return Readable.from([]);
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
