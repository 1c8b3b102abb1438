import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Readable } from 'stream';
import sinon from 'sinon';
import { ReadBufferPool } from '../../engine/files/readBuffers';
import { findArtifacts } from '../../engine/find/findArtifacts';
import { RetryPolicy, systemClock } from '../../engine/http/retryPolicy';
import { AttachmentClient, type LocateResource } from '../../engine/upload/attachmentClient';
import { UploadProgress } from '../../engine/upload/progress';
import { uploadFile } from '../../engine/upload/uploadFile';
import type { HttpRequest, HttpResponse, HttpTransport } from '../../engine/http/httpTransport';

const MiB = 1024 * 1024;

/** A transport that answers the chunked protocol: 202 for middle chunks, 201 with the reference for the last. */
class ChunkedServer implements HttpTransport {
    readonly requests: { method: string; url: string; range?: string }[] = [];

    async send(request: HttpRequest): Promise<HttpResponse> {
        const body = request.body?.open();
        if (body instanceof Readable) {
            for await (const chunk of body) {
                void chunk; // read to the end, as a server does
            }
        }
        this.requests.push({ method: request.method, url: request.url, range: request.headers['Content-Range'] });
        const reference = JSON.stringify({ id: 'a1', url: 'https://dev.azure.com/org/_apis/wit/attachments/a1' });
        const last = request.headers['Content-Range']?.match(/-(\d+)\/(\d+)$/);
        const status = request.method === 'POST' ? 201 : last && Number(last[1]) + 1 === Number(last[2]) ? 201 : 202;
        return { status, headers: {}, body: request.method === 'PUT' && status === 202 ? '' : reference };
    }

    close(): void {}
}

describe('chunked upload: the chunk URL', () => {
    let folder: string;

    beforeEach(() => {
        folder = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-chunk-target-'));
    });

    afterEach(() => {
        fs.rmSync(folder, { recursive: true, force: true });
    });

    it('is resolved once per file, not once per chunk, and every chunk goes to it', async () => {
        fs.writeFileSync(path.join(folder, 'big.bin'), Buffer.alloc(3 * MiB + 1, 7));
        const [file] = findArtifacts(folder, ['big.bin'], { allowFilesOutsideRoot: false }).files;
        // As node-api builds it: the route, then the query.
        const locate = sinon.spy<LocateResource>(async (_area, _id, _version, routeValues, query) => {
            const search = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined)).toString();
            return { requestUrl: `https://dev.azure.com/org/p/_apis/wit/attachments${routeValues.id ? `/${routeValues.id}` : ''}${search ? `?${search}` : ''}`, apiVersion: '7.1-preview.3' };
        });
        const server = new ChunkedServer();
        const client = new AttachmentClient(server, locate, { project: 'p' }, () => undefined);

        const uploaded = await uploadFile(file, {
            client,
            policy: new RetryPolicy(0, systemClock, () => undefined),
            progress: new UploadProgress(file.size, () => undefined),
            clock: systemClock,
            chunkSizeBytes: MiB,
            uploadType: 'chunked',
            readBuffers: new ReadBufferPool(MiB, 2),
        });

        assert.equal(uploaded.id, 'a1');
        const chunks = server.requests.filter((request) => request.method === 'PUT');
        assert.equal(chunks.length, 4);
        assert.deepEqual(new Set(chunks.map((request) => request.url)).size, 1);
        assert.match(chunks[0].url, /\/attachments\/a1\?fileName=big\.bin$/);
        // One location for the start, one for the chunks of this file.
        assert.equal(locate.callCount, 2);
        assert.deepEqual(locate.getCalls().map((call) => call.args[3].id), [undefined, 'a1']);
    });
});
