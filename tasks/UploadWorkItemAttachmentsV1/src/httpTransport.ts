import * as http from 'http';
import * as https from 'https';
import { Readable } from 'stream';
import * as tunnel from 'tunnel';
import { NetworkError } from './errors';

export interface HttpRequest {
    readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH';
    readonly url: string;
    readonly headers: Readonly<Record<string, string>>;
    /** A stream, or a small body already in memory; `Content-Length` is always `length`. A retry calls `open` again. */
    readonly body?: { readonly length: number; open(): Readable | Buffer };
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

export interface ProxySettings {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
}

export interface TlsSettings {
    readonly ca?: Buffer;
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly passphrase?: string;
    readonly rejectUnauthorized: boolean;
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
 * HTTP(S) with keep-alive, the agent's proxy and certificates, a stall watchdog and no redirects.
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
                    reject(error);
                } else {
                    resolve(response as HttpResponse);
                }
            };
            const req = client.request(url, { method: request.method, headers, agent: this.agentFor(url) }, (res) => {
                readResponse(res).then((text) => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: text }), settle);
            });
            req.setTimeout(this.settings.stallTimeoutMs, () => {
                req.destroy(new NetworkError('ESTALLED', `no data sent or received for ${this.settings.stallTimeoutMs / 1000} s`));
            });
            req.on('error', (error: NodeJS.ErrnoException) => settle(asNetworkError(error)));
            if (!body || Buffer.isBuffer(body)) {
                // Headers and a small body leave in one write.
                req.end(body);
                return;
            }
            // The body's own errors (a short or vanished file) win over the reset they cause.
            body.on('error', (error) => settle(error));
            body.pipe(req);
        });
    }

    close(): void {
        for (const agent of this.agents.values()) {
            // tunnel's agents are no http.Agent: they have no destroy(), and close each tunnel once its response has ended.
            if (typeof agent.destroy === 'function') {
                agent.destroy();
            }
        }
        this.agents.clear();
    }

    private agentFor(url: URL): http.Agent {
        const proxy = this.settings.proxyFor(url.href);
        const key = `${url.protocol}|${proxy?.url ?? 'direct'}`;
        let agent = this.agents.get(key);
        if (!agent) {
            agent = this.createAgent(url.protocol === 'https:', proxy);
            this.agents.set(key, agent);
        }
        return agent;
    }

    private createAgent(secure: boolean, proxy: ProxySettings | undefined): http.Agent {
        const tls = this.settings.tls;
        const tlsOptions = { ca: tls.ca, cert: tls.cert, key: tls.key, passphrase: tls.passphrase, rejectUnauthorized: tls.rejectUnauthorized };
        if (!proxy) {
            return secure ? new https.Agent({ keepAlive: true, ...tlsOptions }) : new http.Agent({ keepAlive: true });
        }
        const proxyUrl = new URL(proxy.url);
        const proxyAuth = proxy.username || proxy.password ? `${proxy.username ?? ''}:${proxy.password ?? ''}` : undefined;
        const proxyOptions = {
            host: proxyUrl.hostname,
            port: Number(proxyUrl.port) || (proxyUrl.protocol === 'https:' ? 443 : 80),
            proxyAuth,
        };
        // tunnel's typings list Buffer[] for ca; a single Buffer is what node's tls takes as well.
        const tunnelTls = { ...tlsOptions, ca: tls.ca ? [tls.ca] : undefined };
        if (proxyUrl.protocol === 'https:') {
            return secure
                ? tunnel.httpsOverHttps({ proxy: proxyOptions, ...tunnelTls })
                : tunnel.httpOverHttps({ proxy: proxyOptions });
        }
        return secure ? tunnel.httpsOverHttp({ proxy: proxyOptions, ...tunnelTls }) : tunnel.httpOverHttp({ proxy: proxyOptions });
    }
}

function readResponse(res: http.IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
            // Error bodies and {id, url} replies are small; a huge body is a wrong endpoint, and only its start matters.
            if (size < MAX_RESPONSE_BYTES) {
                parts.push(chunk);
                size += chunk.length;
            }
        });
        res.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
        res.on('error', (error: NodeJS.ErrnoException) => reject(asNetworkError(error)));
        res.on('aborted', () => reject(new NetworkError('ECONNRESET', 'the connection closed before the response was complete')));
    });
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
