import { strict as assert } from 'assert';
import { createHash } from 'crypto';
import * as http from 'http';
import * as https from 'https';
import { Readable } from 'stream';
import { WebApi, getBearerHandler } from 'azure-devops-node-api';
import { AzureDevOpsEmulator, locationIds, testCertificates, type EmulatorOptions } from '../emulator';

const token = 'emulator-token';

interface Reply {
    status: number;
    headers: http.IncomingHttpHeaders;
    body: Buffer;
    json(): Record<string, unknown>;
    reusedSocket: boolean;
}

interface SendOptions {
    headers?: Record<string, string | undefined>;
    body?: Buffer | string;
    /** Sends the body with Transfer-Encoding: chunked, in two writes. */
    chunked?: boolean;
    agent?: http.Agent;
    tls?: https.RequestOptions;
}

/** `target` is absolute or relative to the collection URL. Default headers are those of a well-behaved client. */
function send(emu: AzureDevOpsEmulator, method: string, target: string, options: SendOptions = {}): Promise<Reply> {
    const url = new URL(target, emu.collectionUrl);
    const headers: Record<string, string> = {};
    const merged: Record<string, string | undefined> = {
        Authorization: `Bearer ${token}`,
        'X-TFS-FedAuthRedirect': 'Suppress',
        Accept: 'application/json;api-version=7.1',
        ...options.headers,
    };
    for (const [name, value] of Object.entries(merged)) {
        if (value !== undefined) {
            headers[name] = value;
        }
    }
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    if (body && !options.chunked) {
        headers['Content-Length'] = String(body.length);
    }
    const client = url.protocol === 'https:' ? https : http;
    return new Promise<Reply>((resolve, reject) => {
        const req = client.request(url, { method, headers, agent: options.agent ?? false, ...options.tls }, (res) => {
            const parts: Buffer[] = [];
            res.on('data', (chunk: Buffer) => parts.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
                const bytes = Buffer.concat(parts);
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    body: bytes,
                    json: () => JSON.parse(bytes.toString('utf8')) as Record<string, unknown>,
                    reusedSocket: req.reusedSocket,
                });
            });
        });
        req.on('error', reject);
        if (body && options.chunked) {
            const half = Math.floor(body.length / 2);
            req.write(body.subarray(0, half));
            req.end(body.subarray(half));
        } else {
            req.end(body);
        }
    });
}

const octet = { 'Content-Type': 'application/octet-stream' };

function createSimple(emu: AzureDevOpsEmulator, fileName: string, body: Buffer | string, query = ''): Promise<Reply> {
    return send(emu, 'POST', `Fabrikam/_apis/wit/attachments?fileName=${encodeURIComponent(fileName)}&uploadType=Simple${query}`, {
        headers: octet,
        body,
    });
}

async function startChunked(emu: AzureDevOpsEmulator, fileName = 'big.bin'): Promise<string> {
    const reply = await send(emu, 'POST', `Fabrikam/_apis/wit/attachments?fileName=${fileName}&uploadType=Chunked`, { headers: octet });
    assert.equal(reply.status, 202, reply.body.toString());
    return reply.json().id as string;
}

function putChunk(emu: AzureDevOpsEmulator, id: string, range: string, body: Buffer, extra: SendOptions = {}): Promise<Reply> {
    return send(emu, 'PUT', `Fabrikam/_apis/wit/attachments/${id}?fileName=big.bin`, {
        ...extra,
        headers: { ...octet, 'Content-Range': range, ...extra.headers },
        body,
    });
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

async function waitFor(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 2000;
    while (!condition()) {
        if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
    }
}

describe('Azure DevOps emulator', () => {
    let emu: AzureDevOpsEmulator;
    const start = async (options?: EmulatorOptions): Promise<AzureDevOpsEmulator> => {
        emu = await AzureDevOpsEmulator.start(options);
        return emu;
    };
    afterEach(async () => {
        await emu?.stop();
    });

    describe('authentication', () => {
        it('answers a wrong token with 401, a TF400813 body and WWW-Authenticate when the client suppresses the sign-in redirect', async () => {
            await start();
            const reply = await send(emu, 'OPTIONS', '_apis/wit', { headers: { Authorization: 'Bearer wrong' } });
            assert.equal(reply.status, 401);
            assert.equal(reply.headers['www-authenticate'], 'Bearer');
            assert.match(String(reply.json().message), /^TF400813: /);
        });

        it('answers a missing token with a 203 HTML sign-in page when the client does not suppress the redirect', async () => {
            await start();
            const reply = await send(emu, 'OPTIONS', '_apis/wit', { headers: { Authorization: undefined, 'X-TFS-FedAuthRedirect': undefined } });
            assert.equal(reply.status, 203);
            assert.match(String(reply.headers['content-type']), /^text\/html/);
            assert.match(reply.body.toString(), /<html/i);
        });

        it('accepts the token as the password of Basic auth', async () => {
            await start({ token: 's3cret' });
            const basic = `Basic ${Buffer.from(':s3cret').toString('base64')}`;
            const reply = await send(emu, 'OPTIONS', '_apis/wit', { headers: { Authorization: basic } });
            assert.equal(reply.status, 200);
        });
    });

    describe('api versions', () => {
        it('rejects an api-version newer than the server speaks with VssVersionOutOfRangeException', async () => {
            await start({ serverVersion: '5.0' });
            const viaHeader = await send(emu, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=a.txt', {
                headers: { ...octet, Accept: 'application/json;api-version=7.1-preview.3' },
                body: 'x',
            });
            assert.equal(viaHeader.status, 400);
            assert.equal(viaHeader.json().typeKey, 'VssVersionOutOfRangeException');
            assert.equal(
                viaHeader.json().message,
                'The requested REST API version of 7.1 is out of range for this server. The latest REST API version this server supports is 5.0.',
            );
        });

        it('reads the api-version from the query as well as from the Accept header', async () => {
            await start();
            const reply = await send(emu, 'GET', '_apis/ResourceAreas?api-version=7.2-preview.1', { headers: { Accept: 'application/json' } });
            assert.equal(reply.status, 400);
            assert.equal(reply.json().typeKey, 'VssVersionOutOfRangeException');
            assert.equal(emu.requests[0].apiVersion, '7.2-preview.1');
        });

        it('requires an api-version on every _apis call except OPTIONS', async () => {
            await start();
            const reply = await send(emu, 'GET', '_apis/ResourceAreas', { headers: { Accept: 'application/json' } });
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /api-version/);
        });
    });

    describe('locations', () => {
        it('describes the attachments resource on OPTIONS _apis/wit, whatever the case of the area', async () => {
            await start({ serverVersion: '6.0' });
            const reply = await send(emu, 'OPTIONS', '_apis/WIT', { headers: { Accept: 'application/json' } });
            assert.equal(reply.status, 200);
            const value = reply.json().value as Record<string, unknown>[];
            const attachments = value.find((location) => location.id === locationIds.attachments);
            assert.deepEqual(attachments, {
                id: locationIds.attachments,
                area: 'wit',
                resourceName: 'attachments',
                routeTemplate: '{project}/_apis/{area}/{resource}/{id}',
                resourceVersion: 3,
                minVersion: '1.0',
                maxVersion: '6.0',
                releasedVersion: '6.0',
            });
        });

        it('answers an empty list for an unknown area', async () => {
            await start();
            const reply = await send(emu, 'OPTIONS', '_apis/nosuch', { headers: { Accept: 'application/json' } });
            assert.deepEqual(reply.json(), { count: 0, value: [] });
        });

        it('answers ResourceAreas like an on-prem server by default', async () => {
            await start();
            const reply = await send(emu, 'GET', '_apis/ResourceAreas', { headers: { Accept: 'application/json;api-version=7.1' } });
            assert.deepEqual(reply.json(), { count: 0, value: null });
        });

        it('answers ResourceAreas like the hosted service when asked, pointing every area but Release at the collection', async () => {
            await start({ resourceAreas: 'hosted' });
            const reply = await send(emu, 'GET', '_apis/ResourceAreas', { headers: { Accept: 'application/json;api-version=7.1' } });
            const value = reply.json().value as { id: string; locationUrl: string }[];
            const wit = value.find((area) => area.id === '5264459e-e5e0-4bd8-b118-0985e68a4ec5');
            assert.equal(wit?.locationUrl, emu.collectionUrl);
        });
    });

    describe('with azure-devops-node-api', () => {
        async function negotiate(serverVersion: string): Promise<{ apiVersion?: string; requestUrl?: string }> {
            await start({ serverVersion });
            const webApi = new WebApi(emu.collectionUrl, getBearerHandler(token));
            const wit = await webApi.getWorkItemTrackingApi();
            return wit.vsoClient.getVersioningData('7.1-preview.3', 'wit', locationIds.attachments, { project: 'Fabrikam' }, { fileName: 'a.txt' });
        }

        for (const [serverVersion, expected] of [
            ['7.1', '7.1-preview.3'],
            ['5.0', '5.0'],
        ]) {
            it(`negotiates ${expected} against a ${serverVersion} server, and the server accepts it`, async () => {
                const { apiVersion, requestUrl } = await negotiate(serverVersion);
                assert.equal(apiVersion, expected);
                assert.equal(requestUrl, `${emu.collectionUrl}Fabrikam/_apis/wit/attachments?fileName=a.txt`);
                const reply = await send(emu, 'POST', String(requestUrl), {
                    headers: { ...octet, Accept: `application/json;api-version=${apiVersion}` },
                    body: 'hello',
                });
                assert.equal(reply.status, 201, reply.body.toString());
            });
        }

        it('round-trips a file through WorkItemTrackingApi.createAttachment', async () => {
            await start({ resourceAreas: 'hosted' });
            const content = Buffer.from('node-api upload \u00e9\u0000\u00ff');
            const wit = await new WebApi(emu.collectionUrl, getBearerHandler(token)).getWorkItemTrackingApi();
            const reference = await wit.createAttachment(null, Readable.from([content]), 'note.txt', 'Simple', 'Fabrikam');
            assert.ok(reference.url);
            assert.deepEqual(await emu.download(reference.url), content);
            assert.equal(emu.attachment(String(reference.id))?.project, 'Fabrikam');
        });
    });

    describe('simple upload', () => {
        it('stores the bytes and answers 201 with the id and a collection-level url', async () => {
            await start();
            const reply = await createSimple(emu, 'my file.txt', 'hello');
            assert.equal(reply.status, 201);
            const { id, url } = reply.json() as { id: string; url: string };
            assert.equal(url, `${emu.collectionUrl}_apis/wit/attachments/${id}?fileName=my%20file.txt`);
            const stored = emu.attachment(id);
            assert.equal(stored?.content?.toString(), 'hello');
            assert.equal(stored?.sha256, sha256('hello'));
            assert.equal(stored?.complete, true);
        });

        it('records each request with its headers, body size and hash', async () => {
            await start();
            await createSimple(emu, 'a.txt', 'hello');
            const [recorded] = emu.requests;
            assert.equal(recorded.method, 'POST');
            assert.equal(recorded.headers.authorization, `Bearer ${token}`);
            assert.equal(recorded.query.fileName, 'a.txt');
            assert.equal(recorded.bodyBytes, 5);
            assert.equal(recorded.bodySha256, sha256('hello'));
            assert.equal(recorded.status, 201);
        });

        it('accepts a streamed body with Transfer-Encoding: chunked', async () => {
            await start();
            const body = Buffer.alloc(10_000, 7);
            const reply = await send(emu, 'POST', '_apis/wit/attachments?fileName=s.bin', { headers: octet, body, chunked: true });
            assert.equal(reply.status, 201);
            assert.equal(emu.attachments()[0].size, 10_000);
        });

        it('finds the project by id, case-insensitively, and keeps it as written', async () => {
            await start({ projects: [{ id: 'AAAA0000-1111-2222-3333-444455556666', name: 'Fabrikam' }] });
            const reply = await send(emu, 'POST', 'aaaa0000-1111-2222-3333-444455556666/_apis/wit/attachments?fileName=a.txt', { headers: octet, body: 'x' });
            assert.equal(reply.status, 201);
            assert.equal(emu.attachments()[0].project, 'aaaa0000-1111-2222-3333-444455556666');
        });

        it('answers 404 TF200016 for an unknown project', async () => {
            await start();
            const reply = await send(emu, 'POST', 'Contoso/_apis/wit/attachments?fileName=a.txt', { headers: octet, body: 'x' });
            assert.equal(reply.status, 404);
            assert.match(String(reply.json().message), /^TF200016: .*Contoso/);
        });

        it('rejects a body that is not application/octet-stream', async () => {
            await start();
            const reply = await send(emu, 'POST', '_apis/wit/attachments?fileName=a.txt', { headers: { 'Content-Type': 'application/json' }, body: '{}' });
            assert.equal(reply.status, 400);
            assert.equal(emu.attachments().length, 0);
        });

        it('requires a fileName', async () => {
            await start();
            const reply = await send(emu, 'POST', '_apis/wit/attachments?uploadType=Simple', { headers: octet, body: 'x' });
            assert.equal(reply.status, 400);
        });

        it('answers 403 TF237111 for a denied area path, whatever its case', async () => {
            await start({ deniedAreaPaths: ['Fabrikam\\Secret'] });
            const reply = await createSimple(emu, 'a.txt', 'x', `&areaPath=${encodeURIComponent('fabrikam\\secret')}`);
            assert.equal(reply.status, 403);
            assert.match(String(reply.json().message), /^TF237111: /);
        });

        it('answers 400 TF237082 with the limit in MB when the file is too big', async () => {
            await start({ maxAttachmentBytes: 1024 * 1024 });
            const reply = await send(emu, 'POST', '_apis/wit/attachments?fileName=a.bin', { headers: octet, body: Buffer.alloc(1024 * 1024 + 1), chunked: true });
            assert.equal(reply.status, 400);
            assert.equal(reply.json().message, 'TF237082: The file you are trying to upload exceeds the supported file upload size (1.000 MB(s)). Instead of uploading the file, add the file to version control or to the team project web site, and then link the file to the work item.');
            assert.equal(emu.attachments().length, 0);
        });
    });

    describe('chunked upload', () => {
        it('rejects a start without Content-Type: application/octet-stream as form data', async () => {
            await start();
            const reply = await send(emu, 'POST', '_apis/wit/attachments?fileName=a.bin&uploadType=chunked');
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /^TF400898: .*form data/);
        });

        it('registers an incomplete attachment on start and answers 202', async () => {
            await start();
            const id = await startChunked(emu);
            assert.equal(emu.attachment(id)?.complete, false);
            assert.equal(emu.attachment(id)?.uploadType, 'chunked');
        });

        it('answers 202 for an intermediate chunk and 201 for the last, then holds the whole file', async () => {
            await start();
            const id = await startChunked(emu);
            const first = await putChunk(emu, id, 'bytes 0-4/8', Buffer.from('hello'));
            const last = await putChunk(emu, id, 'bytes 5-7/8', Buffer.from(' wd'));
            assert.deepEqual([first.status, last.status], [202, 201]);
            assert.equal(last.json().id, id);
            const stored = emu.attachment(id);
            assert.equal(stored?.content?.toString(), 'hello wd');
            assert.deepEqual(stored?.chunks, [
                { first: 0, last: 4, total: 8 },
                { first: 5, last: 7, total: 8 },
            ]);
        });

        it('rejects a chunk that does not start where the previous one ended, and stores nothing of it', async () => {
            await start();
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-3/12', Buffer.from('abcd'));
            const skipped = await putChunk(emu, id, 'bytes 8-11/12', Buffer.from('ijkl'));
            assert.equal(skipped.status, 400);
            assert.match(String(skipped.json().message), /must start at 4/);
            assert.equal(emu.attachment(id)?.size, 4);
            assert.equal(emu.attachment(id)?.sha256, sha256('abcd'));
        });

        it('rejects a chunk whose body is shorter than its Content-Range', async () => {
            await start();
            const id = await startChunked(emu);
            const reply = await putChunk(emu, id, 'bytes 0-9/20', Buffer.from('short'), { chunked: true });
            assert.equal(reply.status, 400);
            assert.equal(emu.attachment(id)?.size, 0);
        });

        it('rejects a chunk whose Content-Length disagrees with its Content-Range', async () => {
            await start();
            const id = await startChunked(emu);
            const reply = await putChunk(emu, id, 'bytes 0-9/20', Buffer.alloc(11));
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /Content-Length 11/);
        });

        it('rejects a chunk whose total differs from the earlier chunks', async () => {
            await start();
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-1/4', Buffer.from('ab'));
            const reply = await putChunk(emu, id, 'bytes 2-4/5', Buffer.from('cde'));
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /total 5 differs from the total 4/);
        });

        it('rejects a malformed Content-Range', async () => {
            await start();
            const id = await startChunked(emu);
            const reply = await putChunk(emu, id, 'bytes=0-1/4', Buffer.from('ab'));
            assert.equal(reply.status, 400);
        });

        it('answers TF237082 on the first chunk when the announced total is over the limit', async () => {
            await start({ maxAttachmentBytes: 100 });
            const id = await startChunked(emu);
            const reply = await putChunk(emu, id, 'bytes 0-9/101', Buffer.alloc(10));
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /^TF237082: .*\(0\.000 MB\(s\)\)\. Instead of uploading the file/);
        });

        it('with chunkReplay reject, refuses a chunk for an attachment that is already complete', async () => {
            await start({ chunkReplay: 'reject' });
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-1/2', Buffer.from('ab'));
            const again = await putChunk(emu, id, 'bytes 0-1/2', Buffer.from('ab'));
            assert.equal(again.status, 400);
            assert.match(String(again.json().message), /already complete/);
        });

        it('with chunkReplay reject, refuses a resent middle chunk as starting at the wrong byte', async () => {
            await start({ chunkReplay: 'reject' });
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-1/4', Buffer.from('ab'));
            await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('c'));
            const again = await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('c'));
            assert.equal(again.status, 400);
            assert.match(String(again.json().message), /starts at byte 2 but 3 bytes have been received/);
        });

        it('by default accepts a replayed chunk with the same bytes, 202 in the middle and 201 once complete', async () => {
            await start();
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-1/4', Buffer.from('ab'));
            await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('c'));
            assert.equal((await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('c'))).status, 202);
            assert.equal((await putChunk(emu, id, 'bytes 3-3/4', Buffer.from('d'))).status, 201);
            assert.equal((await putChunk(emu, id, 'bytes 3-3/4', Buffer.from('d'))).status, 201);
            const stored = emu.attachment(id);
            assert.equal(stored?.complete, true);
            assert.equal(stored?.content?.toString(), 'abcd');
        });

        it('by default refuses a replayed chunk whose bytes differ, and starts the file again at offset 0', async () => {
            await start();
            const id = await startChunked(emu);
            await putChunk(emu, id, 'bytes 0-1/4', Buffer.from('ab'));
            await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('c'));
            const differs = await putChunk(emu, id, 'bytes 2-2/4', Buffer.from('X'));
            assert.equal(differs.status, 400);
            assert.equal(differs.json().typeKey, 'FileAlreadyUploadedException');
            assert.equal((await putChunk(emu, id, 'bytes 0-1/4', Buffer.from('wx'))).status, 202);
            assert.equal(emu.attachment(id)?.size, 2, 'offset 0 started a new underlying file');
            assert.equal((await putChunk(emu, id, 'bytes 2-3/4', Buffer.from('yz'))).status, 201);
            assert.equal(emu.attachment(id)?.content?.toString(), 'wxyz');
        });

        it('answers 404 for a chunk of an unknown attachment', async () => {
            await start();
            const reply = await putChunk(emu, '00000000-0000-0000-0000-000000000000', 'bytes 0-1/2', Buffer.from('ab'));
            assert.equal(reply.status, 404);
        });

        it('refuses chunks POSTed the way the 4.1 docs show', async () => {
            await start();
            const reply = await send(emu, 'POST', '_apis/wit/attachments?fileName=a.bin&uploadType=Chunked', {
                headers: { ...octet, 'Content-Range': 'bytes 0-1/2' },
                body: 'ab',
            });
            assert.equal(reply.status, 405);
        });
    });

    describe('attachment content', () => {
        it('answers 404 for an attachment whose upload is not complete', async () => {
            await start();
            const id = await startChunked(emu);
            const reply = await send(emu, 'GET', `_apis/wit/attachments/${id}`);
            assert.equal(reply.status, 404);
        });

        it('keeps only the size and hash with storage "hash", and answers 410 for the content', async () => {
            await start({ storage: 'hash' });
            const { id } = (await createSimple(emu, 'a.txt', 'hello')).json() as { id: string };
            assert.equal(emu.attachment(id)?.content, undefined);
            assert.equal(emu.attachment(id)?.sha256, sha256('hello'));
            const reply = await send(emu, 'GET', `_apis/wit/attachments/${id}?fileName=a.txt`, { headers: { Accept: undefined } });
            assert.equal(reply.status, 410);
        });
    });

    describe('faults', () => {
        it('answers 429 with the given headers and a TF400733 body on the nth..nth+times-1 matching requests only', async () => {
            await start();
            emu.addFault({ method: 'POST', path: /attachments$/, nth: 2, times: 2, action: { kind: 'status', status: 429, headers: { 'Retry-After': '3' } } });
            const statuses: number[] = [];
            let throttled: Reply | undefined;
            for (let i = 0; i < 4; i++) {
                const reply = await createSimple(emu, 'a.txt', 'x');
                statuses.push(reply.status);
                throttled = reply.status === 429 ? reply : throttled;
            }
            assert.deepEqual(statuses, [201, 429, 429, 201]);
            assert.equal(throttled?.headers['retry-after'], '3');
            assert.match(String(throttled?.json().message), /^TF400733: /);
            assert.deepEqual(
                emu.requests.map((request) => request.fault),
                [undefined, 'status:429', 'status:429', undefined],
            );
        });

        it('fires a fault before checking the token', async () => {
            await start();
            emu.addFault({ match: (req) => req.headers.authorization === undefined, action: { kind: 'status', status: 503 } });
            const reply = await send(emu, 'OPTIONS', '_apis/wit', { headers: { Authorization: undefined } });
            assert.equal(reply.status, 503);
        });

        it('drops the connection after the given number of body bytes on reset, storing nothing', async () => {
            await start();
            const id = await startChunked(emu);
            emu.addFault({ method: 'PUT', action: { kind: 'reset', afterBytes: 1000 } });
            await assert.rejects(putChunk(emu, id, 'bytes 0-99999/100000', Buffer.alloc(100_000)), /ECONNRESET|socket hang up|EPIPE/);
            await waitFor(() => emu.requests.length === 2, 'the reset request to be recorded');
            const recorded = emu.requests[1];
            assert.equal(recorded.status, 0);
            assert.equal(recorded.fault, 'reset');
            assert.ok(recorded.bodyBytes >= 1000 && recorded.bodyBytes < 100_000, `read ${recorded.bodyBytes} bytes`);
            assert.equal(emu.attachment(id)?.size, 0);
        });

        it('answers a delayed request normally once the delay is over', async () => {
            await start();
            emu.addFault({ method: 'POST', action: { kind: 'delay', ms: 80 } });
            const started = Date.now();
            const reply = await createSimple(emu, 'a.txt', 'x');
            assert.equal(reply.status, 201);
            assert.ok(Date.now() - started >= 75, `answered after ${Date.now() - started} ms`);
        });

        it('never answers a stalled request, and stop() still returns promptly', async () => {
            await start();
            emu.addFault({ method: 'POST', action: { kind: 'stall' } });
            let settled = false;
            const pending = createSimple(emu, 'a.txt', Buffer.alloc(1_000_000)).finally(() => (settled = true));
            pending.catch(() => undefined);
            await new Promise((resolve) => setTimeout(resolve, 100));
            assert.equal(settled, false);
            const stopping = Date.now();
            await emu.stop();
            assert.ok(Date.now() - stopping < 1000);
            await assert.rejects(pending);
            assert.equal(emu.requests[0].status, 0);
            assert.equal(emu.requests[0].fault, 'stall');
        });
    });

    describe('connections', () => {
        it('keeps a connection alive between requests', async () => {
            await start();
            const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
            try {
                await createSimple(emu, 'a.txt', 'x');
                const first = await send(emu, 'OPTIONS', '_apis/wit', { agent });
                const second = await send(emu, 'OPTIONS', '_apis/wit', { agent });
                assert.deepEqual([first.reusedSocket, second.reusedSocket], [false, true]);
            } finally {
                agent.destroy();
            }
        });

        it('speaks HTTPS and tells whether the client presented a certificate the CA vouches for', async () => {
            const { ca, serverKey, serverCert, clientKey, clientCert } = testCertificates;
            await start({ tls: { key: serverKey, cert: serverCert, ca, requestCert: true } });
            assert.match(emu.collectionUrl, /^https:\/\/127\.0\.0\.1:\d+\/org\/$/);
            const reply = await send(emu, 'OPTIONS', '_apis/wit', { tls: { ca, key: clientKey, cert: clientCert } });
            assert.equal(reply.status, 200);
            assert.equal(emu.requests[0].clientCertAuthorized, true);
        });
    });
});
