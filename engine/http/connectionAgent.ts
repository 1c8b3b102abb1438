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
 * - while the body is being sent, bytes must move at least every stall timeout, so a large body on a slow link is fine;
 * - once the body has been sent, the whole response must arrive within the stall timeout, however it trickles.
 * It also replaces the `tunnel` package: that one waits for a CONNECT answer forever and keeps the process alive.
 */
export function createConnectionAgent(secure: boolean, settings: ConnectionSettings): http.Agent {
    return secure ? new WatchedHttpsAgent(settings) : new WatchedHttpAgent(settings);
}

/**
 * What both agents add to Node's: connections established under a deadline (and closed with the agent while still
 * being established), and every request watched by one watchdog, stopped with the agent.
 */
class AgentWatch {
    private readonly pending = new Set<{ destroy(): void }>();
    private readonly watchdog: RequestWatchdog;

    constructor(
        private readonly secure: boolean,
        private readonly settings: ConnectionSettings,
    ) {
        this.watchdog = new RequestWatchdog(settings.stallTimeoutMs);
    }

    /** Node's createConnection: the socket comes later, through `created`, once it can carry a request. */
    connect(options: http.ClientRequestArgs, created: Created): undefined {
        establish(this.secure, options, this.settings, this.pending, created);
        return undefined;
    }

    watch(request: http.ClientRequest): void {
        this.watchdog.watch(request);
    }

    stop(): void {
        this.pending.forEach((connection) => connection.destroy());
        this.watchdog.stop();
    }
}

class WatchedHttpAgent extends http.Agent {
    private readonly watched: AgentWatch;

    constructor(settings: ConnectionSettings) {
        super({ keepAlive: true });
        this.watched = new AgentWatch(false, settings);
    }

    override createConnection(options: http.ClientRequestArgs, created?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
        return this.watched.connect(options, created as Created);
    }

    addRequest(request: http.ClientRequest, options: unknown): void {
        this.watched.watch(request);
        (http.Agent.prototype as unknown as AddRequest).addRequest.call(this, request, options);
    }

    override destroy(): void {
        this.watched.stop();
        super.destroy();
    }
}

class WatchedHttpsAgent extends https.Agent {
    private readonly watched: AgentWatch;

    constructor(settings: ConnectionSettings) {
        const { ca, cert, key, passphrase, rejectUnauthorized } = settings.tls;
        super({ keepAlive: true, ca: ca as string[] | undefined, cert, key, passphrase, rejectUnauthorized });
        this.watched = new AgentWatch(true, settings);
    }

    override createConnection(options: http.ClientRequestArgs, created?: (error: Error | null, socket: Duplex) => void): Duplex | undefined {
        return this.watched.connect(options, created as Created);
    }

    addRequest(request: http.ClientRequest, options: unknown): void {
        this.watched.watch(request);
        (https.Agent.prototype as unknown as AddRequest).addRequest.call(this, request, options);
    }

    override destroy(): void {
        this.watched.stop();
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

interface WatchedRequest {
    /** Bytes the socket had moved both ways at the last tick that saw them change, and when. */
    moved: number;
    movedAt: number;
    response?: http.IncomingMessage;
    /** Set at the first tick after the body went out (or an answer began): the whole response is due by then. */
    responseDueAt?: number;
    readWhenSent: number;
}

/**
 * Watches every request of an agent with one timer, so that none can hang; a timer or two per request (a socket
 * idle timeout and a response deadline) cost a run of thousands of small files or chunks measurable CPU (about
 * 25 µs a request in the benchmark's 2,000 small files). For each request on a connection:
 * - while its body is being sent, and no answer has come, the socket must move bytes at least every stall timeout;
 * - once the body is out (or an answer has begun), the whole response must arrive within the stall timeout,
 *   however it trickles.
 * The timer ticks every tenth of the stall timeout (at most every second) while requests are in flight, and never
 * keeps the process alive: a stall is found between the timeout and the timeout plus two ticks.
 */
class RequestWatchdog {
    private readonly watched = new Map<http.ClientRequest, WatchedRequest>();
    private ticker: NodeJS.Timeout | undefined;
    private readonly tickMs: number;

    constructor(private readonly stallTimeoutMs: number, private readonly now: () => number = () => performance.now()) {
        this.tickMs = Math.min(1000, Math.max(10, Math.floor(stallTimeoutMs / 10)));
    }

    watch(request: http.ClientRequest): void {
        const watched: WatchedRequest = { moved: -1, movedAt: this.now(), readWhenSent: 0 };
        this.watched.set(request, watched);
        request.once('response', (response: http.IncomingMessage) => (watched.response = response));
        request.once('close', () => this.watched.delete(request));
        this.ticker ??= setInterval(() => this.tick(), this.tickMs).unref();
    }

    /** Checks every request in flight; stops ticking when there are none. */
    tick(): void {
        const at = this.now();
        for (const [request, watched] of this.watched) {
            if (request.destroyed || watched.response?.complete) {
                // Done (its 'close' is on the way): nothing is left to watch.
                this.watched.delete(request);
                continue;
            }
            const socket = request.socket;
            if (!socket || socket.connecting) {
                // Not on a ready connection yet: establishing one has its own deadline (establish).
                watched.movedAt = at;
                continue;
            }
            if (!request.writableFinished && !watched.response) {
                const moved = socket.bytesWritten + socket.bytesRead;
                if (moved !== watched.moved) {
                    watched.moved = moved;
                    watched.movedAt = at;
                } else if (at - watched.movedAt >= this.stallTimeoutMs) {
                    this.abort(request, 'idle');
                }
                continue;
            }
            if (watched.responseDueAt === undefined) {
                watched.responseDueAt = at + this.stallTimeoutMs;
                watched.readWhenSent = socket.bytesRead;
            } else if (at >= watched.responseDueAt) {
                // Idle when nothing at all came back (a server that stopped reading looks the same from here).
                this.abort(request, socket.bytesRead === watched.readWhenSent && !watched.response ? 'idle' : 'response', watched.response);
            }
        }
        if (this.watched.size === 0) {
            clearInterval(this.ticker);
            this.ticker = undefined;
        }
    }

    private abort(request: http.ClientRequest, kind: 'idle' | 'response', response?: http.IncomingMessage): void {
        this.watched.delete(request);
        const stall = new StallError(kind, this.stallTimeoutMs);
        stallOfRequest.set(request, stall);
        // Whoever reads the body (our transport, typed-rest-client) sees the stall rather than a bare reset.
        response?.destroy(stall);
        request.destroy(stall);
    }

    stop(): void {
        clearInterval(this.ticker);
        this.ticker = undefined;
        this.watched.clear();
    }
}
