import { createHash, type Hash } from 'crypto';
import { STATUS_CODES, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'http';
import type { TLSSocket } from 'tls';
import { errorBody, sendError, sendJson, type ServiceError } from './errors';
import type { Headers, RecordedRequest } from './types';

/**
 * Counts and hashes the request body as the handlers read it, so the record says what actually
 * arrived without anyone keeping the bytes.
 */
export class BodyMeter {
    bytes = 0;
    private readonly hash: Hash = createHash('sha256');
    private ended = false;

    constructor(private readonly req: IncomingMessage) {}

    get complete(): boolean {
        return this.ended;
    }

    /**
     * Reads on until the body ends (resolves true) or until `stopAfter` bytes have been read in total
     * (resolves false, the stream left paused). Rejects when the connection breaks first.
     */
    read(onChunk?: (chunk: Buffer) => void, stopAfter?: number): Promise<boolean> {
        if (this.ended) {
            return Promise.resolve(true);
        }
        if (stopAfter !== undefined && this.bytes >= stopAfter) {
            return Promise.resolve(false);
        }
        const req = this.req;
        return new Promise<boolean>((resolve, reject) => {
            const cleanup = (): void => {
                req.off('data', onData);
                req.off('end', onEnd);
                req.off('error', onFailure);
                req.off('close', onFailure);
            };
            const onData = (chunk: Buffer): void => {
                this.bytes += chunk.length;
                this.hash.update(chunk);
                onChunk?.(chunk);
                if (stopAfter !== undefined && this.bytes >= stopAfter) {
                    req.pause();
                    cleanup();
                    resolve(false);
                }
            };
            const onEnd = (): void => {
                this.ended = true;
                cleanup();
                resolve(true);
            };
            const onFailure = (err?: Error): void => {
                cleanup();
                reject(err ?? new Error('the connection closed before the request body ended'));
            };
            req.on('data', onData);
            req.on('end', onEnd);
            req.on('error', onFailure);
            req.on('close', onFailure);
            req.resume();
        });
    }

    /** Reading it ends the meter, so call it only once the request is over. */
    digest(): string {
        return this.hash.digest('hex');
    }
}

/** One request/response pair with everything the router, the fault engine and the record need. */
export class Exchange {
    readonly method: string;
    readonly url: string;
    readonly path: string;
    readonly query: Record<string, string>;
    readonly headers: Headers;
    readonly apiVersion?: string;
    readonly body: BodyMeter;
    /** Read on arrival: a socket that is gone by the time the request is recorded no longer knows its peer. */
    readonly remotePort?: number;
    readonly receivedAtMs = performance.now();
    fault?: string;
    /** Set when a fault took the reply over after the request was handled. */
    committedStatus?: number;
    /** Set when the answer went out before the body was read (answerEarly). */
    earlyStatus?: number;
    /** Set by the listener that took the request. */
    host: 'main' | 'release' = 'main';

    constructor(
        readonly seq: number,
        readonly req: IncomingMessage,
        readonly res: ServerResponse,
    ) {
        this.method = (req.method ?? 'GET').toUpperCase();
        this.url = req.url ?? '/';
        const queryStart = this.url.indexOf('?');
        this.path = queryStart < 0 ? this.url : this.url.slice(0, queryStart);
        this.query = {};
        if (queryStart >= 0) {
            for (const [key, value] of new URLSearchParams(this.url.slice(queryStart + 1))) {
                this.query[key] = value;
            }
        }
        this.headers = req.headers;
        this.apiVersion = queryValue(this.query, 'api-version') ?? apiVersionFromAccept(req.headers.accept);
        this.body = new BodyMeter(req);
        this.remotePort = req.socket.remotePort;
    }

    /** Query names are case-insensitive on the service. */
    q(name: string): string | undefined {
        return queryValue(this.query, name);
    }

    header(name: string): string | undefined {
        const value = this.headers[name.toLowerCase()];
        return Array.isArray(value) ? value.join(', ') : value;
    }

    get contentLength(): number | undefined {
        const raw = this.header('content-length');
        return raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
    }

    /** Answers only once the body has been read, so a client still sending gets the response instead of a broken pipe. */
    async fail(error: ServiceError, headers: Record<string, string> = {}): Promise<void> {
        await this.body.read();
        sendError(this.res, error, headers);
    }

    async json(status: number, value: unknown, headers: Record<string, string> = {}): Promise<void> {
        await this.body.read();
        sendJson(this.res, status, value, headers);
    }

    /**
     * Answers at once, without reading the body, then resets the connection, as a front end that
     * refuses a request by its headers and hangs up does: the client, still sending, meets a reset after the answer.
     * The answer goes straight to the socket, so that node's server does not read (and discard) the rest of the body.
     */
    failEarly(error: ServiceError): void {
        const payload = Buffer.from(JSON.stringify(errorBody(error)), 'utf8');
        this.answerEarly(error.status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': String(payload.length) }, payload);
    }

    /** `cutShort`: the body goes out chunked, without the last chunk, so the answer never ends before the reset. */
    answerEarly(status: number, headers: OutgoingHttpHeaders, payload: Buffer, cutShort = false): void {
        this.earlyStatus = status;
        this.req.pause();
        const raw = cutShort
            ? Buffer.concat([
                  rawResponse(status, { ...withoutContentLength(headers), 'Transfer-Encoding': 'chunked' }, Buffer.alloc(0)),
                  Buffer.from(`${payload.length.toString(16)}\r\n`, 'latin1'),
                  payload,
                  Buffer.from('\r\n', 'latin1'),
              ])
            : rawResponse(status, headers, payload);
        // A reset right behind the answer could destroy it in the client's kernel before it is read: give it a moment.
        this.req.socket.write(raw, () => setTimeout(() => this.destroyConnection(), 100).unref());
    }

    /**
     * Lets the route handle the request (and commit it), but hands the reply it writes, as raw HTTP bytes, to
     * `deliver` instead of the client. Replies are written with writeHead(status, headers) and end(payload).
     */
    interceptReply(deliver: (raw: Buffer) => void): void {
        let status = 0;
        let headers: OutgoingHttpHeaders = {};
        // Replaced on this one response object only; the casts are the price of overriding overloaded methods.
        const res = this.res as unknown as { writeHead: unknown; end: unknown };
        res.writeHead = (code: number, given?: OutgoingHttpHeaders) => {
            status = code;
            headers = given ?? {};
            return this.res;
        };
        res.end = (payload?: Buffer | string) => {
            this.committedStatus = status;
            deliver(rawResponse(status, headers, payload === undefined ? Buffer.alloc(0) : Buffer.from(payload)));
            return this.res;
        };
    }

    /** Lets the route handle the request (and commit it), but sends its reply with the status it chose and no body. */
    emptyReply(): void {
        const res = this.res as unknown as { writeHead: unknown; end: unknown };
        const writeHead = this.res.writeHead.bind(this.res) as (code: number, given?: OutgoingHttpHeaders) => ServerResponse;
        const end = this.res.end.bind(this.res) as () => ServerResponse;
        res.writeHead = (code: number, given?: OutgoingHttpHeaders) => {
            this.committedStatus = code;
            const kept = Object.fromEntries(Object.entries(given ?? {}).filter(([name]) => !/^content-(length|type)$/i.test(name)));
            return writeHead(code, { ...kept, 'Content-Length': '0' });
        };
        res.end = () => end();
    }

    /** Tears the connection down without an answer, as a reset network path would. */
    destroyConnection(): void {
        const socket = this.req.socket;
        try {
            // An RST is what a client sees from a dropped connection; TLS sockets cannot send one and just close.
            socket.resetAndDestroy();
        } catch {
            socket.destroy();
        }
    }

    toRecord(): RecordedRequest {
        const socket = this.req.socket as Partial<TLSSocket>;
        return {
            seq: this.seq,
            method: this.method,
            url: this.url,
            path: this.path,
            query: this.query,
            headers: this.headers,
            apiVersion: this.apiVersion,
            bodyBytes: this.body.bytes,
            bodySha256: this.body.digest(),
            status: this.earlyStatus ?? (this.res.writableFinished ? this.res.statusCode : 0),
            fault: this.fault,
            committedStatus: this.committedStatus,
            host: this.host,
            clientCertAuthorized: socket.encrypted ? socket.authorized === true && hasPeerCertificate(socket) : undefined,
            remotePort: this.remotePort,
            receivedAtMs: this.receivedAtMs,
            endedAtMs: performance.now(),
        };
    }
}

function withoutContentLength(headers: OutgoingHttpHeaders): OutgoingHttpHeaders {
    return Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
}

/** An HTTP/1.1 response as bytes on the wire, closing the connection. */
function rawResponse(status: number, headers: OutgoingHttpHeaders, body: Buffer): Buffer {
    const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
    for (const [name, value] of Object.entries(headers)) {
        if (value !== undefined && name.toLowerCase() !== 'connection') {
            lines.push(`${name}: ${Array.isArray(value) ? value.join(', ') : String(value)}`);
        }
    }
    lines.push('Connection: close', '', '');
    return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

function hasPeerCertificate(socket: Partial<TLSSocket>): boolean {
    const cert = socket.getPeerCertificate?.();
    return !!cert && Object.keys(cert).length > 0;
}

function queryValue(query: Record<string, string>, name: string): string | undefined {
    const wanted = name.toLowerCase();
    for (const key of Object.keys(query)) {
        if (key.toLowerCase() === wanted) {
            return query[key];
        }
    }
    return undefined;
}

function apiVersionFromAccept(accept: string | undefined): string | undefined {
    const match = /(?:^|[;,\s])api-version\s*=\s*([^;,\s]+)/i.exec(accept ?? '');
    return match?.[1];
}
