import type { IncomingHttpHeaders } from 'http';
import { textStart } from '../text/safeText';

/** The body Azure DevOps sends with a failed request: `message` is the part meant for people. */
interface ServerErrorBody {
    message?: string;
    typeKey?: string;
}

/** A response the task cannot use: any status outside 2xx, a 203 sign-in page, or a 2xx that is not the JSON we asked for. */
export class HttpError extends Error {
    override readonly name = 'HttpError';

    constructor(
        readonly status: number,
        readonly serverMessage: string,
        readonly typeKey: string | undefined,
        readonly headers: IncomingHttpHeaders,
    ) {
        super(`HTTP ${status}: ${serverMessage}`);
    }

    static fromResponse(status: number, headers: IncomingHttpHeaders, body: string): HttpError {
        const parsed = parseErrorBody(body);
        const message = parsed?.message ?? summarizeBody(headers, body);
        return new HttpError(status, message, parsed?.typeKey, headers);
    }

    /** The server's TF code (`TF237082` etc.), when its message carries one. */
    get tfCode(): string | undefined {
        return /\b(TF\d{5,6}|VS\d{6})\b/.exec(this.serverMessage)?.[1];
    }
}

/** A 2xx whose body is not the `{id, url}` JSON the protocol promises: never retried, since the server may have stored the file. */
export class UnexpectedResponseError extends Error {
    override readonly name = 'UnexpectedResponseError';

    constructor(readonly status: number, readonly bodyStart: string) {
        super(`HTTP ${status} with an unexpected body: ${bodyStart}`);
    }
}

/**
 * The server named no location for a REST API the task needs. node-api reads a 404, a 203 sign-in page or an answer
 * that is not JSON to its OPTIONS as "no locations", so the status is lost: the collection URL is not a collection,
 * or something answers in the server's place.
 */
export class ApiLocationMissingError extends Error {
    override readonly name = 'ApiLocationMissingError';

    constructor(readonly area: string, readonly locationId: string) {
        super(`the server names no location for its '${area}' REST API (${locationId})`);
    }
}

/** A 3xx: the task never follows a redirect, so that the token cannot reach another host. */
export class RedirectRefusedError extends Error {
    override readonly name = 'RedirectRefusedError';

    constructor(readonly status: number, readonly location: string) {
        super(`HTTP ${status} redirect to ${location}`);
    }
}

/** The connection failed, was reset, or went silent for longer than the stall timeout. */
export class NetworkError extends Error {
    override readonly name = 'NetworkError';

    constructor(readonly code: string, message: string) {
        super(message);
    }
}

/**
 * The watchdog aborted a request: `connect`, no connection was ready in time (TCP, the proxy's CONNECT, the TLS
 * handshake); `idle`, nothing moved while the body was being sent; `response`, the answer was not complete in time
 * after the body had been sent, however it trickled in.
 */
export class StallError extends NetworkError {
    constructor(
        readonly stage: 'connect' | 'idle' | 'response',
        readonly timeoutMs: number,
        readonly viaProxy = false,
        readonly secure = false,
    ) {
        super('ESTALLED', stallMessage(stage, timeoutMs / 1000, viaProxy, secure));
    }
}

function stallMessage(stage: StallError['stage'], seconds: number, viaProxy: boolean, secure: boolean): string {
    switch (stage) {
        case 'connect': {
            const steps = [viaProxy ? "the proxy's CONNECT" : 'the TCP connection', ...(secure ? ['the TLS handshake'] : [])].join(' and ');
            return `stalled: no connection was ready within ${seconds} s (${steps})`;
        }
        case 'idle':
            return `no data sent or received for ${seconds} s`;
        case 'response':
            return `stalled: the response was not complete within ${seconds} s of the request being sent`;
    }
}

/**
 * The server's answers to a chunked upload did not match what the task sent (after a lost reply), so the file was
 * started again as a new attachment, `restarts` times, and the last start met the same. `refusal` is the last answer.
 */
export class ChunkStateMismatchError extends Error {
    override readonly name = 'ChunkStateMismatchError';

    constructor(readonly refusal: unknown, readonly restarts: number) {
        super(`the server's state of the chunked upload does not match what was sent: ${refusal instanceof Error ? refusal.message : String(refusal)}`);
    }
}

/**
 * The server refused this request as such (a 4xx), with words of its own worth showing: not a refused token (401),
 * whose words are the same for every request and which the shared failure text explains.
 */
export function isRequestRefusal(error: unknown): error is HttpError {
    return error instanceof HttpError && error.status >= 400 && error.status < 500 && error.status !== 401;
}

/** A chunk refused for where it stands (its offset, a complete attachment, one still being received), not for its size or rights. */
export function isChunkRefusal(error: unknown): boolean {
    return error instanceof HttpError && (error.status === 400 || error.status === 409) && error.tfCode !== 'TF237082';
}

/** The refusal says the attachment is already complete, as a server that does not accept replays answers a resent last chunk. */
export function saysAttachmentComplete(error: unknown): boolean {
    return error instanceof HttpError && /\balready (been )?complete/i.test(error.serverMessage);
}

/**
 * A failure after which the server may have committed the request: the body may have reached it and only the reply
 * was lost (a reset, a stall while it answered, a gateway that gave up waiting). Not a connection that never
 * opened, a refused tunnel or throttling.
 */
export function mayHaveBeenCommitted(error: unknown): boolean {
    if (error instanceof HttpError) {
        return error.status === 500 || error.status === 502 || error.status === 504;
    }
    if (!(error instanceof NetworkError) || !isRetryable(error) || proxyRefusal(error) !== undefined) {
        return false;
    }
    return !(error instanceof StallError && error.stage === 'connect') && error.code !== 'ECONNREFUSED';
}

/**
 * A chunk refused as too large (413): the server, or a proxy or gateway in front of it, limits a request to less than
 * the chunk size. Unlike a simple upload's 413, the cure is smaller chunks.
 */
export class ChunkTooLargeError extends Error {
    override readonly name = 'ChunkTooLargeError';

    constructor(readonly refusal: HttpError, readonly chunkBytes: number) {
        super(refusal.message);
    }
}

/** A 429 that came after the run had spent its whole throttling budget: it fails its request without waiting. */
export class ThrottleBudgetSpentError extends Error {
    override readonly name = 'ThrottleBudgetSpentError';

    constructor(readonly throttled: HttpError, readonly budgetMs: number) {
        super(`${throttled.message} (the run has already waited ${budgetMs / 1000} s for throttling, its limit)`);
    }
}

/** What the task was doing with a file when it found it changed or could not read it. */
export type FileActivity = 'upload' | 'hashing';

/**
 * The file changed on disk between matching and the end of its upload (or of its hashing), so what reached the
 * server, or the hash, may be torn. `replaced`: another file now has its name (an atomic rename, a copy over it).
 */
export class FileChangedError extends Error {
    override readonly name = 'FileChangedError';

    constructor(
        readonly reason: 'deleted' | 'resized' | 'modified' | 'replaced',
        readonly expectedSize: number,
        readonly actualSize?: number,
        readonly during: FileActivity = 'upload',
    ) {
        super(`file ${reason} during ${during}`);
    }
}

/** Error codes of a file another process holds open (Windows sharing violations, antivirus scanners) or denies to the agent. */
const LOCKED_CODES = new Set(['EBUSY', 'EPERM', 'EACCES']);

/** True for a read or an open refused because another process holds the file: worth a few short retries. */
export function isFileLocked(error: unknown): boolean {
    return LOCKED_CODES.has(String((error as NodeJS.ErrnoException | null)?.code));
}

/** The file stayed locked (or unreadable to the agent) through every retry: it fails alone. */
export class FileLockedError extends Error {
    override readonly name = 'FileLockedError';

    constructor(readonly code: string, readonly attempts: number, readonly during: FileActivity) {
        super(`file locked (${code}) during ${during}`);
    }
}

/** Any other error reading a file (an I/O error, a folder where a file was): it fails alone. */
export class FileUnreadableError extends Error {
    override readonly name = 'FileUnreadableError';

    constructor(readonly code: string, readonly detail: string, readonly during: FileActivity) {
        super(`file unreadable (${code}) during ${during}: ${detail}`);
    }
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);

/** Connection failures that a later attempt can get past. Certificate and DNS-name errors fail the same way every time. */
const RETRYABLE_NETWORK_CODES = new Set([
    'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ESTALLED', 'EAI_AGAIN',
    'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'UND_ERR_SOCKET',
]);

/** Only throttling, server-side failures and broken connections are worth another try; everything else fails at once. */
export function isRetryable(error: unknown): boolean {
    if (error instanceof HttpError) {
        return RETRYABLE_STATUSES.has(error.status);
    }
    // Refused proxy credentials stay refused; a proxy that cannot reach the server (502, 503) may manage later.
    return error instanceof NetworkError && RETRYABLE_NETWORK_CODES.has(error.code) && proxyRefusal(error) !== 407;
}

/** True for the errors node's TLS layer raises when it cannot trust the server's certificate, or the server refuses the agent's. */
export function isCertificateError(error: unknown): boolean {
    return error instanceof NetworkError && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL_.*ALERT/.test(error.code);
}

/** True when the server ended the handshake over the agent's client certificate: none was sent, or it was not accepted. */
export function isClientCertificateRefused(error: unknown): boolean {
    return (
        error instanceof NetworkError &&
        /ALERT_(CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|CERTIFICATE_UNKNOWN|UNSUPPORTED_CERTIFICATE|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)$/.test(error.code)
    );
}

/**
 * The status a proxy answered a CONNECT with instead of opening the tunnel (407: it refused the agent's
 * proxy credentials). The `tunnel` agents of typed-rest-client and of our transport report it only in the message.
 */
export function proxyRefusal(error: unknown): number | undefined {
    if (!(error instanceof NetworkError)) {
        return undefined;
    }
    const match = /tunneling socket could not be established, statusCode=(\d{3})/.exec(error.message);
    return match ? Number(match[1]) : undefined;
}

/**
 * The wait the server asked for, in milliseconds: `Retry-After` (seconds or an HTTP date). `X-RateLimit-Delay` is
 * not a request to wait: it says how long the server already delayed this request (Microsoft's rate-limits page).
 */
export function retryAfterMs(headers: IncomingHttpHeaders, now: number = Date.now()): number | undefined {
    return parseRetryAfter(single(headers['retry-after']), now);
}

function parseRetryAfter(value: string | undefined, now: number): number | undefined {
    const seconds = parseSeconds(value);
    if (seconds !== undefined || value === undefined) {
        return seconds;
    }
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function parseSeconds(value: string | undefined): number | undefined {
    if (value === undefined || !/^\s*\d+(\.\d+)?\s*$/.test(value)) {
        return undefined;
    }
    return Math.round(Number(value) * 1000);
}

function single(value: string | string[] | undefined): string | undefined {
    return Array.isArray(value) ? value[0] : value;
}

function parseErrorBody(body: string): ServerErrorBody | undefined {
    try {
        const parsed: unknown = JSON.parse(body);
        if (parsed && typeof parsed === 'object' && typeof (parsed as ServerErrorBody).message === 'string') {
            return parsed as ServerErrorBody;
        }
    } catch {
        // Not JSON: an HTML page from a sign-in redirect or a proxy. summarizeBody describes it instead.
    }
    return undefined;
}

function summarizeBody(headers: IncomingHttpHeaders, body: string): string {
    const contentType = single(headers['content-type']) ?? 'no content type';
    if (/html/i.test(contentType)) {
        return `an HTML page (${contentType})`;
    }
    const text = body.replace(/\s+/g, ' ').trim();
    return text.length === 0 ? 'an empty body' : textStart(text, 200);
}
