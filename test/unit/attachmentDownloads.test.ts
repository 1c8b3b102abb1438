import * as assert from 'assert/strict';
import { createHash } from 'crypto';
import * as sinon from 'sinon';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import { AttachmentDownloads } from '../../engine/link/attachmentDownloads';
import { attachmentIn, relationComment, type AttachedFileRelation, type HashedFile, type WorkItemSnapshot } from '../../engine/link/linkPlan';
import { proveOlderVersions } from '../../engine/link/olderVersions';
import { proveReuse, type ReuseProofContext } from '../../engine/link/reuseProof';

const COLLECTION = 'https://ado.example/org/';

function sha256(content: string): string {
    return createHash('sha256').update(content).digest('hex');
}

function guid(n: number): string {
    return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

function hashedFile(relativePath: string, content: string): HashedFile {
    const size = content.length;
    const file: ArtifactFile = { absolutePath: `/a/${relativePath}`, relativePath, name: 'app.log', size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
    return { file, sha256: sha256(content) };
}

function relation(n: number, hashed: HashedFile): AttachedFileRelation {
    const url = `${COLLECTION}_apis/wit/attachments/${guid(n)}`;
    return { index: n, url, attachment: attachmentIn(url, [COLLECTION]), name: 'app.log', size: hashed.file.size, comment: relationComment('run 1', hashed.sha256) };
}

describe('AttachmentDownloads: one per run, shared by both proofs', () => {
    // Two files of one name (x64/app.log, arm64/app.log), both linked by an earlier run: each attachment is a reuse
    // claim for its own file and a candidate older version of the other.
    const x64 = hashedFile('x64/app.log', 'built for x64');
    const arm64 = hashedFile('arm64/app.log', 'built for arm64');
    const items: WorkItemSnapshot[] = [{ id: 7, rev: 1, attachedFiles: [relation(1, x64), relation(2, arm64)] }];
    const content: Record<string, string> = { [guid(1)]: x64.sha256, [guid(2)]: arm64.sha256 };

    function context(download: sinon.SinonStub): ReuseProofContext {
        return { downloads: new AttachmentDownloads(download), concurrency: 2, log: { info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy() }, loc: (key) => key, describe: String };
    }

    // The older-version proof is given arm64/app.log alone, so that x64's attachment, which the reuse proof downloaded,
    // is a candidate older version of it (with x64/app.log in the same run it would be x64's current version instead).
    it('downloads each attachment once when the reuse proof and the older-version proof both ask for it', async () => {
        const download = sinon.stub<[string, number], Promise<string | undefined>>().callsFake(async (id) => content[id]);
        const shared = context(download);

        const proven = await proveReuse([x64, arm64], items, shared);
        const older = await proveOlderVersions([arm64], items, shared);

        assert.equal(proven.size, 2);
        assert.deepEqual(older.get(7)?.get(arm64), [items[0].attachedFiles[0]], 'the proofs still find what they found alone');
        assert.deepEqual(download.args.map(([id]) => id).sort(), [guid(1), guid(2)]);
    });

    it('does not download again an attachment whose download failed, and each proof still tells the failure its own way', async () => {
        const download = sinon.stub<[string, number], Promise<string | undefined>>().rejects(new Error('connection reset'));
        const shared = context(download);

        const proven = await proveReuse([x64, arm64], items, shared);
        const older = await proveOlderVersions([arm64], items, shared);

        assert.equal(proven.size, 0);
        assert.equal(older.size, 0);
        assert.deepEqual(download.args.map(([id]) => id).sort(), [guid(1), guid(2)], 'each failed once, for the reuse proof; not again for the other');
        assert.ok((shared.log.info as sinon.SinonSpy).calledWith('ReuseCheckFailed'));
        assert.ok((shared.log.info as sinon.SinonSpy).calledWith('OlderVersionCheckFailed'));
    });
});
