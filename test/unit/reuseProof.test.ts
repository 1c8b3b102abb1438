import * as assert from 'assert/strict';
import { createHash } from 'crypto';
import { Readable } from 'stream';
import * as sinon from 'sinon';
import { sha256OfAttachment, type AttachmentResponse } from '../../engine/link/attachmentContent';
import { HttpError } from '../../engine/http/errors';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import { attachmentIn, relationComment, type AttachedFileRelation, type HashedFile, type WorkItemSnapshot } from '../../engine/link/linkPlan';
import { AttachmentDownloads } from '../../engine/link/attachmentDownloads';
import { MAX_DOWNLOADS_PER_FILE, proveReuse, type ReuseProofContext } from '../../engine/link/reuseProof';

const COLLECTION = 'https://ado.example/org/';

function sha256(content: string): string {
    return createHash('sha256').update(content).digest('hex');
}

function guid(n: number): string {
    return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** A response that yields `chunks` and counts how many of them were pulled. */
function response(chunks: string[], status = 200, headers: Record<string, string> = {}): { response: AttachmentResponse; pulled: () => number } {
    let pulled = 0;
    const stream = Readable.from(
        (function* () {
            for (const chunk of chunks) {
                pulled++;
                yield Buffer.from(chunk);
            }
        })(),
        { highWaterMark: 1 },
    );
    return { response: Object.assign(stream, { statusCode: status, headers }), pulled: () => pulled };
}

describe('sha256OfAttachment', () => {
    it('hashes a body of exactly the expected size', async () => {
        assert.equal(await sha256OfAttachment(response(['hel', 'lo']).response, 5), sha256('hello'));
    });

    it('is undefined for a shorter body', async () => {
        assert.equal(await sha256OfAttachment(response(['hel']).response, 5), undefined);
    });

    it('stops reading as soon as the body passes the expected size', async () => {
        const longer = response(['hello', ' world', ' and', ' much', ' more']);
        assert.equal(await sha256OfAttachment(longer.response, 5), undefined);
        assert.ok(longer.pulled() <= 3, `pulled ${longer.pulled()} chunks`);
        assert.ok(longer.response.destroyed, 'the response is closed, not read on');
    });

    it('reads nothing when Content-Length already says another size', async () => {
        const declared = response(['hello'], 200, { 'content-length': '6' });
        assert.equal(await sha256OfAttachment(declared.response, 5), undefined);
        assert.equal(declared.pulled(), 0);
    });

    it("throws an error status as an HttpError with the server's message", async () => {
        const failed = response([JSON.stringify({ message: 'TF401232: attachment not found' })], 404, { 'content-type': 'application/json' });
        await assert.rejects(sha256OfAttachment(failed.response, 5), (error: unknown) => error instanceof HttpError && error.status === 404 && /TF401232/.test(error.serverMessage));
    });

    it('throws for a redirect and a sign-in page instead of hashing them', async () => {
        await assert.rejects(sha256OfAttachment(response([''], 302, { location: 'https://evil.example/' }).response, 0), (error: unknown) => error instanceof HttpError && error.status === 302);
        await assert.rejects(sha256OfAttachment(response(['<html>'], 203, { 'content-type': 'text/html' }).response, 6), (error: unknown) => error instanceof HttpError && error.status === 203);
    });
});

describe('proveReuse', () => {
    const content = 'the file';
    const file: ArtifactFile = { absolutePath: '/a/app.log', relativePath: 'logs/app.log', name: 'app.log', size: content.length, fingerprint: { dev: 0n, ino: 0n, size: BigInt(content.length), mtimeNs: 0n, ctimeNs: 0n } };
    const hashed: HashedFile = { file, sha256: sha256(content) };

    function claim(url: string, size = file.size): AttachedFileRelation {
        return { url, attachment: attachmentIn(url, [COLLECTION]), name: 'app.log', size, comment: relationComment('run 1', hashed.sha256) };
    }

    function item(id: number, ...attachedFiles: AttachedFileRelation[]): WorkItemSnapshot {
        return { id, rev: 1, attachedFiles };
    }

    function context(shaById: Record<string, string | undefined | Error>) {
        const attachmentSha256 = sinon.stub<[string, number], Promise<string | undefined>>().callsFake(async (id) => {
            const answer = shaById[id];
            if (answer instanceof Error) {
                throw answer;
            }
            return answer;
        });
        const log = { info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy() };
        const value: ReuseProofContext = { downloads: new AttachmentDownloads(attachmentSha256), concurrency: 2, log, loc: (key, ...params) => `${key}(${params.join('|')})`, describe: (error) => String(error) };
        return { value, attachmentSha256, log };
    }

    it('proves a claim by downloading it once, even when several items link it, and rebuilds its URL', async () => {
        const url = `${COLLECTION}_apis/wit/attachments/${guid(1)}`;
        const { value, attachmentSha256 } = context({ [guid(1)]: hashed.sha256 });
        const proven = await proveReuse([hashed], [item(1, claim(`${url}?fileName=evil;x`)), item(2, claim(url))], value);
        assert.deepEqual(proven.get(hashed), { id: guid(1), url: `${url}?fileName=app.log` });
        assert.deepEqual(attachmentSha256.args, [[guid(1), file.size]]);
    });

    it('rejects a claim whose content differs, and tries the next one', async () => {
        const { value, log } = context({ [guid(1)]: sha256('other!!!'), [guid(2)]: hashed.sha256 });
        const proven = await proveReuse([hashed], [item(1, claim(`${COLLECTION}_apis/wit/attachments/${guid(1)}`)), item(2, claim(`${COLLECTION}_apis/wit/attachments/${guid(2)}`))], value);
        assert.equal(proven.get(hashed)?.id, guid(2));
        assert.match(log.warning.firstCall.args[0], /^ReuseContentDiffers\(logs\/app\.log\|1\)$/);
    });

    it('never downloads a claim on another host, or one whose size differs', async () => {
        const { value, attachmentSha256, log } = context({});
        const proven = await proveReuse(
            [hashed],
            [item(1, claim(`https://evil.example/org/_apis/wit/attachments/${guid(1)}`), claim(`${COLLECTION}_apis/wit/attachments/${guid(2)}`, file.size + 1))],
            value,
        );
        assert.equal(proven.size, 0);
        assert.equal(attachmentSha256.callCount, 0);
        assert.deepEqual(log.warning.args.map(([message]) => message.split('(')[0]), ['ReuseNotOnCollection', 'ReuseSizeDiffers']);
        assert.match(log.warning.firstCall.args[0], /\|evil\.example\)$/);
    });

    it(`downloads at most ${MAX_DOWNLOADS_PER_FILE} claims for one file`, async () => {
        const claims = Array.from({ length: 10 }, (_, n) => claim(`${COLLECTION}_apis/wit/attachments/${guid(n + 1)}`));
        const { value, attachmentSha256 } = context({ [guid(10)]: hashed.sha256 });
        const proven = await proveReuse([hashed], [item(1, ...claims)], value);
        assert.equal(attachmentSha256.callCount, MAX_DOWNLOADS_PER_FILE);
        assert.equal(proven.size, 0);
    });

    it('uploads instead when the download fails, saying why', async () => {
        const { value, log } = context({ [guid(1)]: new Error('HTTP 500') });
        const proven = await proveReuse([hashed], [item(1, claim(`${COLLECTION}_apis/wit/attachments/${guid(1)}`))], value);
        assert.equal(proven.size, 0);
        assert.match(log.info.firstCall.args[0], /^ReuseCheckFailed\(logs\/app\.log\|1\|Error: HTTP 500\)$/);
    });

    it("says what the server answered when it refuses the download, in the download's words", async () => {
        const { value, log } = context({ [guid(1)]: new HttpError(404, 'TF401232: not found', undefined, {}) });
        await proveReuse([hashed], [item(1, claim(`${COLLECTION}_apis/wit/attachments/${guid(1)}`))], value);
        assert.equal(log.info.firstCall.args[0], 'ReuseCheckRefused(logs/app.log|1|404|TF401232: not found)');
    });

    it('downloads nothing for files nobody claims', async () => {
        const { value, attachmentSha256 } = context({});
        const proven = await proveReuse([hashed], [item(1, { url: `${COLLECTION}_apis/wit/attachments/${guid(1)}`, name: 'app.log', size: file.size, comment: 'by hand' })], value);
        assert.equal(proven.size, 0);
        assert.equal(attachmentSha256.callCount, 0);
    });
});
