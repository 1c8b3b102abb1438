import * as http from 'http';
import * as https from 'https';
import { Readable } from 'stream';
import { createConnectionAgent, stallOf, type ProxySettings, type TlsSettings } from './connectionAgent';
import { NetworkError, StallError } from './errors';

export type { ProxySettings, TlsSettings } from './connectionAgent';

export interface HttpRequest {
    readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    /** A stream, or a small body already in memory; `Content-Length` is always `length`. A retry calls `open` again. */
    readonly body?: { readonly length: number; open(): Readable | Buffer };
}

/**
 * A streamed body that lends memory (its read buffers): told once its request has closed whether everything it
 * gave was written out to the socket, for only then is nothing left that could still send from that memory.
 */
export interface LendingBody {
    requestClosed(allWrittenOut: boolean): void;
}

export interface HttpResponse {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface HttpTransport {
    send(request: HttpRequest): Promise<HttpResponse>;
    close(): void;
}

export interface TransportSettings {
    /** The only origin that ever sees the `Authorization` header. */
    readonly tokenOrigin: string;
    readonly authorization: string;
    /** A request is aborted when its socket sends and receives nothing for this long. */
    readonly stallTimeoutMs: number;
    /** The agent's proxy for a URL, or undefined when there is none or the URL is on the bypass list. */
    proxyFor(url: string): ProxySettings | undefined;
    readonly tls: TlsSettings;
    readonly userAgent: string;
}

const MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * HTTP(S) with keep-alive, the agent's proxy and certificates, a watchdog over the whole request and no redirects.
 * It is node:http rather than node-api's client because an upload must stream an exact byte range,
 * abort when that range turns out short, and never replay a redirect with the token.
 */
export class NodeHttpTransport implements HttpTransport {
    private readonly agents = new Map<string, http.Agent>();

    constructor(private readonly settings: TransportSettings) {}

    send(request: HttpRequest): Promise<HttpResponse> {
        const url = new URL(request.url);
        const headers: Record<string, string> = {
            'user-agent': this.settings.userAgent,
            // Turns a refused token into a 401 instead of a 203 sign-in page.
            'x-tfs-fedauthredirect': 'Suppress',
            ...lowerCaseKeys(request.headers),
        };
        if (url.origin === this.settings.tokenOrigin) {
            headers['authorization'] = this.settings.authorization;
        }
        if (request.body) {
            headers['content-length'] = String(request.body.length);
        }
        const client = url.protocol === 'https:' ? https : http;
        return new Promise<HttpResponse>((resolve, reject) => {
            // Opened first: a body that cannot be opened (a vanished file) fails before any byte is sent.
            const body = request.body?.open();
            let settled = false;
            let answered = false;
            const settle = (error: Error | undefined, response?: HttpResponse) => {
                if (settled) {
                    return;
                }
                settled = true;
                if (body instanceof Readable) {
                    body.destroy();
                }
                if (error) {
                    req.destroy();
                    // A reset that follows the watchdog's abort is its consequence: report the stall.
                    reject(stallOf(req) ?? error);
                } else {
                    resolve(response as HttpResponse);
                }
            };
            const req = client.request(url, { method: request.method, headers, agent: this.agentFor(url) }, (res) => {
                answered = true;
                readResponse(res).then(({ text, cutOff }) =>
                    cutOff ? settle(...earlyAnswerOrFailure(res, text, cutOff)) : settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: text }),
                );
            });
            if (body !== undefined && isLendingBody(body)) {
                req.once('close', () => body.requestClosed(req.writableFinished));
            }
            req.on('error', (error: NodeJS.ErrnoException) => {
                // A server that answers early (a 413 while the body is still coming) and hangs up breaks the pipe of the
                // body that follows: the answer being read is what to report, not that broken pipe.
                if (!answered || stallOf(req)) {
                    settle(asNetworkError(error));
                }
            });
            if (!body || Buffer.isBuffer(body)) {
                // Headers and a small body leave in one write.
                req.end(body);
                return;
            }
            // The body's own errors (a short or vanished file) win over the reset they cause, unless the server has already answered.
            body.on('error', (error) => {
                if (!answered) {
                    settle(error);
                }
            });
            body.pipe(req);
        });
    }

    close(): void {
        for (const agent of this.agents.values()) {
            agent.destroy();
        }
        this.agents.clear();
    }

    /** The agent for a URL: direct or through the agent's proxy, one per scheme and proxy. node-api's requests use it too. */
    agentFor(url: URL): http.Agent {
        const proxy = this.settings.proxyFor(url.href);
        const key = `${url.protocol}|${proxy?.url ?? 'direct'}`;
        let agent = this.agents.get(key);
        if (!agent) {
            agent = createConnectionAgent(url.protocol === 'https:', { stallTimeoutMs: this.settings.stallTimeoutMs, proxy, tls: this.settings.tls });
            this.agents.set(key, agent);
        }
        return agent;
    }
}

/**
 * A response whose body broke off: an error status that has arrived is still the server's answer (the rest of its
 * text is lost with the connection); a 2xx cut short is a lost reply, for the caller to treat as such.
 */
function earlyAnswerOrFailure(res: http.IncomingMessage, partialBody: string, error: Error): [Error | undefined, HttpResponse?] {
    const status = res.statusCode ?? 0;
    if (status >= 300 && !(error instanceof StallError)) {
        return [undefined, { status, headers: res.headers, body: partialBody }];
    }
    return [error];
}

/** The body as text, and why it broke off when it did: the part that arrived can still carry the server's message. */
function readResponse(res: http.IncomingMessage): Promise<{ text: string; cutOff?: Error }> {
    return new Promise((resolve) => {
        const parts: Buffer[] = [];
        let size = 0;
        const text = () => Buffer.concat(parts).toString('utf8');
        res.on('data', (chunk: Buffer) => {
            // Error bodies and {id, url} replies are small; a huge body is a wrong endpoint, and only its start matters.
            if (size < MAX_RESPONSE_BYTES) {
                parts.push(chunk);
                size += chunk.length;
            }
        });
        res.on('end', () => resolve({ text: text() }));
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ text: text(), cutOff: asNetworkError(error) }));
        res.on('close', () => {
            if (!res.complete) {
                resolve({ text: text(), cutOff: new NetworkError('ECONNRESET', 'the connection closed before the response was complete') });
            }
        });
    });
}

function isLendingBody(body: Readable | Buffer): body is Readable & LendingBody {
    return typeof (body as Partial<LendingBody>).requestClosed === 'function';
}

function asNetworkError(error: NodeJS.ErrnoException): Error {
    if (error instanceof NetworkError || error.name !== 'Error') {
        return error;
    }
    return new NetworkError(error.code ?? 'ECONNRESET', error.message);
}

function lowerCaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
    return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
