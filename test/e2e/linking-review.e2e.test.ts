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

    it('counts one reused attachment that two namesakes share once against the 100-attachments limit', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52, attachedFiles: 99 }] });
        scenario.artifacts.write('x64/app.log', 'same log');
        scenario.artifacts.write('arm64/app.log', 'same log');
        assert.equal((await scenario.run({ contents: '**/app.log', workItemIds: '51' })).result, 'Succeeded');

        const run = await scenario.run({ contents: '**/app.log', workItemIds: '51, 52' });

        assert.equal(run.result, 'Succeeded', run.resultMessage);
        assert.equal(run.outputs.LinkedWorkItems, '51,52');
        assert.equal(attachedFiles(scenario, 52).length, 100, 'one relation added: the 100th');
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

    it('gives up after 5 conflicting saves in a row, in words naming the work item, the file and the server\'s VS403351 (a failed test of /rev), and still links the other items', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({ method: 'PATCH', path: onItem(51), times: 100, action: { kind: 'before', run: () => scenario.emulator.touchWorkItem(51) } });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51, 52' });

        assert.equal(run.result, 'Failed');
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [412, 412, 412, 412, 412]);
        const line = (run.resultMessage ?? '').split('\n').find((candidate) => candidate.startsWith('#51: ')) ?? '';
        assert.match(line, /a\.log/);
        assert.match(line, /work item 51/);
        // FACTS.md: a failed `test /rev` answers 412 "VS403351: ..."; TF26071 is the 409 of two saves racing without one.
        assert.match(line, /HTTP 412/);
        assert.match(line, /VS403351/);
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

    it('downloads at most three claimed attachments for one file, then uploads it: forged claims cannot make it download without end', async () => {
        const ours = 'our build log, 31 bytes long..\n';
        const forged = (n: number) => ({ fileName: 'app.log', content: ours.replace('our', `ou${n}`), comment: `looks like ours [sha256:${sha256(ours)}]` });
        scenario = await Scenario.start({ workItems: [{ id: 1, attachments: [forged(1), forged(2), forged(3), forged(4)] }] });
        scenario.artifacts.write('app.log', ours);

        const run = await scenario.run({ contents: 'app.log', workItemIds: '1' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const downloads = scenario.emulator.requests.filter((request) => request.method === 'GET' && /\/_apis\/wit\/attachments\/[0-9a-f-]{36}$/i.test(request.path));
        assert.equal(downloads.length, 3);
        assert.equal(attachmentsOutput(run)[0].uploadType, 'simple');
        assert.equal(attachedFiles(scenario, 1).length, 5, 'the four forged relations stay, ours is added');
    });

    it('says the work item does not exist when someone deletes it between the read and the PATCH, and serves the other items', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({ method: 'PATCH', path: onItem(51), action: { kind: 'before', run: () => scenario.emulator.deleteWorkItem(51) } });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51, 52' });

        assert.equal(run.result, 'Failed');
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [404]);
        const line = (run.resultMessage ?? '').split('\n').find((candidate) => candidate.startsWith('#51: ')) ?? '';
        assert.match(line, /^#51: work item 51 does not exist, or the identity may not read it \(TF401232\)/);
        assert.doesNotMatch(run.resultMessage ?? '', /Cannot read|null|undefined/);
        assert.equal(run.outputs.LinkedWorkItems, '52');
    });

    it('says who may not edit the work item when the PATCH is answered 403, naming the file and the permission, and serves the other items', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }, { id: 52 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.emulator.addFault({
            method: 'PATCH',
            path: onItem(51),
            times: 10,
            action: { kind: 'status', status: 403, body: { message: 'TF237111: The current user does not have permissions to save work items under the specified area path.', typeKey: 'UnauthorizedAccessException' } },
        });

        const run = await scenario.run({ contents: 'a.log', workItemIds: '51, 52' });

        assert.equal(run.result, 'Failed');
        const line = (run.resultMessage ?? '').split('\n').find((candidate) => candidate.startsWith('#51: ')) ?? '';
        assert.match(line, /^#51: the identity may not edit work item 51, so a\.log could not be linked to it \(HTTP 403\)\. Grant .+ the permission 'Edit work items in this node' on the work item's area path\. The server said: TF237111/);
        assert.deepEqual(patches(scenario, 51).map((request) => request.status), [403], 'a refusal is not retried');
        assert.equal(run.outputs.LinkedWorkItems, '52');
    });

    describe("the run's work items when the service returns 50 refs unless asked for more (workItemRefsDefaultTop)", () => {
        const ids = (from: number, count: number) => Array.from({ length: count }, (_, index) => from + index);
        const linkedOf = (items: number[]) => items.filter((id) => attachedFiles(scenario, id).length > 0);

        it("attaches to all 60 work items of a build, not the first 50", async () => {
            const items = ids(1001, 60);
            scenario = await Scenario.start({ workItems: items.map((id) => ({ id })), buildWorkItems: { '42': items }, workItemRefsDefaultTop: 50 });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: 'a.log', linkBuildWorkItems: 'true' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedOf(items), items);
        });

        it("attaches to all 60 work items of a classic release, not the first 50", async () => {
            const items = ids(2001, 60);
            scenario = await Scenario.start({ resourceAreas: 'hosted', workItems: items.map((id) => ({ id })), releaseWorkItems: { '7': items }, workItemRefsDefaultTop: 50 });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: 'a.log', linkBuildWorkItems: 'true' }, { variables: { 'System.HostType': 'release', 'Release.ReleaseId': '7' } });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedOf(items), items);
        });

        it('attaches to all 61 work items since the last successful run (sinceLastSuccessfulRun), not the first 50 between the builds', async () => {
            const failedRun = ids(4001, 60);
            scenario = await Scenario.start({
                workItems: [...failedRun, 4100].map((id) => ({ id })),
                builds: [
                    { id: 38, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-11-01T00:00:00Z' },
                    { id: 40, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'failed', finishTime: '2026-11-02T00:00:00Z', workItems: failedRun },
                    { id: 42, definitionId: 7, sourceBranch: 'refs/heads/main', status: 'inProgress', workItems: [4100] },
                ],
                workItemRefsDefaultTop: 50,
            });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run(
                { contents: 'a.log', linkBuildWorkItems: 'true', runWorkItemsScope: 'sinceLastSuccessfulRun' },
                { variables: { 'System.DefinitionId': '7', 'Build.SourceBranch': 'refs/heads/main', 'Build.BuildId': '42' } },
            );

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedOf([...failedRun, 4100]), [...failedRun, 4100]);
        });

        it('fails before any upload when a build has more work items than maxWorkItems, saying "more than", instead of attaching to the first 50', async () => {
            const items = ids(3001, 150);
            scenario = await Scenario.start({ workItems: items.map((id) => ({ id })), buildWorkItems: { '42': items }, workItemRefsDefaultTop: 50 });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ contents: 'a.log', linkBuildWorkItems: 'true' });

            assert.equal(run.result, 'Failed');
            assert.equal(
                run.resultMessage,
                "Nothing was uploaded: more than 100 work items were selected ('linkBuildWorkItems' (more than 100)), more than 'maxWorkItems' allows (100). Narrow the query or the IDs, or raise 'maxWorkItems' (at most 1000).",
            );
            assert.equal(scenario.uploadRequests().length, 0);
            assert.deepEqual(linkedOf(items), []);
            const refsRequest = scenario.emulator.requests.find((request) => /\/_apis\/build\/builds\/42\/workitems$/i.test(request.path));
            assert.equal(refsRequest?.query.$top, '101', 'one more than maxWorkItems: enough to tell "over it" apart, never a whole list');
        });
    });
});
