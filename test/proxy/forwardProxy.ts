import * as http from 'http';
import * as net from 'net';
import type { AddressInfo, Socket } from 'net';

export interface ForwardProxyOptions {
    /** When set, every request must carry `Proxy-Authorization: Basic base64(username:password)`; others get 407. */
    readonly username?: string;
    readonly password?: string;
}

/** One request the proxy received: a CONNECT (tunnel) or an absolute-URI request it forwarded. */
export interface ProxiedRequest {
    readonly kind: 'connect' | 'forward';
    readonly method: string;
    /** `host:port` for a CONNECT, the absolute URL otherwise. */
    readonly target: string;
    /** As received, `proxy-authorization` included. */
    readonly headers: http.IncomingHttpHeaders;
    /** What the proxy answered: 200 for an established tunnel, 407 without valid credentials, 403 for a target off loopback. */
    status: number;
    /** The local port of the proxy's own connection to the target: the port the target sees the request come from. */
    upstreamPort?: number;
}

/**
 * A forward proxy for tests, the kind agents sit behind: CONNECT tunnels (which typed-rest-client's and
 * the task's `tunnel` agents use for http and https targets alike) and plain absolute-URI forwarding,
 * both behind basic Proxy-Authorization. It records every request and the ports of its upstream
 * connections, so that a test can prove that nothing reached a server around it. It only connects to
 * loopback, so that a test can never reach the network through it.
 */
export class ForwardProxy {
    readonly requests: ProxiedRequest[] = [];
    readonly url: string;
    readonly port: number;

    private readonly sockets = new Set<Socket>();
    private readonly forwardAgent = new http.Agent({ keepAlive: true });

    private constructor(private readonly server: http.Server, private readonly options: ForwardProxyOptions) {
        this.port = (server.address() as AddressInfo).port;
        this.url = `http://127.0.0.1:${this.port}`;
        server.on('connection', (socket: Socket) => this.track(socket));
        server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => this.forward(req, res));
        server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head));
    }

    static async start(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
        const server = http.createServer();
        await new Promise<void>((resolve, reject) => {
            server.once('error', reject);
            server.listen(0, '127.0.0.1', () => {
                server.off('error', reject);
                resolve();
            });
        });
        return new ForwardProxy(server, options);
    }

    /** The local ports of every connection the proxy opened to a target. */
    upstreamPorts(): Set<number> {
        return new Set(this.requests.map((request) => request.upstreamPort).filter((port): port is number => port !== undefined));
    }

    async stop(): Promise<void> {
        const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
        this.server.closeAllConnections();
        for (const socket of this.sockets) {
            socket.destroy();
        }
        this.forwardAgent.destroy();
        await closed;
    }

    private tunnel(req: http.IncomingMessage, client: Socket, head: Buffer): void {
        const record: ProxiedRequest = { kind: 'connect', method: 'CONNECT', target: req.url ?? '', headers: req.headers, status: 0 };
        this.requests.push(record);
        client.on('error', () => client.destroy());
        const refusal = this.refusal(req, hostOfAuthority(record.target));
        if (refusal) {
            record.status = refusal.status;
            const headerLines = Object.entries(refusal.headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
            client.end(`HTTP/1.1 ${refusal.status} ${http.STATUS_CODES[refusal.status]}\r\n${headerLines}Content-Length: 0\r\nConnection: close\r\n\r\n`);
            return;
        }
        const { host, port } = splitAuthority(record.target);
        const upstream = net.connect(port, host);
        this.track(upstream);
        upstream.once('connect', () => {
            record.status = 200;
            record.upstreamPort = upstream.localPort;
            client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
            if (head.length > 0) {
                upstream.write(head);
            }
            upstream.pipe(client);
            client.pipe(upstream);
        });
        upstream.on('error', () => {
            if (record.status === 0) {
                record.status = 502;
                client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
            }
            client.destroy();
        });
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
    }

    private forward(req: http.IncomingMessage, res: http.ServerResponse): void {
        const record: ProxiedRequest = { kind: 'forward', method: req.method ?? 'GET', target: req.url ?? '', headers: req.headers, status: 0 };
        this.requests.push(record);
        let target: URL;
        try {
            target = new URL(record.target);
        } catch {
            record.status = 400;
            res.writeHead(400, { 'Content-Length': '0' }).end();
            return;
        }
        const refusal = this.refusal(req, target.hostname);
        if (refusal) {
            record.status = refusal.status;
            req.resume();
            res.writeHead(refusal.status, { ...refusal.headers, 'Content-Length': '0' }).end();
            return;
        }
        const headers = { ...req.headers };
        for (const hopByHop of ['proxy-authorization', 'proxy-connection', 'connection', 'keep-alive']) {
            delete headers[hopByHop];
        }
        const upstream = http.request(target, { method: req.method, headers, agent: this.forwardAgent }, (answer) => {
            record.status = answer.statusCode ?? 0;
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(res);
        });
        upstream.on('socket', (socket: Socket) => {
            const note = () => (record.upstreamPort = socket.localPort);
            if (socket.localPort !== undefined && !socket.connecting) {
                note();
            } else {
                socket.once('connect', note);
            }
        });
        upstream.on('error', () => {
            record.status ||= 502;
            if (!res.headersSent) {
                res.writeHead(502, { 'Content-Length': '0' }).end();
            } else {
                res.destroy();
            }
        });
        req.pipe(upstream);
    }

    /** Why the proxy will not serve a request, or undefined when it will. */
    private refusal(req: http.IncomingMessage, host: string): { status: number; headers: Record<string, string> } | undefined {
        if (this.options.username !== undefined || this.options.password !== undefined) {
            const expected = `Basic ${Buffer.from(`${this.options.username ?? ''}:${this.options.password ?? ''}`).toString('base64')}`;
            if (req.headers['proxy-authorization'] !== expected) {
                return { status: 407, headers: { 'Proxy-Authenticate': 'Basic realm="test proxy"' } };
            }
        }
        if (!isLoopback(host)) {
            return { status: 403, headers: {} };
        }
        return undefined;
    }

    private track(socket: Socket): void {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
    }
}

function splitAuthority(authority: string): { host: string; port: number } {
    const separator = authority.lastIndexOf(':');
    return { host: authority.slice(0, separator).replace(/^\[|\]$/g, ''), port: Number(authority.slice(separator + 1)) };
}

function hostOfAuthority(authority: string): string {
    return splitAuthority(authority).host;
}

function isLoopback(host: string): boolean {
    return host === '127.0.0.1' || host === 'localhost' || host === '::1';
}
