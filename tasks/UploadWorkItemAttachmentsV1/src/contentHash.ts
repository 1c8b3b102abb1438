import { createHash } from 'crypto';
import * as fs from 'fs';
import { pipeline } from 'stream/promises';
import { READ_BUFFER_BYTES } from './fileRange';

/** The SHA-256 of a file, streamed: this is how a re-run recognises a file it attached before. */
export async function sha256OfFile(file: string): Promise<string> {
    const hash = createHash('sha256');
    await pipeline(fs.createReadStream(file, { highWaterMark: READ_BUFFER_BYTES }), hash);
    return hash.digest('hex');
}
