import { FileChangedError } from '../http/errors';
import { closeDescriptor, openForReading, readAt, statOpen, statPath } from './fileDescriptors';
import { assertSameFile, retryWhileLocked } from './fileFingerprint';
import type { ArtifactFile } from '../find/findArtifacts';
import type { ReadBufferPool } from './readBuffers';

/** Bytes read at a position: `bytes` is a view of `buffer`, a buffer of the pool. */
export interface ReadBytes {
    readonly buffer: Buffer;
    readonly bytes: Buffer;
}

/**
 * The file behind one upload, opened once for all its chunks (and their retries) and closed when the upload ends:
 * every byte and every proof of one upload come from the same open file, whatever happens to its name meanwhile.
 *
 * When a chunk has been read, the first buffer of the next one is read ahead while the chunk's request waits for
 * its answer, so that the next request starts with its bytes at hand: chunks go one after another, and a read per
 * chunk (a trip through libuv's thread pool) on the way otherwise adds to every round trip. A read ahead is only
 * used for the exact position and length it read, and the proof of each chunk follows all of that chunk's reads,
 * read ahead or not, so a change to the file is found as before.
 */
export class OpenFile {
    private descriptor: Promise<number> | undefined;
    private readAhead: { readonly position: number; readonly length: number; readonly read: Promise<ReadBytes | undefined> } | undefined;
    /** Reads in flight: the descriptor is closed only once none is left, so no read can meet a reused descriptor number. */
    private reading = 0;
    private closing = false;
    /** A proof that failed after its chunk had gone out: every later read fails with it. */
    private failure: { readonly error: unknown } | undefined;

    constructor(
        readonly file: ArtifactFile,
        private readonly readBuffers: ReadBufferPool,
    ) {}

    get bufferBytes(): number {
        return this.readBuffers.bufferBytes;
    }

    /** `length` bytes (at most a buffer) from `position`: the read ahead when it is this one, a new read otherwise. */
    async read(position: number, length: number): Promise<ReadBytes> {
        if (this.failure) {
            throw this.failure.error;
        }
        const ahead = this.readAhead;
        if (ahead && ahead.position === position && ahead.length === length) {
            this.readAhead = undefined;
            const read = await ahead.read;
            if (read) {
                return read;
            }
        }
        return this.readAt(position, length);
    }

    /** Starts reading the first buffer from `position` (where the next chunk starts), unless the file ends there. */
    startReadAhead(position: number): void {
        const length = Math.min(this.bufferBytes, this.file.size - position);
        if (this.closing || length <= 0 || (this.readAhead?.position === position && this.readAhead.length === length)) {
            return;
        }
        this.dropReadAhead();
        // A read ahead that fails is simply not used: the chunk's own read meets the failure and reports it.
        const read = this.readAt(position, length).catch(() => undefined);
        this.readAhead = { position, length, read };
    }

    /**
     * Proves that the file is still the one that matched, unchanged: the open file (what was read) and the path (so
     * that a file deleted, or replaced by a rename, fails as such, as a file opened afresh for each chunk would).
     */
    async proveUnchanged(): Promise<void> {
        // Both stats settle before the descriptor may close.
        const [named, opened] = await this.inFlight(async () => {
            const fd = await this.open();
            return Promise.allSettled([retryWhileLocked(() => statPath(this.file.absolutePath), this.file, 'upload'), retryWhileLocked(() => statOpen(fd), this.file, 'upload')]);
        });
        assertSameFile(this.file, settledValue(named));
        assertSameFile(this.file, settledValue(opened));
    }

    /** Makes every later read fail with this error: the file did not prove unchanged. */
    failWith(error: unknown): void {
        this.failure ??= { error };
        this.dropReadAhead();
    }

    /** Gives back what was read ahead and never used, and closes the file once no read is in flight. */
    close(): void {
        this.closing = true;
        this.dropReadAhead();
        this.closeWhenIdle();
    }

    giveBack(buffer: Buffer): void {
        this.readBuffers.giveBack([buffer]);
    }

    /** Counted in flight from the first moment, so that a close meanwhile waits for it. */
    private readAt(position: number, length: number): Promise<ReadBytes> {
        return this.inFlight(async () => {
            const fd = await this.open();
            const buffer = this.readBuffers.take();
            try {
                const count = await retryWhileLocked(() => readAt(fd, buffer.subarray(0, length), position), this.file, 'upload');
                if (count === 0) {
                    throw new FileChangedError('resized', this.file.size);
                }
                return { buffer, bytes: buffer.subarray(0, count) };
            } catch (error) {
                // Never handed to a request: nothing else refers to it.
                this.readBuffers.giveBack([buffer]);
                throw error;
            }
        });
    }

    private open(): Promise<number> {
        if (this.closing) {
            return Promise.reject(new Error('the file of this upload is closed'));
        }
        this.descriptor ??= retryWhileLocked(() => openForReading(this.file.absolutePath), this.file, 'upload').catch((error: unknown) => {
            this.descriptor = undefined;
            throw error;
        });
        return this.descriptor;
    }

    /** Runs an operation on the descriptor; the count goes up before anything else happens. */
    private async inFlight<T>(operation: () => Promise<T>): Promise<T> {
        this.reading++;
        try {
            return await operation();
        } finally {
            this.reading--;
            if (this.closing) {
                this.closeWhenIdle();
            }
        }
    }

    private dropReadAhead(): void {
        const ahead = this.readAhead;
        this.readAhead = undefined;
        // Its buffer goes back once the read has finished writing into it.
        void ahead?.read.then((read) => read && this.readBuffers.giveBack([read.buffer]));
    }

    private closeWhenIdle(): void {
        if (this.reading > 0 || !this.descriptor) {
            return;
        }
        const descriptor = this.descriptor;
        this.descriptor = undefined;
        void descriptor.then(closeDescriptor, () => undefined);
    }
}

function settledValue<T>(result: PromiseSettledResult<T>): T {
    if (result.status === 'rejected') {
        throw result.reason;
    }
    return result.value;
}
