import * as assert from 'assert/strict';
import { binaryContent, sha256 } from './fixtures';
import { attachedFiles, attachmentsOutput, Scenario, summaryCommand, summaryOf } from './harness';

const MiB = 1024 * 1024;

function patches(scenario: Scenario, id?: number) {
    return scenario.emulator.requests.filter((request) => request.method === 'PATCH' && (id === undefined || new RegExp(`/workitems/${id}$`, 'i').test(request.path)));
}

function attachmentId(url: string): string {
    return new URL(url).pathname.split('/').pop() ?? '';
}

describe('end to end: attaching the uploads to work items', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    describe('named work items', () => {
        beforeEach(async () => {
            scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
            scenario.artifacts.write('logs/app.log', 'application log');
            scenario.artifacts.write('drop/setup.bin', binaryContent(MiB + 3, 4));
        });

        it('attaches every file to every named item with one PATCH each, guarded by test /rev', async () => {
            const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101, #102' }, { variables: { 'Build.DefinitionName': 'Nightly', 'Build.BuildNumber': '20261128.3' } });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.equal(run.outputs.LinkedWorkItems, '101,102');
            for (const id of [101, 102]) {
                const relations = attachedFiles(scenario, id);
                assert.deepEqual(relations.map((relation) => relation.attributes.name).sort(), ['app.log', 'setup.bin']);
                assert.equal(patches(scenario, id).length, 1, `one PATCH for #${id}`);
                assert.match(String(patches(scenario, id)[0].headers['content-type']), /^application\/json-patch\+json/);
            }
            const comment = String(attachedFiles(scenario, 101).find((relation) => relation.attributes.name === 'app.log')?.attributes.comment);
            assert.match(comment, /^Attached by pipeline 'Nightly', run 20261128\.3: http:\/\/127\.0\.0\.1:\d+\/org\/Fabrikam\/_build\/results\?buildId=42 \[sha256:[0-9a-f]{64}\]$/);
            assert.ok(comment.includes(sha256('application log')));
            const uploadedIds = attachmentsOutput(run).map((entry) => entry.id).sort();
            assert.deepEqual(attachedFiles(scenario, 101).map((relation) => attachmentId(relation.url)).sort(), uploadedIds);
        });

        it('puts one row per file and the work items on the run summary', async () => {
            const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101 102', comment: 'QA drop' });

            const summary = summaryOf(run);
            assert.match(summary, /^### Work item attachments$/m);
            assert.match(summary, /^\| drop\/setup\.bin \| 1\.00 MiB \(1,048,579 bytes\) \| chunked \| \[setup\.bin\]\(http:[^)]+\) \| \[#101\]\(http:[^)]+\/_workitems\/edit\/101\), \[#102\]\(http:[^)]+\/_workitems\/edit\/102\) \|$/m);
            assert.match(summary, /^\| logs\/app\.log \| 15 bytes \| simple \| \[app\.log\]\(http:[^)]+\) \| \[#101\]\(http:[^)]+\/_workitems\/edit\/101\), \[#102\]\(http:[^)]+\/_workitems\/edit\/102\) \|$/m);
            assert.ok(summaryCommand(run).message.startsWith(run.tempDirectory), 'written in Agent.TempDirectory');
            assert.match(String(attachedFiles(scenario, 102)[0].attributes.comment), /^QA drop \[sha256:/);
        });

        it('uploads and links nothing again when the same step runs again with the same files', async () => {
            const first = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101,102' });
            const requestsAfterFirst = scenario.emulator.requests.length;
            const attachmentsAfterFirst = scenario.emulator.attachments().length;

            const second = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101,102' });

            assert.equal(second.result, 'Succeeded', second.stdout);
            const later = scenario.emulator.requests.slice(requestsAfterFirst);
            // Each earlier attachment is downloaded once to prove it holds the same content (hardening-workitems tests that); nothing is sent.
            assert.deepEqual(later.filter((request) => (/attachments/.test(request.path) && request.method !== 'GET') || request.method === 'PATCH').map((r) => `${r.method} ${r.path}`), []);
            assert.equal(scenario.emulator.attachments().length, attachmentsAfterFirst);
            assert.equal(attachedFiles(scenario, 101).length, 2);
            assert.equal(attachedFiles(scenario, 102).length, 2);
            assert.deepEqual(attachmentsOutput(second).map((entry) => entry.uploadType), ['reused', 'reused']);
            assert.deepEqual(attachmentsOutput(second).map((entry) => entry.id), attachmentsOutput(first).map((entry) => entry.id));
            assert.equal(second.outputs.LinkedWorkItems, '101,102');
            assert.match(second.visibleOutput, /^logs\/app\.log: already attached with the same name and content, not uploaded again\.$/m);
        });

        it('uploads and attaches only the file whose content changed on a re-run', async () => {
            await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101,102' });
            scenario.artifacts.write('logs/app.log', 'application log, second attempt');
            const before = scenario.emulator.requests.length;

            const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101,102' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const later = scenario.emulator.requests.slice(before);
            assert.equal(later.filter((request) => request.method === 'POST').length, 1, 'one upload');
            assert.equal(later.filter((request) => request.method === 'PUT').length, 0);
            assert.equal(later.filter((request) => request.method === 'PATCH').length, 2, 'one PATCH per item');
            for (const id of [101, 102]) {
                assert.deepEqual(attachedFiles(scenario, id).map((relation) => relation.attributes.name).sort(), ['app.log', 'app.log', 'setup.bin']);
            }
            const newest = scenario.emulator.attachments().pop();
            assert.equal(newest?.content?.toString('utf8'), 'application log, second attempt');
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.path, entry.uploadType]), [['drop/setup.bin', 'reused'], ['logs/app.log', 'simple']]);
        });

        it('fails for a missing work item, naming it, after attaching to the others', async () => {
            const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101, 999' });

            assert.equal(run.result, 'Failed');
            assert.match(run.resultMessage ?? '', /^1 work item\(s\) did not get their attachments:\n#999: work item 999 does not exist, or the identity may not read it \(TF401232\)/);
            assert.equal(run.outputs.LinkedWorkItems, '101');
            assert.equal(attachedFiles(scenario, 101).length, 2);
            assert.equal(run.outputs.AttachmentCount, '2');
        });

        it('re-reads and retries when someone else saves the work item between the read and the PATCH', async () => {
            scenario.emulator.addFault({ method: 'PATCH', path: /\/workitems\/101$/i, action: { kind: 'before', run: () => scenario.emulator.touchWorkItem(101) } });

            const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(patches(scenario, 101).map((request) => request.status), [412, 200]);
            assert.match(run.visibleOutput, /Work item 101 changed while the attachments were being linked \(someone else saved it in between\): reading it again \(attempt 1 of 5\)/);
            assert.equal(attachedFiles(scenario, 101).length, 2);
        });
    });

    it('refuses a work item that would pass 100 attachments before any upload, and still serves the others', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101, attachedFiles: 99 }, { id: 102 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.artifacts.write('b.log', 'b');

        const run = await scenario.run({ contents: '*.log', workItemIds: '101,102' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? '', /#101: the work item has 99 attachments, and adding 2 would pass the limit of 100 per work item \(VS403313\)/);
        assert.equal(patches(scenario, 101).length, 0);
        assert.equal(attachedFiles(scenario, 101).length, 99);
        assert.equal(attachedFiles(scenario, 102).length, 2);
        assert.equal(run.outputs.LinkedWorkItems, '102');
    });

    it('does not count a work item as linked when every file meant for it failed to upload', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }], maxAttachmentBytes: 1024 });
        scenario.artifacts.write('huge.bin', binaryContent(4096, 3));

        const run = await scenario.run({ contents: '*.bin', workItemIds: '101' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? '', /^1 of 1 file\(s\) were not uploaded:\nhuge\.bin: the file has 4\.00 KiB/);
        assert.equal(run.outputs.LinkedWorkItems, '');
        assert.equal(patches(scenario).length, 0);
    });

    it("attaches to the build's work items", async () => {
        scenario = await Scenario.start({ workItems: [{ id: 201 }, { id: 202 }, { id: 203 }], buildWorkItems: { '42': [201, 202] } });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', linkBuildWorkItems: 'true', workItemIds: '203' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs.LinkedWorkItems, '203,201,202');
        for (const id of [201, 202, 203]) {
            assert.equal(attachedFiles(scenario, id).length, 1);
        }
        assert.ok(scenario.emulator.requests.some((request) => /\/_apis\/build\/builds\/42\/workitems$/.test(request.path)));
    });

    it("warns, and still succeeds, when the run has no work items", async () => {
        scenario = await Scenario.start({ workItems: [{ id: 201 }] });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', linkBuildWorkItems: 'true' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.warnings.length, 1);
        assert.match(run.warnings[0], /^linkBuildWorkItems is on, but this build has no associated work items/);
        assert.match(run.visibleOutput, /No work item to attach the files to/);
        assert.equal(run.outputs.AttachmentCount, '1');
        assert.equal(run.outputs.LinkedWorkItems, '');
    });

    it("attaches to a classic release's work items, found on the release host", async () => {
        scenario = await Scenario.start({ resourceAreas: 'hosted', workItems: [{ id: 301 }], releaseWorkItems: { '7': [301] } });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run(
            { contents: '*.log', linkBuildWorkItems: 'true' },
            { variables: { 'System.HostType': 'release', 'Release.ReleaseId': '7', 'Release.DefinitionName': 'Ship', 'Release.ReleaseName': 'Release-7', 'Release.ReleaseWebUrl': 'https://example.invalid/r/7' } },
        );

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs.LinkedWorkItems, '301');
        const releaseRequests = scenario.emulator.requests.filter((request) => request.host === 'release');
        assert.ok(releaseRequests.some((request) => /releases\/7\/workitems$/i.test(request.path)), 'the release host served the release work items');
        assert.match(String(attachedFiles(scenario, 301)[0].attributes.comment), /^Attached by release pipeline 'Ship', Release-7: https:\/\/example\.invalid\/r\/7 \[sha256:/);
    });
});
