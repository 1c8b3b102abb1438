import * as assert from 'assert/strict';
import { createHash } from 'crypto';
import * as sinon from 'sinon';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import { discussionHtml, MAX_PREVIEWS } from '../../engine/link/discussion';
import { attachmentIn, relationComment, type AttachedFileRelation, type HashedFile, type WorkItemSnapshot } from '../../engine/link/linkPlan';
import { AttachmentDownloads } from '../../engine/link/attachmentDownloads';
import { MAX_OLDER_VERSION_CHECKS_PER_FILE, proveOlderVersions } from '../../engine/link/olderVersions';
import type { ReuseProofContext } from '../../engine/link/reuseProof';

const COLLECTION = 'https://ado.example/org/';
const loc = (key: string, ...params: (string | number)[]) => [key, ...params].join('|');

function sha256(content: string): string {
    return createHash('sha256').update(content).digest('hex');
}

function guid(n: number): string {
    return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

describe('proveOlderVersions', () => {
    const file: ArtifactFile = { absolutePath: '/a/nightly.log', relativePath: 'nightly.log', name: 'nightly.log', size: 9, fingerprint: { dev: 0n, ino: 0n, size: 9n, mtimeNs: 0n, ctimeNs: 0n } };
    const hashed: HashedFile = { file, sha256: sha256('new night') };
    const older = 'old night';

    function relation(n: number, comment: string | undefined, size = older.length): AttachedFileRelation {
        const url = `${COLLECTION}_apis/wit/attachments/${guid(n)}`;
        return { index: n, url, attachment: attachmentIn(url, [COLLECTION]), name: 'nightly.log', size, comment };
    }

    function context(sha: (id: string) => Promise<string | undefined>): ReuseProofContext & { attachmentSha256: sinon.SinonStub } {
        const attachmentSha256 = sinon.stub().callsFake(sha);
        return { attachmentSha256, downloads: new AttachmentDownloads(attachmentSha256), concurrency: 2, log: { info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy() }, loc, describe: String };
    }

    it('proves a relation whose task marker matches its downloaded content', async () => {
        const ours = relation(1, relationComment('run 1', sha256(older)));
        const items: WorkItemSnapshot[] = [{ id: 5, rev: 1, attachedFiles: [ours] }];
        const found = await proveOlderVersions([hashed], items, context(async () => sha256(older)));
        assert.deepEqual(found.get(5)?.get(hashed), [ours]);
    });

    it('leaves alone a relation without the marker, with a marker its content does not match, or whose download fails', async () => {
        const items: WorkItemSnapshot[] = [
            {
                id: 5,
                rev: 1,
                attachedFiles: [relation(1, 'by hand'), relation(2, relationComment('forged', sha256('something else'))), relation(3, relationComment('run', sha256(older)))],
            },
        ];
        const ctx = context(async (id) => {
            if (id === guid(3)) {
                throw new Error('connection reset');
            }
            return sha256(older);
        });
        const found = await proveOlderVersions([hashed], items, ctx);
        assert.equal(found.size, 0);
        assert.equal(ctx.attachmentSha256.callCount, 2, 'the relation without a marker is not even downloaded');
    });

    it('never treats the same content as an older version, and downloads at most the bound per file', async () => {
        const same = relation(0, relationComment('run', hashed.sha256));
        const many = Array.from({ length: MAX_OLDER_VERSION_CHECKS_PER_FILE + 5 }, (_, n) => relation(n + 1, relationComment('run', sha256(`${n}`))));
        const ctx = context(async () => undefined);
        await proveOlderVersions([hashed], [{ id: 5, rev: 1, attachedFiles: [same, ...many] }], ctx);
        assert.equal(ctx.attachmentSha256.callCount, MAX_OLDER_VERSION_CHECKS_PER_FILE);
        assert.ok(!ctx.attachmentSha256.calledWith(guid(0)));
    });
});

describe('discussionHtml', () => {
    it('escapes names, URLs and the run, and links no URL that is not http(s)', () => {
        const html = discussionHtml(
            [
                { name: 'a"><script>.png', size: 3, url: 'https://ado.example/org/_apis/wit/attachments/x?fileName=a"b' },
                { name: 'b.png', size: 3, url: 'javascript:alert(1)' },
            ],
            { url: 'javascript:alert(2)', text: 'R&D' },
            loc,
        );
        assert.ok(!html.includes('<script'));
        assert.ok(!html.includes('javascript:'), html);
        assert.ok(html.includes('fileName=a&#34;b'));
        assert.ok(html.includes('R&#38;D'));
        assert.equal([...html.matchAll(/<img /g)].length, 1, 'only the http image is previewed');
    });

    it('previews at most MAX_PREVIEWS images and never an svg', () => {
        const files = [...Array.from({ length: 12 }, (_, n) => ({ name: `${n}.PNG`, size: 1, url: `https://x.example/${n}` })), { name: 'x.svg', size: 1, url: 'https://x.example/svg' }];
        const html = discussionHtml(files, { text: 'run' }, loc);
        assert.equal([...html.matchAll(/<img /g)].length, MAX_PREVIEWS);
        assert.ok(!/<img [^>]*svg/.test(html));
    });
});
