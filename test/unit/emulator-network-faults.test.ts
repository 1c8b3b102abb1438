import * as assert from 'assert/strict';
import * as http from 'http';
import { AzureDevOpsEmulator } from '../emulator';

const token = 'emulator-token';

/** POSTs a simple upload and resolves with what came back: the status and body, or the error the connection ended with. */
function postSimple(emu: AzureDevOpsEmulator, fileName: string, body: Buffer): Promise<{ status?: number; body?: string; error?: string; ms: number }> {
    const started = Date.now();
    const url = new URL(`Fabrikam/_apis/wit/attachments?fileName=${fileName}&uploadType=Simple`, emu.collectionUrl);
    return new Promise((resolve) => {
        const req = http.request(url, {
            method: 'POST',
            agent: false,
            headers: { Authorization: `Bearer ${token}`, Accept: 'application/json;api-version=7.1', 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) },
        });
        req.on('response', (res) => {
            const parts: Buffer[] = [];
            res.on('data', (chunk: Buffer) => parts.push(chunk));
            res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString(), ms: Date.now() - started }));
            res.on('error', (error) => resolve({ status: res.statusCode, error: error.message, ms: Date.now() - started }));
        });
        req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, ms: Date.now() - started }));
        req.end(body);
    });
}

describe('Azure DevOps emulator: network faults', function () {
    this.timeout(10_000);
    let emu: AzureDevOpsEmulator;

    afterEach(async () => {
        await emu.stop();
    });

    it('lostReply commits the request, then drops the connection without the reply', async () => {
        emu = await AzureDevOpsEmulator.start({ projects: [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }] });
        emu.addFault({ method: 'POST', action: { kind: 'lostReply' } });

        const reply = await postSimple(emu, 'a.txt', Buffer.from('alpha'));

        assert.equal(reply.status, undefined);
        assert.match(String(reply.error), /ECONNRESET|socket hang up/);
        assert.deepEqual(emu.attachments().map((attachment) => [attachment.fileName, attachment.complete]), [['a.txt', true]]);
        await emu.stop();
        assert.equal(emu.requests[0].committedStatus, 201);
        assert.equal(emu.requests[0].status, 0);
    });

    it('trickle sends the committed reply one byte at a time', async () => {
        emu = await AzureDevOpsEmulator.start({ projects: [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }] });
        emu.addFault({ method: 'POST', action: { kind: 'trickle', intervalMs: 1 } });

        const reply = await postSimple(emu, 'a.txt', Buffer.from('alpha'));

        assert.equal(reply.status, 201);
        assert.match(String(reply.body), /^\{"id":"[0-9a-f-]+","url":".*a\.txt"\}$/);
        assert.ok(reply.ms >= 100, `the reply took ${reply.ms} ms to trickle in`);
    });

    it('headers adds headers to a normal reply', async () => {
        emu = await AzureDevOpsEmulator.start({ projects: [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }] });
        emu.addFault({ method: 'POST', action: { kind: 'headers', headers: { 'X-RateLimit-Delay': '30' } } });
        let seen: http.IncomingHttpHeaders = {};
        await new Promise<void>((resolve) => {
            const url = new URL('Fabrikam/_apis/wit/attachments?fileName=a.txt&uploadType=Simple', emu.collectionUrl);
            http.request(url, { method: 'POST', agent: false, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json;api-version=7.1', 'Content-Type': 'application/octet-stream' } }, (res) => {
                seen = res.headers;
                res.resume().on('end', resolve);
            }).end('alpha');
        });
        assert.equal(seen['x-ratelimit-delay'], '30');
        assert.equal(emu.attachments().length, 1);
    });

    it('answers a simple upload above maxSimpleUploadBytes with 413 before reading its body', async () => {
        emu = await AzureDevOpsEmulator.start({ maxSimpleUploadBytes: 1024, projects: [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }] });

        const reply = await postSimple(emu, 'big.bin', Buffer.alloc(8 * 1024 * 1024));

        assert.equal(reply.status, 413);
        assert.match(String(reply.body ?? reply.error), /TF900013|aborted/);
        await emu.stop();
        assert.equal(emu.requests[0].status, 413);
        assert.ok(emu.requests[0].bodyBytes < 8 * 1024 * 1024, 'the body was not read');
        assert.equal(emu.attachments().length, 0);
    });
});
