import * as assert from 'assert/strict';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { createConnectionAgent } from '../../engine/http/connectionAgent';
import { StallError } from '../../engine/http/errors';

const STALL_MS = 300;

/**
 * The one timer that watches every request of an agent (RequestWatchdog), against a loopback server: a body or a
 * response that keeps moving is never cut, one that stops is, within the stall timeout and two ticks.
 */
describe('request watchdog', () => {
    let server: http.Server;
    let agent: http.Agent;
    let origin: string;
    let handle: (req: http.IncomingMessage, res: http.ServerResponse) => void;

    beforeEach(async () => {
        server = http.createServer((req, res) => handle(req, res));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        agent = createConnectionAgent(false, { stallTimeoutMs: STALL_MS, tls: { rejectUnauthorized: true } });
    });

    afterEach(async () => {
        agent.destroy();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
    });

    /** Sends `parts` of the body `gapMs` apart; resolves with the status and body, or the error and when it came. */
    function send(parts: Buffer[], gapMs: number): Promise<{ status?: number; body?: string; error?: unknown; afterMs: number }> {
        const started = performance.now();
        const afterMs = () => performance.now() - started;
        return new Promise((resolve) => {
            const req = http.request(`${origin}/`, { method: 'PUT', agent, headers: { 'content-length': String(parts.reduce((sum, part) => sum + part.length, 0)) } }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (text: string) => (body += text));
                res.on('end', () => resolve({ status: res.statusCode, body, afterMs: afterMs() }));
                res.on('error', (error) => resolve({ error, afterMs: afterMs() }));
            });
            req.on('error', (error) => resolve({ error, afterMs: afterMs() }));
            let next = 0;
            const writeNext = (): void => {
                if (req.destroyed) {
                    return;
                }
                if (next === parts.length) {
                    req.end();
                    return;
                }
                req.write(parts[next++]);
                setTimeout(writeNext, gapMs);
            };
            writeNext();
        });
    }

    const readAllThenAnswer = (answer: (res: http.ServerResponse) => void) => (req: http.IncomingMessage, res: http.ServerResponse) => {
        req.resume();
        req.on('end', () => answer(res));
    };

    it('never cuts a body that keeps moving, however long it takes in all', async () => {
        handle = readAllThenAnswer((res) => res.end('stored'));
        // Ten parts, 100 ms apart: a second in all, more than three stall timeouts.
        const result = await send(Array.from({ length: 10 }, () => Buffer.alloc(1000, 1)), 100);
        assert.deepEqual([result.status, result.body, result.error], [200, 'stored', undefined]);
    });

    it('cuts a body the server stopped reading as idle', async () => {
        handle = (req) => req.pause();
        const result = await send([Buffer.alloc(16 * 1024 * 1024, 1)], 0);
        assert.ok(result.error instanceof StallError, `a stall, not ${String(result.error)}`);
        assert.equal(result.error.stage, 'idle');
        assert.ok(result.afterMs >= STALL_MS, `not before the stall timeout (${Math.round(result.afterMs)} ms)`);
    });

    it('cuts a request whose answer never comes after the body, as idle', async () => {
        handle = readAllThenAnswer(() => undefined);
        const result = await send([Buffer.from('body')], 0);
        assert.ok(result.error instanceof StallError, `a stall, not ${String(result.error)}`);
        assert.equal(result.error.stage, 'idle');
        assert.ok(result.afterMs >= STALL_MS, `not before the stall timeout (${Math.round(result.afterMs)} ms)`);
    });

    it('cuts a response that trickles past the stall timeout, although bytes keep coming', async () => {
        handle = readAllThenAnswer((res) => {
            res.writeHead(200, { 'content-length': '20' });
            const timer = setInterval(() => (res.writableEnded ? clearInterval(timer) : res.write('x')), 50);
            res.on('close', () => clearInterval(timer));
        });
        const result = await send([Buffer.from('body')], 0);
        assert.ok(result.error instanceof StallError, `a stall, not ${String(result.error)}`);
        assert.equal(result.error.stage, 'response');
        assert.ok(result.afterMs >= STALL_MS && result.afterMs < 20 * 50, `between the stall timeout and the end of the trickle (${Math.round(result.afterMs)} ms)`);
    });

    it('leaves a connection it watched fit for the next request', async () => {
        handle = readAllThenAnswer((res) => res.end('ok'));
        const first = await send([Buffer.from('one')], 0);
        // Longer than the stall timeout: a finished request must not be cut, nor its pooled connection.
        await new Promise((resolve) => setTimeout(resolve, STALL_MS * 2));
        const second = await send([Buffer.from('two')], 0);
        assert.deepEqual([first.body, second.body, second.error], ['ok', 'ok', undefined]);
    });
});
