import { createHash } from 'crypto';
import type { IncomingHttpHeaders } from 'http';
import type { Readable } from 'stream';
import { HttpError } from '../http/errors';

/** What node-api's `getAttachmentContent` resolves to: the raw response, whatever its status. */
export type AttachmentResponse = Readable & { readonly statusCode?: number; readonly headers: IncomingHttpHeaders };

/** Enough of an error body to show its message; the rest is not read. */
const ERROR_BODY_BYTES = 16 * 1024;

/**
 * The SHA-256 of a downloaded attachment when it has exactly `expectedSize` bytes, else undefined. Streamed and
 * hashed as it arrives, never held whole, and never read past `expectedSize` + 1 byte: an attachment that claims
 * the file's size but is larger costs no more than the file itself. A status outside 2xx is thrown as an HttpError.
 */
export async function sha256OfAttachment(response: AttachmentResponse, expectedSize: number): Promise<string | undefined> {
    const status = response.statusCode ?? 0;
    // node-api hands back 3xx (redirects are off), 203 sign-in pages and errors as a response like any other.
    if (status < 200 || status >= 300 || status === 203) {
        throw HttpError.fromResponse(status, response.headers, await readStart(response, ERROR_BODY_BYTES));
    }
    const declared = response.headers['content-length'];
    if (declared !== undefined && Number(declared) !== expectedSize) {
        response.destroy();
        return undefined;
    }
    const hash = createHash('sha256');
    let size = 0;
    // Leaving the loop early (return) destroys the response, so an oversized body is not read on.
    for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > expectedSize) {
            return undefined;
        }
        hash.update(chunk);
    }
    return size === expectedSize ? hash.digest('hex') : undefined;
}

async function readStart(response: Readable, limit: number): Promise<string> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of response as AsyncIterable<Buffer>) {
        parts.push(chunk);
        size += chunk.length;
        if (size >= limit) {
            break;
        }
    }
    return Buffer.concat(parts).subarray(0, limit).toString('utf8');
}
