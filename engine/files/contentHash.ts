import { createHash } from 'crypto';
import { FileChangedError } from '../http/errors';
import { closeDescriptor, openForReading, readAt, statOpen } from './fileDescriptors';
import { assertSameFile, retryWhileLocked, type FingerprintedFile } from './fileFingerprint';
import { READ_BUFFER_BYTES } from './fileRange';

export interface HashableFile extends FingerprintedFile {
    readonly absolutePath: string;
}

/**
 * The SHA-256 of a file: this is how a re-run recognises a file it attached before. The hash is of the file as it
 * matched (same identity, size and change time), which is the file the upload then checks it sends. A locked file
 * is tried again a few times; a file that is locked, unreadable, deleted or changed throws a file error for it alone.
 */
export async function sha256OfFile(file: HashableFile): Promise<string> {
    const during = 'hashing';
    const fd = await retryWhileLocked(() => openForReading(file.absolutePath), file, during);
    try {
        const hash = createHash('sha256');
        const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(file.size, READ_BUFFER_BYTES)));
        let position = 0;
        while (position < file.size) {
            const count = await retryWhileLocked(() => readAt(fd, buffer, position), file, during);
            if (count === 0) {
                throw new FileChangedError('resized', file.size, position, during);
            }
            hash.update(buffer.subarray(0, count));
            position += count;
        }
        assertSameFile(file, await retryWhileLocked(() => statOpen(fd), file, during), during);
        return hash.digest('hex');
    } finally {
        closeDescriptor(fd);
    }
}
