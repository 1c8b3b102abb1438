import { strict as assert } from 'assert';
import { AzureDevOpsEmulator, type EmulatorOptions } from '../emulator';
import { sendToEmulator, type EmulatorReply } from './emulatorRequest';

/*
 * The emulator behaves as FACTS.md (and the REST specs) say the service does: each test names the statement it holds
 * the emulator to. Where the real behaviour is unknown, the emulator has a switch and both settings are tested here.
 */

const token = 'emulator-token';
const octet = { 'Content-Type': 'application/octet-stream' };
const MiB = 1024 * 1024;

type Reply = EmulatorReply;

/** `target` is relative to the collection URL; the headers are those of a well-behaved client, asking for 7.0. */
function send(emu: AzureDevOpsEmulator, method: string, target: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<Reply> {
    return sendToEmulator(emu, token, method, target, { Accept: 'application/json;api-version=7.0', ...headers }, body);
}

const startChunked = (emu: AzureDevOpsEmulator) => send(emu, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=big.bin&uploadType=Chunked', octet);
const putChunk = (emu: AzureDevOpsEmulator, id: string, range: string, body: Buffer | string) =>
    send(emu, 'PUT', `Fabrikam/_apis/wit/attachments/${id}`, { ...octet, 'Content-Range': range }, body);

/** FACTS.md: `{"$id":"1","innerException":null,"message":"TF...: ...","typeName":"...","typeKey":"...","errorCode":0,"eventId":3000}`. */
function assertErrorShape(reply: Reply, status: number, typeKey: string, message: RegExp): void {
    assert.equal(reply.status, status);
    const body = reply.json();
    assert.deepEqual(Object.keys(body).sort(), ['$id', 'errorCode', 'eventId', 'innerException', 'message', 'typeKey', 'typeName']);
    assert.equal(body.typeKey, typeKey);
    assert.match(String(body.typeName), new RegExp(`\\.${typeKey}, `));
    assert.match(String(body.message), message);
}

describe('emulator: truthful to FACTS.md', () => {
    let emu: AzureDevOpsEmulator | undefined;
    const start = async (options: EmulatorOptions = {}) => {
        emu = await AzureDevOpsEmulator.start(options);
        return emu;
    };

    afterEach(async () => {
        await emu?.stop();
        emu = undefined;
    });

    describe('chunked upload', () => {
        it('answers the start 202 with a Location header and the reference, the middle chunk 202, the final chunk 201 with Location', async () => {
            const e = await start();
            const started = await startChunked(e);
            assert.equal(started.status, 202);
            const { id, url } = started.json() as { id: string; url: string };
            assert.equal(started.headers.location, url);
            const middle = await putChunk(e, id, 'bytes 0-2/5', 'abc');
            assert.equal(middle.status, 202);
            const last = await putChunk(e, id, 'bytes 3-4/5', 'de');
            assert.equal(last.status, 201);
            assert.deepEqual(last.json(), { id, url });
            assert.equal(last.headers.location, url);
        });

        it('with chunkedStartStatus 201 answers the start 201 (the 7.1 spec example), still with Location and the reference', async () => {
            const e = await start({ chunkedStartStatus: 201 });
            const started = await startChunked(e);
            assert.equal(started.status, 201);
            assert.equal(started.headers.location, started.json().url);
            assert.equal(e.attachment(String(started.json().id))?.complete, false);
        });

        it('refuses a first chunk that does not start at 0 with 400 WorkItemAttachmentIncorrectOffsetException', async () => {
            const e = await start();
            const id = String((await startChunked(e)).json().id);
            assertErrorShape(await putChunk(e, id, 'bytes 2-4/5', 'cde'), 400, 'WorkItemAttachmentIncorrectOffsetException', /^TF\d+: .*start at 0/);
        });

        it('refuses a chunk that starts ahead of the bytes received with 400 WorkItemAttachmentIncorrectOffsetException', async () => {
            const e = await start();
            const id = String((await startChunked(e)).json().id);
            assert.equal((await putChunk(e, id, 'bytes 0-1/6', 'ab')).status, 202);
            assertErrorShape(await putChunk(e, id, 'bytes 4-5/6', 'ef'), 400, 'WorkItemAttachmentIncorrectOffsetException', /must start at 2/);
            assert.equal(e.attachment(id)?.size, 2);
        });

        it('refuses a multipart or form-data chunk, or one without a Content-Type, with 400 and keeps none of it', async () => {
            const e = await start();
            const id = String((await startChunked(e)).json().id);
            const multipart = await send(e, 'PUT', `Fabrikam/_apis/wit/attachments/${id}`, { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Range': 'bytes 0-2/3' }, 'abc');
            assert.equal(multipart.status, 400);
            const form = await send(e, 'PUT', `Fabrikam/_apis/wit/attachments/${id}`, { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Range': 'bytes 0-2/3' }, 'abc');
            assert.equal(form.status, 400);
            const none = await send(e, 'PUT', `Fabrikam/_apis/wit/attachments/${id}`, { 'Content-Range': 'bytes 0-2/3' }, 'abc');
            assert.equal(none.status, 400);
            assert.equal(e.attachment(id)?.size, 0);
            assert.equal((await putChunk(e, id, 'bytes 0-2/3', 'abc')).status, 201);
        });
    });

    describe('size limit per server version', () => {
        it('is 60 MB by default: a chunked total of 60 MiB + 1 fails on its first chunk with 400 TF237082 (60.000 MB(s))', async () => {
            const e = await start({ serverVersion: '7.0' });
            const id = String((await startChunked(e)).json().id);
            const reply = await putChunk(e, id, `bytes 0-0/${60 * MiB + 1}`, 'a');
            assert.equal(reply.status, 400);
            assert.match(String(reply.json().message), /^TF237082: .*\(60\.000 MB\(s\)\)/);
            assert.equal((await putChunk(e, id, `bytes 0-0/${60 * MiB}`, 'a')).status, 202);
        });

        it('is 4 MB on TFS 2017 and older (REST 3.x): a total of 4 MiB + 1 fails with TF237082 (4.000 MB(s))', async () => {
            const e = await start({ serverVersion: '3.2' });
            const reply = await send(e, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=big.bin&uploadType=Chunked', { ...octet, Accept: 'application/json;api-version=3.2' });
            const id = String(reply.json().id);
            const over = await send(e, 'PUT', `Fabrikam/_apis/wit/attachments/${id}`, {
                ...octet,
                Accept: 'application/json;api-version=3.2',
                'Content-Range': `bytes 0-0/${4 * MiB + 1}`,
            }, 'a');
            assert.equal(over.status, 400);
            assert.match(String(over.json().message), /^TF237082: .*\(4\.000 MB\(s\)\)/);
        });
    });

    describe('areaPath', () => {
        it('answers a create under a denied area path 403 TF237111 with WorkItemUnauthorizedAttachmentException', async () => {
            const e = await start({ deniedAreaPaths: ['Fabrikam\\Secret'] });
            const reply = await send(e, 'POST', `Fabrikam/_apis/wit/attachments?fileName=a.txt&areaPath=${encodeURIComponent('Fabrikam\\Secret')}`, octet, 'a');
            assertErrorShape(reply, 403, 'WorkItemUnauthorizedAttachmentException', /^TF237111: /);
            assert.equal(e.attachments().length, 0);
        });
    });

    describe('work items', () => {
        it('answers a failed test of /rev 412 VS403351 with TestPatchOperationFailedException, not TF26071 (the 409 of racing saves)', async () => {
            const e = await start({ workItems: [{ id: 7 }] });
            const url = String((await send(e, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=a.txt', octet, 'a')).json().url);
            e.touchWorkItem(7);
            const body = JSON.stringify([
                { op: 'test', path: '/rev', value: 1 },
                { op: 'add', path: '/relations/-', value: { rel: 'AttachedFile', url, attributes: { comment: 'c' } } },
            ]);
            const reply = await send(e, 'PATCH', 'Fabrikam/_apis/wit/workitems/7', { 'Content-Type': 'application/json-patch+json' }, body);
            assertErrorShape(reply, 412, 'TestPatchOperationFailedException', /^VS403351: Test Operation for path \/rev failed/);
            assert.deepEqual([e.workItem(7)?.rev, e.workItem(7)?.relations.length], [2, 0]);
        });

        it('answers a 101st attached file 400 with the VS403313 text FACTS.md quotes', async () => {
            const e = await start({ workItems: [{ id: 7, attachedFiles: 100 }] });
            const url = String((await send(e, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=a.txt', octet, 'a')).json().url);
            const body = JSON.stringify([{ op: 'add', path: '/relations/-', value: { rel: 'AttachedFile', url, attributes: { comment: 'c' } } }]);
            const reply = await send(e, 'PATCH', 'Fabrikam/_apis/wit/workitems/7', { 'Content-Type': 'application/json-patch+json' }, body);
            assert.equal(reply.status, 400);
            assert.equal(reply.json().message, 'VS403313: The number of attachments exceeded the limit. One work item should contain no more than 100 attachments.');
        });
    });

    describe('resource areas on-prem', () => {
        it("answers GET _apis/ResourceAreas {count:0,value:null} by default and 404 with resourceAreas 'onprem404'; OPTIONS still answers", async () => {
            const empty = await start();
            const listed = await send(empty, 'GET', '_apis/ResourceAreas');
            assert.deepEqual([listed.status, listed.json()], [200, { count: 0, value: null }]);
            await empty.stop();
            const absent = await start({ resourceAreas: 'onprem404' });
            assert.equal((await send(absent, 'GET', '_apis/ResourceAreas')).status, 404);
            const options = await send(absent, 'OPTIONS', '_apis/wit');
            assert.equal(options.status, 200);
            assert.ok((options.json().value as unknown[]).length > 0);
        });
    });

    describe('WIQL', () => {
        it('caps the result at 20,000 items even when $top asks for more', async () => {
            const ids = Array.from({ length: 20_005 }, (_, n) => n + 1);
            const e = await start({ wiql: () => ({ workItems: ids }) });
            const reply = await send(e, 'POST', 'Fabrikam/_apis/wit/wiql?$top=30000', { 'Content-Type': 'application/json' }, JSON.stringify({ query: 'SELECT [System.Id] FROM WorkItems' }));
            assert.equal(reply.status, 200);
            assert.equal((reply.json().workItems as unknown[]).length, 20_000);
            const small = await send(e, 'POST', 'Fabrikam/_apis/wit/wiql?$top=3', { 'Content-Type': 'application/json' }, JSON.stringify({ query: 'SELECT [System.Id] FROM WorkItems' }));
            assert.equal((small.json().workItems as unknown[]).length, 3);
        });
    });
});
