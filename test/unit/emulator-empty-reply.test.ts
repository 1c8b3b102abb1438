import * as assert from 'assert/strict';
import * as http from 'http';
import { AzureDevOpsEmulator } from '../emulator';

describe('Azure DevOps emulator: emptyReply', function () {
    this.timeout(10_000);
    let emu: AzureDevOpsEmulator | undefined;

    afterEach(async () => {
        await emu?.stop();
    });

    it('commits the request, then answers its status with no body', async () => {
        emu = await AzureDevOpsEmulator.start({ token: 'emulator-token', projects: [{ id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' }] });
        emu.addFault({ method: 'POST', action: { kind: 'emptyReply' } });
        const url = new URL('Fabrikam/_apis/wit/attachments?fileName=a.txt&uploadType=Simple', emu.collectionUrl);

        const reply = await new Promise<{ status?: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
            const req = http.request(url, {
                method: 'POST',
                agent: false,
                headers: { Authorization: 'Bearer emulator-token', Accept: 'application/json;api-version=7.1', 'Content-Type': 'application/octet-stream' },
            });
            req.on('response', (res) => {
                const parts: Buffer[] = [];
                res.on('data', (chunk: Buffer) => parts.push(chunk));
                res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(parts).toString() }));
            });
            req.on('error', reject);
            req.end('alpha');
        });

        assert.equal(reply.status, 201);
        assert.equal(reply.body, '');
        assert.equal(reply.headers['content-length'], '0');
        assert.equal(reply.headers['content-type'], undefined);
        assert.deepEqual(emu.attachments().map((attachment) => [attachment.fileName, attachment.complete, attachment.content?.toString()]), [['a.txt', true, 'alpha']]);
        await emu.stop();
        assert.equal(emu.requests[0].committedStatus, 201);
        assert.equal(emu.requests[0].status, 201);
        assert.equal(emu.requests[0].fault, 'emptyReply');
    });
});
