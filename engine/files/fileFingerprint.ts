import type { BigIntStats } from 'fs';
import { FileChangedError, FileLockedError, FileUnreadableError, isFileLocked, type FileActivity } from '../http/errors';

/**
 * What proves that the bytes read are those of the file that matched, unchanged. Size and mtime are not enough:
 * an atomic rename, `cp -p` or `rsync -t` brings another file with the same size and time, and Windows may delay
 * the last-write time until the writer closes its handle. The identity (device, inode or NTFS file ID, read as
 * BigInt since NTFS IDs pass 2^53) tells a replaced file; the change time, which `utimes` cannot set back, tells
 * a file rewritten in place.
 */
export interface FileFingerprint {
    readonly dev: bigint;
    readonly ino: bigint;
    readonly size: bigint;
    readonly mtimeNs: bigint;
    readonly ctimeNs: bigint;
}

/** Where the fingerprint is checked: the matched file's size and fingerprint. */
export interface FingerprintedFile {
    readonly size: number;
    readonly fingerprint: FileFingerprint;
}

export function fingerprintOf(stats: BigIntStats): FileFingerprint {
    return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

/** Throws when `stats` (of the open file, or of its path) are not those of the file as it matched. */
export function assertSameFile(file: FingerprintedFile, stats: BigIntStats, during: FileActivity = 'upload'): void {
    const expected = file.fingerprint;
    if (stats.dev !== expected.dev || stats.ino !== expected.ino) {
        throw new FileChangedError('replaced', file.size, Number(stats.size), during);
    }
    if (stats.size !== expected.size) {
        throw new FileChangedError('resized', file.size, Number(stats.size), during);
    }
    if (stats.mtimeNs !== expected.mtimeNs || stats.ctimeNs !== expected.ctimeNs) {
        throw new FileChangedError('modified', file.size, Number(stats.size), during);
    }
}

/** A locked file is tried this many more times, this far apart: an antivirus scan or a flush usually ends within a second. */
export const LOCK_RETRIES = 3;
export const LOCK_RETRY_DELAY_MS = 250;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs a file operation, again after a short wait while the file is locked; turns what is left into a file error. */
export async function retryWhileLocked<T>(operation: () => Promise<T>, file: FingerprintedFile, during: FileActivity): Promise<T> {
    for (let attempt = 1; ; attempt++) {
        try {
            return await operation();
        } catch (error) {
            if (!isFileLocked(error) || attempt > LOCK_RETRIES) {
                throw asFileError(error, file, during, attempt);
            }
            await sleep(LOCK_RETRY_DELAY_MS);
        }
    }
}

/** A read failure in words: deleted, locked, or unreadable. Errors that already are file errors pass through. */
export function asFileError(error: unknown, file: FingerprintedFile, during: FileActivity, attempts = 1): unknown {
    if (error instanceof FileChangedError || error instanceof FileLockedError || error instanceof FileUnreadableError) {
        return error;
    }
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (code === undefined) {
        return error;
    }
    if (code === 'ENOENT' || code === 'ENOTDIR') {
        return new FileChangedError('deleted', file.size, undefined, during);
    }
    if (isFileLocked(error)) {
        return new FileLockedError(code, attempts, during);
    }
    return new FileUnreadableError(code, (error as Error).message, during);
}
