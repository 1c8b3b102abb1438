import { strict as assert } from 'assert';
import type { IncomingMessage } from 'http';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import { WorkItemExpand } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { AzureDevOpsEmulator } from '../emulator';

const token = 'emulator-token';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) {
        parts.push(chunk);
    }
    return Buffer.concat(parts);
}

describe('Azure DevOps emulator: attachments others put on work items', () => {
    let emu: AzureDevOpsEmulator;
    const wit = () => new WorkItemTrackingApi(emu.collectionUrl, [new BearerCredentialHandler(token)]);
    afterEach(async () => {
        await emu?.stop();
    });

    it('seeds a relation with real content and any comment, with name and resourceSize as the service sets them', async () => {
        emu = await AzureDevOpsEmulator.start({
            workItems: [{ id: 7, attachedFiles: 1, attachments: [{ fileName: 'app.log', content: 'not what the comment says', comment: 'run 3 [sha256:abc]' }] }],
        });
        const item = await wit().getWorkItem(7, undefined, undefined, WorkItemExpand.Relations);
        assert.equal(item.rev, 1);
        const relation = item.relations?.[1];
        assert.equal(relation?.rel, 'AttachedFile');
        assert.deepEqual([relation?.attributes?.name, relation?.attributes?.resourceSize, relation?.attributes?.comment], ['app.log', 25, 'run 3 [sha256:abc]']);
        const id = String(relation?.url).split('/').pop() as string;
        assert.equal(String(relation?.url), `${emu.collectionUrl}_apis/wit/attachments/${id}`);
        // Downloadable through node-api like an upload.
        const content = (await wit().getAttachmentContent(id)) as IncomingMessage;
        assert.equal(content.statusCode, 200);
        assert.equal((await readAll(content)).toString('utf8'), 'not what the comment says');
        assert.equal(emu.attachment(id)?.complete, true);
    });

    it('lets the relation name any URL, and its resourceSize say anything', async () => {
        emu = await AzureDevOpsEmulator.start({
            workItems: [{ id: 7, attachments: [{ fileName: 'a.log', url: 'https://elsewhere.invalid/_apis/wit/attachments/x', resourceSize: 5 }, { fileName: 'b.log', content: 'twelve bytes', resourceSize: 3 }] }],
        });
        const relations = emu.workItem(7)?.relations ?? [];
        assert.deepEqual(relations.map((relation) => [relation.url.startsWith(emu.collectionUrl) ? 'here' : relation.url, relation.attributes.resourceSize]), [
            ['https://elsewhere.invalid/_apis/wit/attachments/x', 5],
            ['here', 3],
        ]);
        assert.equal(emu.attachments().length, 1, 'only content is stored');
    });

    it('links a file later as a new revision, and stores attachments of its own for other hosts to point at', async () => {
        emu = await AzureDevOpsEmulator.start({ workItems: [{ id: 7 }] });
        const stored = emu.storeAttachment('c.log', 'c');
        assert.equal(stored.url, `${emu.collectionUrl}_apis/wit/attachments/${stored.id}?fileName=c.log`);
        assert.deepEqual(await emu.download(stored.url), Buffer.from('c'));
        const relation = emu.attachToWorkItem(7, { fileName: 'c.log', url: stored.url, comment: 'by hand' });
        assert.equal(relation.attributes.comment, 'by hand');
        assert.equal(emu.workItem(7)?.rev, 2);
        assert.throws(() => emu.attachToWorkItem(7, { fileName: 'd.log' }), /give its content, its url, or both/);
        assert.throws(() => emu.attachToWorkItem(8, { fileName: 'd.log', content: 'd' }), /does not exist/);
    });
});
