import * as assert from 'assert/strict';
import type { ArtifactFile } from '../../tasks/UploadWorkItemAttachmentsV1/src/findArtifacts';
import {
    MAX_ATTACHMENTS_PER_WORK_ITEM,
    planLinks,
    relationComment,
    type AttachedFileRelation,
    type HashedFile,
    type WorkItemSnapshot,
} from '../../tasks/UploadWorkItemAttachmentsV1/src/linkPlan';

function hashed(name: string, sha256: string, size = 10): HashedFile {
    const file: ArtifactFile = { absolutePath: `/a/${name}`, relativePath: name, name, size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
    return { file, sha256 };
}

function attached(name: string, sha256: string, url = `https://x/_apis/wit/attachments/${name}-${sha256}`): AttachedFileRelation {
    return { name, url, comment: relationComment('Attached by run 1', sha256) };
}

function item(id: number, attachedFiles: AttachedFileRelation[] = []): WorkItemSnapshot {
    return { id, rev: 3, attachedFiles };
}

describe('planLinks', () => {
    it('uploads every file when no work item holds any of them', () => {
        const files = [hashed('a.log', 'aa'), hashed('b.log', 'bb')];
        const plan = planLinks(files, [item(1), item(2)]);
        assert.deepEqual(plan.toUpload, files);
        assert.deepEqual([...plan.missingByItem], [[1, files], [2, files]]);
        assert.deepEqual(plan.overLimit, []);
    });

    it('uploads nothing again when every target already holds the same name and content', () => {
        const files = [hashed('a.log', 'aa')];
        const plan = planLinks(files, [item(1, [attached('a.log', 'aa')]), item(2, [attached('a.log', 'aa')])]);
        assert.deepEqual(plan.toUpload, []);
        assert.deepEqual([...plan.missingByItem.values()], [[], []]);
    });

    it('links the attachment one target holds to the others instead of uploading it again', () => {
        const file = hashed('a.log', 'aa');
        const existing = attached('a.log', 'aa', 'https://x/_apis/wit/attachments/existing');
        const plan = planLinks([file], [item(1, [existing]), item(2)]);
        assert.deepEqual(plan.toUpload, []);
        assert.equal(plan.reused.get(file), 'https://x/_apis/wit/attachments/existing');
        assert.deepEqual(plan.missingByItem.get(2), [file]);
        assert.deepEqual(plan.missingByItem.get(1), []);
    });

    it('uploads a file whose name matches but whose content changed', () => {
        const changed = hashed('a.log', 'new-hash');
        const plan = planLinks([changed], [item(1, [attached('a.log', 'old-hash')])]);
        assert.deepEqual(plan.toUpload, [changed]);
    });

    it('does not take a file with the same name and size but another content for the same file', () => {
        const file = hashed('build.log', 'one', 100);
        const plan = planLinks([file], [item(1, [{ name: 'build.log', url: 'u', comment: 'added by hand' }])]);
        assert.deepEqual(plan.toUpload, [file]);
    });

    it('refuses a work item that would pass the limit, before anything is uploaded, and still plans the others', () => {
        const full = item(1, Array.from({ length: MAX_ATTACHMENTS_PER_WORK_ITEM - 1 }, (_, n) => attached(`old-${n}.log`, `h${n}`)));
        const files = [hashed('a.log', 'aa'), hashed('b.log', 'bb')];
        const plan = planLinks(files, [full, item(2)]);
        assert.deepEqual(plan.overLimit, [{ id: 1, existing: 99, adding: 2 }]);
        assert.deepEqual([...plan.missingByItem.keys()], [2]);
        assert.deepEqual(plan.toUpload, files);
    });

    it('accepts exactly the limit', () => {
        const nearlyFull = item(1, Array.from({ length: MAX_ATTACHMENTS_PER_WORK_ITEM - 1 }, (_, n) => attached(`old-${n}.log`, `h${n}`)));
        const plan = planLinks([hashed('a.log', 'aa')], [nearlyFull]);
        assert.deepEqual(plan.overLimit, []);
    });
});
