import * as assert from 'assert/strict';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import {
    MAX_ATTACHMENTS_PER_WORK_ITEM,
    attachmentIn,
    holdsAttachment,
    planLinks,
    relationComment,
    reuseClaims,
    type AttachedFileRelation,
    type AttachmentRef,
    type HashedFile,
    type WorkItemSnapshot,
} from '../../engine/link/linkPlan';

const COLLECTION = 'https://ado.example/tfs/Default/';
const GUID_A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const GUID_B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

function hashed(name: string, sha256: string, size = 10): HashedFile {
    const file: ArtifactFile = { absolutePath: `/a/${name}`, relativePath: name, name, size, fingerprint: { dev: 0n, ino: 0n, size: BigInt(size), mtimeNs: 0n, ctimeNs: 0n } };
    return { file, sha256 };
}

function ref(id: string): AttachmentRef {
    return { id, url: `${COLLECTION}_apis/wit/attachments/${id}` };
}

/** A relation as a work item holds it: named like the file, with the file's marker, pointing at `id`. */
function attached(name: string, sha256: string, id: string, size = 10): AttachedFileRelation {
    const url = `${COLLECTION}_apis/wit/attachments/${id}`;
    return { name, url, attachment: attachmentIn(url, [COLLECTION]), size, comment: relationComment('Attached by run 1', sha256) };
}

function item(id: number, attachedFiles: AttachedFileRelation[] = []): WorkItemSnapshot {
    return { id, rev: 3, attachedFiles };
}

function filler(count: number): AttachedFileRelation[] {
    return Array.from({ length: count }, (_, n) => ({ name: `old-${n}.log`, url: `${COLLECTION}_apis/wit/attachments/x-${n}` }));
}

describe('attachmentIn', () => {
    it("names an attachment of the collection, at the collection's level or a project's", () => {
        assert.deepEqual(attachmentIn(`${COLLECTION}_apis/wit/attachments/${GUID_A}?fileName=a.log`, [COLLECTION]), {
            id: GUID_A,
            url: `${COLLECTION}_apis/wit/attachments/${GUID_A}`,
        });
        assert.equal(attachmentIn(`https://ADO.example/tfs/default/Fabrikam/_apis/wit/attachments/${GUID_A.toUpperCase()}`, [COLLECTION])?.id, GUID_A);
    });

    for (const [why, url] of [
        ['another host', `https://evil.example/tfs/Default/_apis/wit/attachments/${GUID_A}`],
        ['another port', `https://ado.example:8443/tfs/Default/_apis/wit/attachments/${GUID_A}`],
        ['another scheme', `http://ado.example/tfs/Default/_apis/wit/attachments/${GUID_A}`],
        ['another collection on the same server', `https://ado.example/tfs/Other/_apis/wit/attachments/${GUID_A}`],
        ['another route', `https://ado.example/tfs/Default/_apis/wit/workitems/${GUID_A}`],
        ['a route below an attachment', `https://ado.example/tfs/Default/_apis/wit/attachments/${GUID_A}/content`],
        ['two segments before _apis', `https://ado.example/tfs/Default/a/b/_apis/wit/attachments/${GUID_A}`],
        ['an id that is not a GUID', 'https://ado.example/tfs/Default/_apis/wit/attachments/42'],
        ['credentials in the URL', `https://user:pw@ado.example/tfs/Default/_apis/wit/attachments/${GUID_A}`],
        ['a ; in the path', `https://ado.example/tfs/Default/p;x/_apis/wit/attachments/${GUID_A}`],
        ['no URL at all', 'not a url'],
    ]) {
        it(`is undefined for ${why}`, () => {
            assert.equal(attachmentIn(url, [COLLECTION]), undefined);
        });
    }

    it('accepts any of several bases (the collection, and where the server says work items live)', () => {
        const url = `https://wit.example/org/_apis/wit/attachments/${GUID_B}`;
        assert.equal(attachmentIn(url, [COLLECTION]), undefined);
        assert.equal(attachmentIn(url, [COLLECTION, 'https://wit.example/org/'])?.id, GUID_B);
    });
});

describe('reuseClaims', () => {
    it('takes relations with the same name and the marker, from every item, and nothing else', () => {
        const file = hashed('a.log', 'aa');
        const claims = reuseClaims(file, [
            item(1, [attached('a.log', 'aa', GUID_A), attached('b.log', 'aa', GUID_B), { name: 'a.log', url: 'u', comment: 'by hand' }]),
            item(2, [attached('a.log', 'aa', GUID_B), attached('a.log', 'other', GUID_A)]),
        ]);
        assert.deepEqual(claims.map((claim) => [claim.workItemId, claim.relation.attachment?.id]), [[1, GUID_A], [2, GUID_B]]);
    });
});

describe('holdsAttachment', () => {
    it('compares attachment ids, whatever the spelling of the URL', () => {
        const holder = item(1, [attached('a.log', 'aa', GUID_A)]);
        assert.equal(holdsAttachment(holder, GUID_A.toUpperCase()), true);
        assert.equal(holdsAttachment(holder, GUID_B), false);
    });

    it('does not count a relation to another host that carries the same id', () => {
        const elsewhere = `https://evil.example/tfs/Default/_apis/wit/attachments/${GUID_A}`;
        assert.equal(holdsAttachment(item(1, [{ url: elsewhere, attachment: attachmentIn(elsewhere, [COLLECTION]) }]), GUID_A), false);
    });
});

describe('planLinks', () => {
    it('uploads every file when no work item holds any of them', () => {
        const files = [hashed('a.log', 'aa'), hashed('b.log', 'bb')];
        const plan = planLinks(files, [item(1), item(2)], new Map());
        assert.deepEqual(plan.toUpload, files);
        assert.deepEqual([...plan.missingByItem], [[1, files], [2, files]]);
        assert.deepEqual(plan.overLimit, []);
        assert.deepEqual(plan.refused, []);
    });

    it('does not take a marker for proof: a claimed but unproven file is uploaded and linked to the item that carries the claim too', () => {
        const file = hashed('a.log', 'aa');
        const forged = item(1, [attached('a.log', 'aa', GUID_A)]);
        const plan = planLinks([file], [forged, item(2)], new Map());
        assert.deepEqual(plan.toUpload, [file]);
        assert.equal(plan.reused.size, 0);
        assert.deepEqual(plan.missingByItem.get(1), [file]);
        assert.deepEqual(plan.missingByItem.get(2), [file]);
    });

    it('reuses a proven attachment: nothing uploaded, linked only to the items that do not link it yet', () => {
        const file = hashed('a.log', 'aa');
        const plan = planLinks([file], [item(1, [attached('a.log', 'aa', GUID_A)]), item(2)], new Map([[file, ref(GUID_A)]]));
        assert.deepEqual(plan.toUpload, []);
        assert.deepEqual(plan.reused.get(file), ref(GUID_A));
        assert.deepEqual(plan.missingByItem.get(1), []);
        assert.deepEqual(plan.missingByItem.get(2), [file]);
    });

    it('links the proven attachment to an item whose own claim points elsewhere', () => {
        const file = hashed('a.log', 'aa');
        const plan = planLinks([file], [item(1, [attached('a.log', 'aa', GUID_A)]), item(2, [attached('a.log', 'aa', GUID_B)])], new Map([[file, ref(GUID_A)]]));
        assert.deepEqual(plan.missingByItem.get(2), [file]);
    });

    it('refuses a work item that would pass the limit, before anything is uploaded, and still plans the others', () => {
        const files = [hashed('a.log', 'aa'), hashed('b.log', 'bb')];
        const plan = planLinks(files, [item(1, filler(MAX_ATTACHMENTS_PER_WORK_ITEM - 1)), item(2)], new Map());
        assert.deepEqual(plan.overLimit, [{ id: 1, existing: 99, adding: 2 }]);
        assert.deepEqual([...plan.missingByItem.keys()], [2]);
        assert.deepEqual(plan.toUpload, files);
        assert.deepEqual(plan.refused, []);
    });

    it('accepts exactly the limit', () => {
        const plan = planLinks([hashed('a.log', 'aa')], [item(1, filler(MAX_ATTACHMENTS_PER_WORK_ITEM - 1))], new Map());
        assert.deepEqual(plan.overLimit, []);
    });

    it('does not upload a file that every target refuses', () => {
        const files = [hashed('a.log', 'aa'), hashed('b.log', 'bb')];
        const plan = planLinks(files, [item(1, filler(MAX_ATTACHMENTS_PER_WORK_ITEM - 1)), item(2, filler(MAX_ATTACHMENTS_PER_WORK_ITEM))], new Map());
        assert.deepEqual(plan.toUpload, []);
        assert.deepEqual(plan.refused, files);
        assert.equal(plan.missingByItem.size, 0);
    });

    it('does not count a reused file as refused: it needs no upload', () => {
        const reused = hashed('a.log', 'aa');
        const fresh = hashed('b.log', 'bb');
        const full = item(1, [...filler(MAX_ATTACHMENTS_PER_WORK_ITEM - 1), attached('a.log', 'aa', GUID_A)]);
        const plan = planLinks([reused, fresh], [full], new Map([[reused, ref(GUID_A)]]));
        assert.deepEqual(plan.refused, [fresh]);
        assert.deepEqual(plan.toUpload, []);
        assert.deepEqual(plan.reused.get(reused), ref(GUID_A));
    });

    it('still uploads when there is no work item to refuse anything, so the outputs can name the attachments', () => {
        const files = [hashed('a.log', 'aa')];
        const plan = planLinks(files, [], new Map());
        assert.deepEqual(plan.toUpload, files);
        assert.deepEqual(plan.refused, []);
    });
});
