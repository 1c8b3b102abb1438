import type { AttachmentClient, AttachmentReference, RequestBody } from './attachmentClient';
import { chunkRanges, type ChunkRange } from './chunkRanges';
import { assertFileUnchanged, fileRangeBody } from './fileRange';
import type { ArtifactFile } from './findArtifacts';
import type { UploadType } from './inputs';
import type { UploadProgress } from './progress';
import type { Clock, RetryPolicy } from './retryPolicy';

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
}

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
    assertFileUnchanged(file);
    const method = chooseUploadMethod(file.size, uploader.uploadType, uploader.chunkSizeBytes);
    const reference = method === 'simple' ? await uploadSimple(file, uploader) : await uploadChunked(file, uploader);
    return { ...reference, file, uploadType: method, elapsedMs: uploader.clock.now() - started };
}

function uploadSimple(file: ArtifactFile, uploader: FileUploader): Promise<AttachmentReference> {
    const whole: ChunkRange = { first: 0, last: file.size - 1, total: file.size };
    return withProgress(uploader, file, whole, (body) =>
        uploader.policy.run(file.relativePath, () => uploader.client.createSimple(file.name, body)),
    );
}

async function uploadChunked(file: ArtifactFile, uploader: FileUploader): Promise<AttachmentReference> {
    const { client, policy } = uploader;
    let reference = await policy.run(file.relativePath, () => client.startChunked(file.name));
    const ranges = chunkRanges(file.size, uploader.chunkSizeBytes);
    for (const [index, range] of ranges.entries()) {
        const operation = `${file.relativePath} (chunk ${index + 1} of ${ranges.length})`;
        const started = reference;
        reference = await withProgress(uploader, file, range, (body) =>
            policy.run(operation, () => client.uploadChunk(started, file.name, range, body)),
        );
    }
    return reference;
}

/** Counts the bytes of each attempt, and gives back those of an attempt that failed, so progress never passes 100 %. */
async function withProgress<T>(uploader: FileUploader, file: ArtifactFile, range: ChunkRange, send: (body: RequestBody) => Promise<T>): Promise<T> {
    let attemptBytes = 0;
    const body = fileRangeBody(file, range, (count) => {
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
