import * as assert from 'assert/strict';
import { sha256 } from './fixtures';
import { attachedFiles, attachmentIdOf, attachmentsOutput, Scenario } from './harness';

/** The PATCHes sent to one work item, from the `from`th request on. */
function patches(scenario: Scenario, id: number, from = 0) {
    return scenario.emulator.requests.slice(from).filter((request) => request.method === 'PATCH' && new RegExp(`/workitems/${id}$`, 'i').test(request.path));
}

const onItem = (id: number) => new RegExp(`/workitems/${id}$`, 'i');

describe('end to end: linking under a pipeline that runs daily on items others edit (review)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('links one reused attachment once to a new target when two namesakes in two folders have the same content', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52 }] });
        scenario.artifacts.write('x64/app.log', 'same log');
        scenario.artifacts.write('arm64/app.log', 'same log');
        const first = await scenario.run({ contents: '**/app.log', workItemIds: '51' });
        assert.equal(first.result, 'Succeeded', first.stdout);
        assert.equal(attachedFiles(scenario, 51).length, 2);
        const before = scenario.emulator.requests.length;

        // The next day a second work item is named: the attachment 51 holds is proven and linked to 52.
        const second = await scenario.run({ contents: '**/app.log', workItemIds: '51, 52' });

        assert.equal(second.result, 'Succeeded', second.stdout);
        assert.equal(second.outputs.LinkedWorkItems, '51,52');
        assert.deepEqual(patches(scenario, 52, before).map((request) => request.status), [200], 'one PATCH, not refused as a duplicate relation');
        const on52 = attachedFiles(scenario, 52);
        assert.equal(on52.length, 1, 'the one attachment both files proved, linked once');
        assert.ok(attachedFiles(scenario, 51).some((relation) => attachmentIdOf(relation.url) === attachmentIdOf(on52[0].url)));
        assert.equal(patches(scenario, 51, before).length, 0, '51 holds both already');
        assert.deepEqual(attachmentsOutput(second).map((entry) => entry.uploadType), ['reused', 'reused']);
    });

    it('after a lost reply to a PATCH the server applied, links nothing twice, adds one Discussion entry and succeeds', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }] });
        scenario.artifacts.write('nightly.log', 'night one');
        scenario.emulator.addFault({ method: 'PATCH', path: onItem(51), action: { kind: 'lostReply' } });

        const run = await scenario.run({ contents: 'nightly.log', workItemIds: '51', discussionComment: 'true', retries: '2' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs.LinkedWorkItems, '51');
        const relations = attachedFiles(scenario, 51);
        assert.equal(relations.length, 1, 'linked once');
        assert.equal(scenario.emulator.workItem(51)?.history.length, 1, 'one Discussion entry');
        // The resend tests the old rev: 412, then the item is read again and found complete.
        assert.deepEqual(patches(scenario, 51).slice(1).map((request) => request.status), [412]);
    });

    it("with replaceOlderVersions, after someone else removes an earlier relation between the read and the PATCH, removes its own older version, never theirs", async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51, attachments: [{ fileName: 'notes.txt', content: 'qa notes', comment: 'from QA' }] }] });
        scenario.artifacts.write('nightly.log', 'night one');
        const nightly = { contents: 'nightly.log', workItemIds: '51', replaceOlderVersions: 'true' };
        assert.equal((await scenario.run(nightly)).result, 'Succeeded');
        // QA attaches a nightly.log of their own after it: [notes.txt, nightly.log (ours), nightly.log (QA's)].
        scenario.emulator.attachToWorkItem(51, { fileName: 'nightly.log', content: 'kept by QA', comment: 'from QA' });
        const ours = attachedFiles(scenario, 51)[1];
        // Between the task's read and its PATCH, someone removes notes.txt: every index after it moves down by one.
        scenario.emulator.addFault({ method: 'PATCH', path: onItem(51), action: { kind: 'before', run: () => void scenario.emulator.detachFromWorkItem(51, 0) } });
        scenario.artifacts.write('nightly.log', 'night two');

        const run = await scenario.run(nightly);

        assert.equal(run.result, 'Succeeded', run.stdout);
        const now = attachedFiles(scenario, 51);
        assert.equal(now.length, 2);
        assert.equal(String(now[0].attributes.comment), 'from QA', "QA's nightly.log stays");
        assert.ok(String(now[1].attributes.comment).endsWith(`[sha256:${sha256('night two')}]`), 'the new version is linked');
        assert.ok(!now.some((relation) => attachmentIdOf(relation.url) === attachmentIdOf(ours.url)), 'our older version is gone');
        assert.deepEqual(patches(scenario, 51).slice(-2).map((request) => request.status), [412, 200]);
    });

    it('gives up after 5 conflicting saves in a row, in words naming the work item, the file and TF26071, and still links the other items', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({ method: 'PATCH', path: onItem(51), times: 100, action: { kind: 'before', run: () => scenario.emulator.touchWorkItem(51) } });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51, 52' });

        assert.equal(run.result, 'Failed');
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [412, 412, 412, 412, 412]);
        const line = (run.resultMessage ?? '').split('\n').find((candidate) => candidate.startsWith('#51: ')) ?? '';
        assert.match(line, /a\.log/);
        assert.match(line, /work item 51/);
        assert.match(line, /TF26071/);
        assert.equal(attachedFiles(scenario, 51).length, 0);
        assert.equal(run.outputs.LinkedWorkItems, '52');
        assert.equal(attachedFiles(scenario, 52).length, 1);
    });

    it('checks the 100-attachments limit again after a conflict: someone else filled the item, so it is refused in words, not by the server', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51, attachedFiles: 98 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({
            method: 'PATCH',
            path: onItem(51),
            action: {
                kind: 'before',
                run: () => {
                    scenario.emulator.attachToWorkItem(51, { fileName: 'b.txt', content: 'b' });
                    scenario.emulator.attachToWorkItem(51, { fileName: 'c.txt', content: 'c' });
                },
            },
        });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51' });

        assert.equal(run.result, 'Failed');
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [412], 'no PATCH the server would refuse with VS403313');
        assert.match(run.resultMessage ?? '', /#51: the work item has 100 attachments, and adding 1 would pass the limit of 100 per work item \(VS403313\)/);
        assert.equal(run.outputs.LinkedWorkItems, '');
    });

    it('after a 409 (TF26071, two saves racing) reads the item again and retries, like a 412', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({
            method: 'PATCH',
            path: onItem(51),
            action: { kind: 'status', status: 409, body: { message: 'TF26071: This work item has been changed by someone else since you opened it.', typeKey: 'WorkItemRevisionMismatchException' } },
        });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [409, 200]);
        assert.equal(attachedFiles(scenario, 51).length, 1);
    });
});
