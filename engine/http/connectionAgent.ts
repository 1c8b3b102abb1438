import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import type { Duplex } from 'stream';
import * as tls from 'tls';
import { NetworkError, StallError } from './errors';

export interface ProxySettings {
    readonly url: string;
    readonly username?: string;
    readonly password?: string;
}

export interface TlsSettings {
    /** The roots to trust; undefined means Node's defaults. A private CA is added to the defaults, never alone (trustedRoots). */
    readonly ca?: readonly string[];
    readonly cert?: Buffer;
    readonly key?: Buffer;
    readonly passphrase?: string;
    readonly rejectUnauthorized: boolean;
}

export interface ConnectionSettings {
    readonly stallTimeoutMs: number;
    /** The proxy every connection of this agent goes through, or none. */
    readonly proxy?: ProxySettings;
    readonly tls: TlsSettings;
}

const stallOfRequest = new WeakMap<http.ClientRequest, StallError>();

/** The stall that made the watchdog abort this request, if it did: the reset that follows is its consequence, not the cause. */
export function stallOf(request: http.ClientRequest): StallError | undefined {
    return stallOfRequest.get(request);
}

/**
 * A keep-alive agent whose every request is watched from start to end, so that none can hang:
 * - a connection (TCP, the proxy's CONNECT, the TLS handshake) must be ready within the stall timeout;
 * - once the request body has been sent, the whole response must arrive within the stall timeout, however it trickles.
 * While the body is being sent the caller's idle timeout applies (`req.setTimeout`), so a large body on a slow link is fine.
 * It also replaces the `tunnel` package: that one waits for a CONNECT answer forever and keeps the process alive.
 */
export function createConnectionAgent(secure: boolean, settings: ConnectionSettings): http.Agent {
    return secure ? new WatchedHttpsAgent(settings) : new WatchedHttpAgent(settings);
}

class WatchedHttpAgent extends http.Agent {
    private readonly pending = new Set<{ destroy(): void }>();

    constructor(private readonly settings: ConnectionSettings) {
        super({ keepAlive: true });
    }

    override createConnection(options: http.ClientRequestArgs, created?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
        establish(false, options, this.settings, this.pending, created as Created);
        return undefined;
    }

    addRequest(request: http.ClientRequest, options: unknown): void {
        watchResponse(request, this.settings.stallTimeoutMs);
        (http.Agent.prototype as unknown as AddRequest).addRequest.call(this, request, options);
    }

    override destroy(): void {
        this.pending.forEach((connection) => connection.destroy());
        super.destroy();
    }
}

class WatchedHttpsAgent extends https.Agent {
    private readonly pending = new Set<{ destroy(): void }>();

    constructor(private readonly settings: ConnectionSettings) {
        const { ca, cert, key, passphrase, rejectUnauthorized } = settings.tls;
        super({ keepAlive: true, ca: ca as string[] | undefined, cert, key, passphrase, rejectUnauthorized });
    }

    override createConnection(options: http.ClientRequestArgs, created?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
        establish(true, options, this.settings, this.pending, created as Created);
        return undefined;
    }

    addRequest(request: http.ClientRequest, options: unknown): void {
        watchResponse(request, this.settings.stallTimeoutMs);
        (https.Agent.prototype as unknown as AddRequest).addRequest.call(this, request, options);
    }

    override destroy(): void {
        this.pending.forEach((connection) => connection.destroy());
        super.destroy();
    }
}

type Created = (error: Error | null, socket?: Duplex) => void;
type AddRequest = { addRequest(this: http.Agent, request: http.ClientRequest, options: unknown): void };

/** Opens a connection (through the proxy when there is one) and hands it over only once it can carry a request. */
function establish(secure: boolean, options: http.ClientRequestArgs, settings: ConnectionSettings, pending: Set<{ destroy(): void }>, created: Created): void {
    const parts: { destroy(): void }[] = [];
    let finished = false;
    const attempt = { destroy: () => finish(new NetworkError('ECONNABORTED', 'the connection was closed before it was ready')) };
    const finish = (error: Error | null, socket?: Duplex): void => {
        if (finished) {
            return;
        }
        finished = true;
        clearTimeout(deadline);
        pending.delete(attempt);
        if (error) {
            parts.forEach((part) => part.destroy());
            created(error);
        } else {
            created(null, socket);
        }
    };
    const deadline = setTimeout(() => finish(new StallError('connect', settings.stallTimeoutMs, settings.proxy !== undefined, secure)), settings.stallTimeoutMs);
    pending.add(attempt);

    const host = options.host ?? options.hostname ?? 'localhost';
    const port = Number(options.port) || (secure ? 443 : 80);
    const overSocket = (socket: net.Socket | undefined): void => {
        if (!secure) {
            const plain = socket ?? net.connect({ ...(options as net.NetConnectOpts), host, port });
            parts.push(plain);
            plain.once('error', (error) => finish(error));
            if (socket) {
                finish(null, socket);
            } else {
                plain.once('connect', () => finish(null, plain));
            }
            return;
        }
        const secured = tls.connect({ ...(options as tls.ConnectionOptions), host, port, ...(socket ? { socket } : {}) });
        parts.push(secured);
        secured.once('error', (error) => finish(error));
        secured.once('secureConnect', () => finish(null, secured));
    };
    if (!settings.proxy) {
        overSocket(undefined);
        return;
    }
    const connect = openTunnel(settings.proxy, host, port, settings.tls, (error, socket) => {
        if (error) {
            finish(error);
        } else {
            parts.push(socket as net.Socket);
            overSocket(socket);
        }
    });
    parts.push(connect);
}

/** Asks the proxy for a tunnel to host:port (CONNECT), with the agent's proxy credentials. */
function openTunnel(
    proxy: ProxySettings,
    host: string,
    port: number,
    tlsSettings: TlsSettings,
    done: (error: Error | null, socket?: net.Socket) => void,
): http.ClientRequest {
    const proxyUrl = new URL(proxy.url);
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.username || proxy.password) {
        headers['proxy-authorization'] = `Basic ${Buffer.from(`${proxy.username ?? ''}:${proxy.password ?? ''}`).toString('base64')}`;
    }
    const secureProxy = proxyUrl.protocol === 'https:';
    const request = (secureProxy ? https : http).request({
        host: proxyUrl.hostname,
        port: Number(proxyUrl.port) || (secureProxy ? 443 : 80),
        method: 'CONNECT',
        path: authority,
        headers,
        agent: false,
        ...(secureProxy ? { ca: tlsSettings.ca as string[] | undefined, rejectUnauthorized: tlsSettings.rejectUnauthorized } : {}),
    });
    request.once('connect', (response: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
        if (response.statusCode !== 200) {
            socket.destroy();
            // The words the `tunnel` package used, which typed-rest-client's errors carry too: proxyRefusal() reads the status from them.
            done(new NetworkError('ECONNRESET', `tunneling socket could not be established, statusCode=${response.statusCode}`));
            return;
        }
        if (head.length > 0) {
            socket.unshift(head);
        }
        done(null, socket);
    });
    request.once('error', (error) => done(error));
    request.end();
    return request;
}

/** Once the body has been sent, the whole response must be in within the stall timeout. */
function watchResponse(request: http.ClientRequest, stallTimeoutMs: number): void {
    let timer: NodeJS.Timeout | undefined;
    let response: http.IncomingMessage | undefined;
    let over = false;
    const stop = (): void => {
        over = true;
        clearTimeout(timer);
    };
    request.once('finish', () => {
        if (over) {
            return;
        }
        const readBefore = request.socket?.bytesRead ?? 0;
        timer = setTimeout(() => {
            // Nothing at all came back: the connection went idle (a server that stopped reading looks the same from here).
            const idle = (request.socket?.bytesRead ?? 0) === readBefore && response === undefined;
            const stall = new StallError(idle ? 'idle' : 'response', stallTimeoutMs);
            stallOfRequest.set(request, stall);
            // Whoever reads the body (our transport, typed-rest-client) sees the stall rather than a bare reset.
            response?.destroy(stall);
            request.destroy(stall);
        }, stallTimeoutMs);
    });
    request.once('response', (answer: http.IncomingMessage) => {
        response = answer;
        answer.once('end', stop);
        answer.once('close', stop);
    });
    request.once('close', stop);
    request.once('error', stop);
}
