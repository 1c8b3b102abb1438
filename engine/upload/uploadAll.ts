import type { ArtifactFile } from '../find/findArtifacts';

export interface FailedFile {
    readonly file: ArtifactFile;
    readonly error: unknown;
}

export interface UploadOutcome<T> {
    readonly uploaded: T[];
    readonly failed: FailedFile[];
    /** Files never started because an earlier failure would fail them all the same (a refused token, say). */
    readonly notStarted: ArtifactFile[];
}

export interface UploadAllOptions<T> {
    readonly concurrency: number;
    uploadOne(file: ArtifactFile): Promise<T>;
    /** Called as each file fails, so the log shows it when it happens. */
    onFailure(failure: FailedFile): void;
    /** A failure that every other file would hit too stops new files from starting. */
    stopsEverything(error: unknown): boolean;
}

/** Uploads up to `concurrency` files at once. One file's failure never stops the others, unless it would fail them all. */
export async function uploadAll<T>(files: readonly ArtifactFile[], options: UploadAllOptions<T>): Promise<UploadOutcome<T>> {
    const uploaded: T[] = [];
    const failed: FailedFile[] = [];
    let next = 0;
    let stopped = false;

    const worker = async (): Promise<void> => {
        while (!stopped && next < files.length) {
            const file = files[next++];
            try {
                uploaded.push(await options.uploadOne(file));
            } catch (error) {
                const failure = { file, error };
                failed.push(failure);
                options.onFailure(failure);
                stopped ||= options.stopsEverything(error);
            }
        }
    };

    const workerCount = Math.max(1, Math.min(options.concurrency, files.length));
    await Promise.all(Array.from({ length: workerCount }, worker));
    return { uploaded, failed, notStarted: files.slice(next) };
}
