import * as assert from 'assert/strict';
import * as http from 'http';
import * as net from 'net';
import type { AddressInfo } from 'net';
import { ForwardProxy } from './forwardProxy';

const credentials = `Basic ${Buffer.from('user:secret').toString('base64')}`;

interface Origin {
    readonly port: number;
    readonly seen: { url: string; remotePort?: number; proxyAuthorization?: string }[];
    close(): Promise<void>;
}

async function startOrigin(): Promise<Origin> {
    const seen: Origin['seen'] = [];
    const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? '', remotePort: req.socket.remotePort, proxyAuthorization: req.headers['proxy-authorization'] });
        req.resume();
        req.on('end', () => res.writeHead(200, { 'Content-Type': 'text/plain' }).end(`origin saw ${req.method} ${req.url}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        port: (server.address() as AddressInfo).port,
        seen,
        close: () => new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
        }),
    };
}

/** An absolute-URI request to the proxy, as a plain HTTP proxy client sends it. */
function viaProxy(proxy: ForwardProxy, url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: url, headers, agent: false }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (chunk: Buffer) => parts.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        });
        req.on('error', reject);
        req.end('payload');
    });
}

/** Opens a CONNECT tunnel and sends one GET through it; resolves with the proxy's status line and what came back. */
function throughTunnel(proxy: ForwardProxy, authority: string, headers: Record<string, string> = {}): Promise<{ status: number; reply: string }> {
    return new Promise((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: authority, headers, agent: false });
        req.on('connect', (res: http.IncomingMessage, socket: net.Socket) => {
            if (res.statusCode !== 200) {
                socket.destroy();
                resolve({ status: res.statusCode ?? 0, reply: '' });
                return;
            }
            const parts: Buffer[] = [];
            socket.on('data', (chunk: Buffer) => parts.push(chunk));
            socket.on('end', () => resolve({ status: 200, reply: Buffer.concat(parts).toString('utf8') }));
            socket.write(`GET /tunnelled HTTP/1.1\r\nHost: ${authority}\r\nConnection: close\r\n\r\n`);
        });
        req.on('error', reject);
        req.end();
    });
}

describe('ForwardProxy (the test proxy)', () => {
    let proxy: ForwardProxy;
    let origin: Origin;

    beforeEach(async () => {
        proxy = await ForwardProxy.start({ username: 'user', password: 'secret' });
        origin = await startOrigin();
    });

    afterEach(async () => {
        await proxy.stop();
        await origin.close();
    });

    it('forwards an absolute-URI request with valid credentials, without passing them on, from a port it records', async () => {
        const reply = await viaProxy(proxy, `http://127.0.0.1:${origin.port}/path?q=1`, { 'Proxy-Authorization': credentials });

        assert.deepEqual(reply, { status: 200, body: 'origin saw POST /path?q=1' });
        assert.equal(origin.seen.length, 1);
        assert.equal(origin.seen[0].proxyAuthorization, undefined);
        assert.ok(proxy.upstreamPorts().has(origin.seen[0].remotePort ?? -1));
        assert.deepEqual(proxy.requests.map((request) => [request.kind, request.status]), [['forward', 200]]);
    });

    it('opens a CONNECT tunnel with valid credentials, from a port it records', async () => {
        const reply = await throughTunnel(proxy, `127.0.0.1:${origin.port}`, { 'Proxy-Authorization': credentials });

        assert.equal(reply.status, 200);
        assert.match(reply.reply, /^HTTP\/1.1 200 OK\r\n[^]*origin saw GET \/tunnelled\r\n/);
        assert.ok(proxy.upstreamPorts().has(origin.seen[0].remotePort ?? -1));
        assert.deepEqual(proxy.requests.map((request) => [request.kind, request.target, request.status]), [['connect', `127.0.0.1:${origin.port}`, 200]]);
    });

    it('answers 407 to both kinds without valid credentials, and reaches nothing', async () => {
        assert.equal((await viaProxy(proxy, `http://127.0.0.1:${origin.port}/`)).status, 407);
        assert.equal((await throughTunnel(proxy, `127.0.0.1:${origin.port}`, { 'Proxy-Authorization': 'Basic d3Jvbmc6d3Jvbmc=' })).status, 407);
        assert.deepEqual(origin.seen, []);
    });

    it('refuses targets off loopback, so a test can never reach the network through it', async () => {
        assert.equal((await viaProxy(proxy, 'http://example.com/', { 'Proxy-Authorization': credentials })).status, 403);
        assert.equal((await throughTunnel(proxy, 'example.com:443', { 'Proxy-Authorization': credentials })).status, 403);
    });
});
