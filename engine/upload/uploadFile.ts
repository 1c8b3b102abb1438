import type { AttachmentClient, AttachmentReference, RequestBody } from './attachmentClient';
import { chunkRanges, rangeLength, type ChunkRange } from './chunkRanges';
import { WHOLE_READ_MAX_BYTES, assertFileUnchanged, fileRangeBody } from '../files/fileRange';
import type { ArtifactFile } from '../find/findArtifacts';
import { OpenFile } from '../files/openFile';
import type { ReadBufferPool } from '../files/readBuffers';
import type { UploadType } from '../settings';
import type { UploadProgress } from './progress';
import type { Clock, RetryPolicy } from '../http/retryPolicy';
import { ChunkStateMismatchError, ChunkTooLargeError, HttpError, isChunkRefusal, mayHaveBeenCommitted, saysAttachmentComplete } from '../http/errors';

export type UploadMethod = 'simple' | 'chunked';

export interface UploadedAttachment extends AttachmentReference {
    readonly file: ArtifactFile;
    readonly uploadType: UploadMethod;
    readonly elapsedMs: number;
}

export interface FileUploader {
    readonly client: AttachmentClient;
    readonly policy: RetryPolicy;
    readonly progress: UploadProgress;
    readonly clock: Pick<Clock, 'now'>;
    readonly chunkSizeBytes: number;
    readonly uploadType: UploadType;
    /** Where streamed bodies borrow their read buffers. */
    readonly readBuffers: ReadBufferPool;
    /** Told what the log should say in words when a reply was lost: the upload went on, finished or started again. */
    readonly report?: (notice: UploadNotice) => void;
}

/** What an upload did about a reply that was lost (the server committed the request, the task never heard). */
export type UploadNotice =
    /** A resent chunk was refused as one the server already has: the upload goes on with the next chunk. */
    | { readonly kind: 'chunkAlreadyReceived'; readonly file: ArtifactFile; readonly chunk: number; readonly chunks: number }
    /** The resent last chunk was refused because the attachment is complete: the reference of the start is the result. */
    | { readonly kind: 'attachmentAlreadyComplete'; readonly file: ArtifactFile }
    /** The server's answers do not match what was sent: the file starts again as a new attachment. */
    | { readonly kind: 'restarted'; readonly file: ArtifactFile; readonly restart: number; readonly maxRestarts: number; readonly reason: unknown }
    /**
     * A simple upload whose reply was lost was sent again as a new attachment; the first copy, if stored, is an orphan.
     * `status`: no reply was lost, the server (or its gateway) failed with this 5xx after it may have stored the file.
     */
    | { readonly kind: 'simpleResent'; readonly file: ArtifactFile; readonly status?: number };

/** How often a chunked file starts again as a new attachment when the server's state cannot be trusted. */
export const MAX_RESTARTS = 2;

/** `auto` chunks what does not fit in one chunk; an empty file always goes simple, since no `Content-Range` can describe it. */
export function chooseUploadMethod(size: number, uploadType: UploadType, chunkSizeBytes: number): UploadMethod {
    if (size === 0) {
        return 'simple';
    }
    if (uploadType === 'auto') {
        return size > chunkSizeBytes ? 'chunked' : 'simple';
    }
    return uploadType;
}

/** Uploads one file, retrying each request on its own: a retry resends one chunk, never the whole file. */
export async function uploadFile(file: ArtifactFile, uploader: FileUploader): Promise<UploadedAttachment> {
    const started = uploader.clock.now();
    const method = chooseUploadMethod(file.size, uploader.uploadType, uploader.chunkSizeBytes);
    // A body read whole is checked on its open file before the request starts (fileRangeBody): a stat of the path first
    // would only repeat that. A streamed body is checked before its last bytes leave; this stat fails it before the first.
    if (method === 'chunked' || file.size > WHOLE_READ_MAX_BYTES) {
        assertFileUnchanged(file);
    }
    const source = new OpenFile(file, uploader.readBuffers);
    let reference: AttachmentReference;
    try {
        reference = method === 'simple' ? await uploadSimple(source, uploader) : await uploadChunked(source, uploader);
    } finally {
        source.close();
    }
    return { ...reference, file, uploadType: method, elapsedMs: uploader.clock.now() - started };
}

async function uploadSimple(source: OpenFile, uploader: FileUploader): Promise<AttachmentReference> {
    const { file } = source;
    const whole: ChunkRange = { first: 0, last: file.size - 1, total: file.size };
    let replyLost = false;
    let serverFailure: number | undefined;
    const reference = await withProgress(uploader, source, whole, (body) =>
        uploader.policy.run(file.relativePath, () =>
            noteLostReply(uploader.client.createSimple(file.name, body), (error) => {
                replyLost = true;
                serverFailure ??= error instanceof HttpError ? error.status : undefined;
            }),
        ),
    );
    if (replyLost) {
        uploader.report?.({ kind: 'simpleResent', file, status: serverFailure });
    }
    return reference;
}

/**
 * A chunked upload, started again as a new attachment (at most MAX_RESTARTS times) when the server's answers
 * show that its state is not what the task sent. The abandoned attachment is linked nowhere, so the service
 * deletes it after about 30 days.
 */
async function uploadChunked(source: OpenFile, uploader: FileUploader): Promise<AttachmentReference> {
    const { file } = source;
    for (let restart = 0; ; restart++) {
        const counted = { bytes: 0 };
        try {
            return await uploadChunkedOnce(source, uploader, counted);
        } catch (error) {
            if (!(error instanceof ChunkStateMismatchError)) {
                throw error;
            }
            if (restart >= MAX_RESTARTS) {
                throw new ChunkStateMismatchError(error.refusal, restart);
            }
            uploader.progress.giveBack(counted.bytes);
            uploader.report?.({ kind: 'restarted', file, restart: restart + 1, maxRestarts: MAX_RESTARTS, reason: error.refusal });
        }
    }
}

/**
 * Chunks go strictly in order. When a chunk's reply is lost (a reset or a stall after the body went out), the resend
 * may be refused because the server already has it: the FACTS server accepts such a replay, another may refuse it.
 * Such a refusal of a middle chunk means "go on"; the next chunk's acceptance then proves the server had it
 * (it only accepts a chunk that starts where the received bytes end). A refusal of the last chunk that says the
 * attachment is complete means it is, with the bytes the task sent. Anything else means the server's state is not
 * what the task sent, and the file starts again.
 */
async function uploadChunkedOnce(source: OpenFile, uploader: FileUploader, counted: { bytes: number }): Promise<AttachmentReference> {
    const { file } = source;
    const { client, policy } = uploader;
    const started = await policy.run(file.relativePath, () => client.startChunked(file.name));
    const target = await client.chunkTarget(started, file.name);
    const ranges = chunkRanges(file.size, uploader.chunkSizeBytes);
    let reference = started;
    let assumedReceived = false;
    for (const [index, range] of ranges.entries()) {
        const operation = `${file.relativePath} (chunk ${index + 1} of ${ranges.length})`;
        const isLast = index === ranges.length - 1;
        let replyLost = false;
        try {
            reference = await withProgress(uploader, source, range, (body) =>
                policy.run(operation, () => noteLostReply(client.uploadChunk(target, range, body), () => (replyLost = true))),
            );
            counted.bytes += range.last - range.first + 1;
            assumedReceived = false;
            continue;
        } catch (error) {
            if (error instanceof HttpError && error.status === 413) {
                throw new ChunkTooLargeError(error, rangeLength(range));
            }
            if (!isChunkRefusal(error)) {
                throw error;
            }
            if (assumedReceived) {
                // The chunk before was only assumed received: this refusal says it was not.
                throw new ChunkStateMismatchError(error, 0);
            }
            if (!replyLost) {
                throw error;
            }
            if (isLast) {
                if (!saysAttachmentComplete(error)) {
                    throw new ChunkStateMismatchError(error, 0);
                }
                uploader.report?.({ kind: 'attachmentAlreadyComplete', file });
                return started;
            }
            uploader.report?.({ kind: 'chunkAlreadyReceived', file, chunk: index + 1, chunks: ranges.length });
            counted.bytes += range.last - range.first + 1;
            assumedReceived = true;
        }
    }
    return reference;
}

/** Notes a failure after which the server may have committed the request (its reply lost), then passes it on. */
async function noteLostReply<T>(attempt: Promise<T>, onLost: (error: unknown) => void): Promise<T> {
    try {
        return await attempt;
    } catch (error) {
        if (mayHaveBeenCommitted(error)) {
            onLost(error);
        }
        throw error;
    }
}

/** Counts the bytes of each attempt, and gives back those of an attempt that failed, so progress never passes 100 %. */
async function withProgress<T>(uploader: FileUploader, source: OpenFile, range: ChunkRange, send: (body: RequestBody) => Promise<T>): Promise<T> {
    let attemptBytes = 0;
    const body = fileRangeBody(source, range, (count) => {
        attemptBytes += count;
        uploader.progress.add(count);
    });
    const countedBody: RequestBody = {
        length: body.length,
        open: () => {
            uploader.progress.giveBack(attemptBytes);
            attemptBytes = 0;
            return body.open();
        },
    };
    try {
        return await send(countedBody);
    } catch (error) {
        uploader.progress.giveBack(attemptBytes);
        throw error;
    }
}
