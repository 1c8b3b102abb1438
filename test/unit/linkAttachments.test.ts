import * as assert from 'assert/strict';
import * as sinon from 'sinon';
import { HttpError } from '../../engine/http/errors';
import type { ArtifactFile } from '../../engine/find/findArtifacts';
import type { HashedFile, WorkItemSnapshot } from '../../engine/link/linkPlan';
import { AttachmentDownloads } from '../../engine/link/attachmentDownloads';
import { linkAttachments, type LinkingContext, type PreparedLinks } from '../../engine/link/linking';
import type { WorkItemsClient } from '../../engine/link/workItems';

function hashed(name: string): HashedFile {
    const file: ArtifactFile = { absolutePath: `/a/${name}`, relativePath: `logs/${name}`, name, size: 1, fingerprint: { dev: 0n, ino: 0n, size: 1n, mtimeNs: 0n, ctimeNs: 0n } };
    return { file, sha256: name };
}

function attachmentOf(file: ArtifactFile) {
    const id = `00000000-0000-4000-8000-${file.name.replace(/\D/g, '').padStart(12, '0')}`;
    return { id, url: `https://ado.example/org/_apis/wit/attachments/${id}` };
}

function context(addAttachments: sinon.SinonStub): LinkingContext {
    return {
        workItems: { addAttachments, read: sinon.stub().resolves(undefined) } as unknown as WorkItemsClient,
        log: { info: sinon.spy(), warning: sinon.spy(), debug: sinon.spy() },
        loc: (key, ...params) => `${key}(${params.join('|')})`,
        describe: (error) => `described ${String(error)}`,
        identity: 'the build identity',
        concurrency: 1,
        downloads: new AttachmentDownloads(sinon.stub().rejects(new Error('linking downloads nothing'))),
    };
}

function prepared(files: HashedFile[], ...ids: number[]): PreparedLinks {
    const snapshots = new Map<number, WorkItemSnapshot>(ids.map((id) => [id, { id, rev: 1, attachedFiles: [] }]));
    return {
        plan: { toUpload: files, reused: new Map(), missingByItem: new Map(ids.map((id) => [id, files])), overLimit: [], refused: [] },
        snapshots,
        failures: [],
        notUploaded: [],
    };
}

describe('linkAttachments', () => {
    it('names the link, the work item and the first files, then how many more, when the server refuses the PATCH', async () => {
        const files = Array.from({ length: 7 }, (_, n) => hashed(`f${n + 1}.log`));
        const refuse = sinon.stub().rejects(new HttpError(400, 'TF401320: rule error', undefined, {}));

        const outcome = await linkAttachments(prepared(files, 5), (file) => attachmentOf(file), 'run 1', context(refuse));

        assert.deepEqual(outcome.failures, [
            { subject: '#5', workItem: 5, paths: ['logs/f1.log', 'logs/f2.log', 'logs/f3.log', 'logs/f4.log', 'logs/f5.log', 'logs/f6.log', 'logs/f7.log'], reason: 'LinkRejected(FileListMore(logs/f1.log, logs/f2.log, logs/f3.log, logs/f4.log, logs/f5.log|2)|5|400|TF401320: rule error)' },
        ]);
        assert.deepEqual(outcome.linked, []);
    });

    it('says the identity may not edit the item on a 403, and leaves other failures to the shared words', async () => {
        const files = [hashed('f1.log')];
        const patch = sinon.stub();
        patch.onFirstCall().rejects(new HttpError(403, 'TF237111: no edit', undefined, {}));
        patch.onSecondCall().rejects(new HttpError(503, 'down', undefined, {}));

        const outcome = await linkAttachments(prepared(files, 5, 6), (file) => attachmentOf(file), 'run 1', context(patch));

        assert.deepEqual(outcome.failures.map((failure) => failure.reason), [
            'LinkDenied(5|logs/f1.log|the build identity|TF237111: no edit)',
            'LinkFailed(logs/f1.log|6|described HttpError: HTTP 503: down)',
        ]);
    });

    it('lists only the items that hold every file meant for them', async () => {
        const files = [hashed('f1.log'), hashed('f2.log')];
        const patch = sinon.stub().callsFake(async (item: WorkItemSnapshot, relations: { url: string }[]) => ({
            ...item,
            attachedFiles: relations.map(({ url }) => ({ url, attachment: { id: url.split('/').pop() as string, url } })),
        }));
        const uploadedOnlyFirst = (file: ArtifactFile) => (file.name === 'f1.log' ? attachmentOf(file) : undefined);

        const outcome = await linkAttachments(prepared(files, 5), uploadedOnlyFirst, 'run 1', context(patch));

        assert.equal(patch.callCount, 1, 'what was uploaded is still linked');
        assert.deepEqual(outcome.linked, []);
        assert.deepEqual([...outcome.itemsByFile.values()], [[5]]);
    });
});
