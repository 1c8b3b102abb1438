import * as assert from 'assert/strict';
import { AzureDevOpsEmulator, type AttachedFileSeed } from '../emulator';
import { binaryContent, sha256 } from './fixtures';
import { attachedFiles, attachmentsOutput, PROJECT, Scenario, summaryOf, TOKEN } from './harness';

const MiB = 1024 * 1024;
const OURS = 'our build log: 42 tests passed\n';

/** The id at the end of an attachment URL or request path. */
function attachmentId(urlOrPath: string): string {
    return new URL(urlOrPath, 'http://base.invalid').pathname.split('/').pop()?.toLowerCase() ?? '';
}

function downloadsOf(scenario: Scenario, id?: string) {
    return scenario.emulator.requests.filter((request) => request.method === 'GET' && /\/_apis\/wit\/attachments\/[^/]+$/i.test(request.path) && (id === undefined || request.path.toLowerCase().endsWith(id)));
}

/** A relation that says "this is app.log with our content" and names our SHA-256, as anyone who can edit the item could write. */
function forgedClaim(extra: Partial<AttachedFileSeed>): AttachedFileSeed {
    return { fileName: 'app.log', comment: `Attached by pipeline 'Nightly', run 7 [sha256:${sha256(OURS)}]`, ...extra };
}

describe('end to end: work item attachments are reused only when proven (hardening)', function () {
    this.timeout(60_000);
    let scenario: Scenario;
    let otherHost: AzureDevOpsEmulator | undefined;

    afterEach(async () => {
        await scenario?.stop();
        await otherHost?.stop();
        otherHost = undefined;
    });

    describe('a forged marker never makes the outputs or another work item point at someone else\'s file', () => {
        const variants: { name: string; seed: Partial<AttachedFileSeed>; downloaded: boolean; warning: RegExp }[] = [
            {
                name: 'other bytes of the same size',
                seed: { content: OURS.replace('42', '41') },
                downloaded: true,
                warning: /^app\.log: a relation on work item 1 is named like this file .* but its attachment, downloaded and compared, holds other content; the file is uploaded instead\./,
            },
            {
                name: 'other bytes of another size',
                seed: { content: 'someone else\'s much longer file, not ours at all\n' },
                downloaded: false,
                warning: /^app\.log: a relation on work item 1 .* but its attachment has 49 bytes and the file 31 bytes, so it is not the same file/,
            },
            {
                name: "a resourceSize that claims the file's size over longer content",
                seed: { content: binaryContent(256 * 1024, 9), resourceSize: OURS.length },
                downloaded: true,
                warning: /downloaded and compared, holds other content/,
            },
        ];
        for (const variant of variants) {
            it(`uploads our file and links it to both items when the claimed attachment holds ${variant.name}`, async () => {
                scenario = await Scenario.start({ workItems: [{ id: 1, attachments: [forgedClaim(variant.seed)] }, { id: 2 }] });
                scenario.artifacts.write('app.log', OURS);
                const forgedId = attachmentId(attachedFiles(scenario, 1)[0].url);

                const run = await scenario.run({ contents: '*.log', workItemIds: '1,2' });

                assert.equal(run.result, 'Succeeded', run.stdout);
                const [output] = attachmentsOutput(run);
                assert.equal(output.uploadType, 'simple');
                assert.notEqual(output.id.toLowerCase(), forgedId);
                assert.equal(sha256(await scenario.emulator.download(output.url)), sha256(OURS), 'the output names an attachment with our bytes');
                assert.equal(run.outputs.AttachmentUrls, output.url);
                assert.deepEqual(attachedFiles(scenario, 1).map((relation) => attachmentId(relation.url)), [forgedId, output.id.toLowerCase()]);
                assert.deepEqual(attachedFiles(scenario, 2).map((relation) => attachmentId(relation.url)), [output.id.toLowerCase()]);
                assert.equal(run.outputs.LinkedWorkItems, '1,2');
                assert.equal(downloadsOf(scenario, forgedId).length, variant.downloaded ? 1 : 0, 'downloaded to compare only when the size matches');
                assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
                assert.match(run.warnings[0], variant.warning);
                assert.doesNotMatch(run.visibleOutput, /already attached/);
            });
        }
    });

    it('never downloads a claimed attachment on another host, not even to compare it, and uploads the file', async () => {
        otherHost = await AzureDevOpsEmulator.start({ token: TOKEN, projects: [PROJECT] });
        // The other host holds exactly our bytes: only a task that fetched it could take it for ours.
        const elsewhere = otherHost.storeAttachment('app.log', OURS);
        scenario = await Scenario.start({ workItems: [{ id: 1, attachments: [forgedClaim({ url: elsewhere.url, resourceSize: OURS.length })] }] });
        scenario.artifacts.write('app.log', OURS);

        const run = await scenario.run({ contents: '*.log', workItemIds: '1' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.deepEqual(otherHost.requests, [], 'the other host saw no request at all');
        assert.equal(downloadsOf(scenario).length, 0);
        const [output] = attachmentsOutput(run);
        assert.equal(output.uploadType, 'simple');
        assert.ok(output.url.startsWith(scenario.emulator.collectionUrl), output.url);
        assert.equal(scenario.uploadRequests().length, 1);
        assert.deepEqual(attachedFiles(scenario, 1).map((relation) => relation.url), [elsewhere.url, `${scenario.emulator.collectionUrl}_apis/wit/attachments/${output.id}`]);
        assert.equal(run.warnings.length, 1);
        assert.match(run.warnings[0], new RegExp(`^app\\.log: a relation on work item 1 .* but its URL \\(on 127\\.0\\.0\\.1:${otherHost.port}\\) is not one of this collection's attachments\\. It was not downloaded`));
    });

    it("does not take an attachment of the same server outside the collection's attachments route for a candidate", async () => {
        scenario = await Scenario.start({ workItems: [{ id: 1 }] });
        // Our bytes, stored on this very server, but linked through a URL of another collection path.
        const stored = scenario.emulator.storeAttachment('app.log', OURS);
        scenario.emulator.attachToWorkItem(1, forgedClaim({ url: `${scenario.emulator.origin}/other/_apis/wit/attachments/${stored.id}`, resourceSize: OURS.length }));
        scenario.artifacts.write('app.log', OURS);

        const run = await scenario.run({ contents: '*.log', workItemIds: '1' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(downloadsOf(scenario).length, 0);
        assert.equal(attachmentsOutput(run)[0].uploadType, 'simple');
        assert.notEqual(attachmentsOutput(run)[0].id, stored.id);
        assert.match(run.warnings[0] ?? '', /is not one of this collection's attachments/);
    });

    it('still reuses a genuine attachment of an earlier run: downloaded with the token, compared, nothing uploaded', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('logs/app.log', OURS);
        scenario.artifacts.write('drop/setup.bin', binaryContent(MiB + 3, 4));
        const first = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101' });
        assert.equal(first.result, 'Succeeded', first.stdout);
        const before = scenario.emulator.requests.length;

        const second = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101,102' });

        assert.equal(second.result, 'Succeeded', second.stdout);
        const later = scenario.emulator.requests.slice(before);
        assert.deepEqual(later.filter((request) => request.method === 'POST' || request.method === 'PUT').map((request) => `${request.method} ${request.path}`), [], 'nothing uploaded');
        const downloads = later.filter((request) => request.method === 'GET' && /\/_apis\/wit\/attachments\//i.test(request.path));
        assert.deepEqual(downloads.map((request) => attachmentId(request.path)).sort(), attachmentsOutput(first).map((entry) => entry.id.toLowerCase()).sort(), 'each earlier attachment downloaded once');
        for (const download of downloads) {
            assert.equal(download.status, 200);
            assert.equal(download.headers.authorization, `Bearer ${TOKEN}`);
        }
        assert.deepEqual(attachmentsOutput(second).map((entry) => [entry.path, entry.uploadType]), [['drop/setup.bin', 'reused'], ['logs/app.log', 'reused']]);
        assert.deepEqual(attachmentsOutput(second).map((entry) => entry.id), attachmentsOutput(first).map((entry) => entry.id));
        assert.deepEqual(attachedFiles(scenario, 102).map((relation) => attachmentId(relation.url)).sort(), attachmentsOutput(first).map((entry) => entry.id.toLowerCase()).sort(), '#102 links the same attachments');
        assert.equal(second.outputs.LinkedWorkItems, '101,102');
        assert.deepEqual(second.warnings, []);
    });

    it('retries the download of a claimed attachment like any request, and uploads instead when the server refuses it', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('app.log', OURS);
        await scenario.run({ contents: '*.log', workItemIds: '101' });
        const earlier = attachmentId(attachedFiles(scenario, 101)[0].url);
        scenario.emulator.addFault({ method: 'GET', path: new RegExp(`/_apis/wit/attachments/${earlier}$`, 'i'), action: { kind: 'status', status: 503 } });

        const retried = await scenario.run({ contents: '*.log', workItemIds: '101' });

        assert.equal(retried.result, 'Succeeded', retried.stdout);
        assert.deepEqual(downloadsOf(scenario, earlier).map((request) => request.status), [503, 200]);
        assert.match(retried.visibleOutput, new RegExp(`^attachment ${earlier}: attempt 1 of 6 failed, retrying in .*: HTTP 503`, 'm'));
        assert.equal(attachmentsOutput(retried)[0].uploadType, 'reused');

        scenario.emulator.addFault({ method: 'GET', path: new RegExp(`/_apis/wit/attachments/${earlier}$`, 'i'), action: { kind: 'status', status: 404, body: { message: 'TF401232: the attachment is not there.' } } });

        const refused = await scenario.run({ contents: '*.log', workItemIds: '101,102' });

        assert.equal(refused.result, 'Succeeded', refused.stdout);
        assert.match(refused.visibleOutput, /^app\.log: the attachment on work item 101 that claims to hold this file could not be downloaded to compare it: the server answered HTTP 404 \(TF401232: the attachment is not there\.\)\. The file is uploaded instead\.$/m);
        const [output] = attachmentsOutput(refused);
        assert.equal(output.uploadType, 'simple');
        assert.deepEqual(attachedFiles(scenario, 102).map((relation) => attachmentId(relation.url)), [output.id.toLowerCase()]);
        assert.equal(refused.outputs.LinkedWorkItems, '101,102');
    });

    it('lists in LinkedWorkItems neither an item whose file failed to upload nor an item whose PATCH failed', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('a.log', 'a log');
        scenario.artifacts.write('b.log', 'b log');
        scenario.emulator.addFault({
            method: 'POST',
            path: /\/_apis\/wit\/attachments$/i,
            match: (request) => request.query.fileName === 'a.log',
            times: Infinity,
            action: { kind: 'status', status: 400, body: { message: 'VS402999: the emulator refuses a.log.' } },
        });

        const uploadFailed = await scenario.run({ contents: '*.log', workItemIds: '101,102' });

        assert.equal(uploadFailed.result, 'Failed');
        assert.match(uploadFailed.resultMessage ?? '', /^1 of 2 file\(s\) were not uploaded:\na\.log: /);
        assert.deepEqual(attachedFiles(scenario, 101).map((relation) => relation.attributes.name), ['b.log'], 'b.log is still linked');
        assert.deepEqual(attachedFiles(scenario, 102).map((relation) => relation.attributes.name), ['b.log']);
        assert.equal(uploadFailed.outputs.LinkedWorkItems, '', 'neither item holds a.log');

        scenario.emulator.clearFaults();
        scenario.emulator.addFault({ method: 'PATCH', path: /\/workitems\/102$/i, times: Infinity, action: { kind: 'status', status: 500 } });

        const linkFailed = await scenario.run({ contents: '*.log', workItemIds: '101,102', retries: '0' });

        assert.equal(linkFailed.result, 'Failed');
        assert.deepEqual(attachedFiles(scenario, 101).map((relation) => relation.attributes.name), ['b.log', 'a.log']);
        assert.deepEqual(attachedFiles(scenario, 102).map((relation) => relation.attributes.name), ['b.log']);
        assert.equal(linkFailed.outputs.LinkedWorkItems, '101');
        assert.match(linkFailed.resultMessage ?? '', /^#102: linking a\.log to work item 102 failed: the server failed \(HTTP 500\) on each of 1 attempt\(s\)/m);
    });

    it('does not upload a file that every target work item refuses, and says so in the summary and the result', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101, attachedFiles: 99 }, { id: 102, attachedFiles: 100 }] });
        scenario.artifacts.write('a.log', 'a');
        scenario.artifacts.write('b.log', 'b');

        const run = await scenario.run({ contents: '*.log', workItemIds: '101,102' });

        assert.equal(run.result, 'Failed');
        assert.deepEqual(scenario.uploadRequests(), [], 'nothing uploaded');
        assert.equal(run.outputs.AttachmentCount, '0');
        assert.equal(run.outputs.LinkedWorkItems, '');
        const refusal = 'not uploaded, because every work item it is meant for refuses it: #101, #102 would pass the limit of 100 attachments per work item (VS403313)';
        const message = run.resultMessage ?? '';
        assert.match(message, /^2 of 2 file\(s\) were not uploaded, and 2 work item\(s\) did not get their attachments:\n/);
        assert.ok(message.includes(`\na.log: ${refusal}`), message);
        assert.ok(message.includes(`\nb.log: ${refusal}`), message);
        assert.match(message, /\n#101: the work item has 99 attachments, and adding 2 would pass the limit/);
        const summary = summaryOf(run);
        assert.match(summary, /^\| a\.log \| 1 bytes \| not uploaded, because every work item it is meant for refuses it/m);
        assert.match(summary, /^\| b\.log \| 1 bytes \| not uploaded, because every work item it is meant for refuses it/m);
    });

    it('says that the link failed, naming the work item, the file and the reason, when a PATCH is answered 400', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('app.log', OURS);
        scenario.emulator.addFault({
            method: 'PATCH',
            path: /\/workitems\/102$/i,
            action: { kind: 'status', status: 400, body: { message: 'TF401320: Rule Error for field Attached File.', typeKey: 'RuleValidationException' } },
        });

        const run = await scenario.run({ contents: '*.log', workItemIds: '101,102' });

        assert.equal(run.result, 'Failed');
        const line = (run.resultMessage ?? '').split('\n').find((candidate) => candidate.startsWith('#102: '));
        assert.equal(
            line,
            '#102: the server refused to link app.log to work item 102 (HTTP 400): the attachments exist, but this work item does not link them. The server said: TF401320: Rule Error for field Attached File.',
        );
        assert.doesNotMatch(run.resultMessage ?? '', /upload\b/i);
        assert.equal(run.outputs.LinkedWorkItems, '101');
        assert.equal(attachmentsOutput(run)[0].uploadType, 'simple');
        // The summary escapes markdown: `#` and parentheses show as themselves.
        assert.ok(summaryOf(run).includes('- \\#102: the server refused to link app.log to work item 102 \\(HTTP 400\\)'), summaryOf(run));
    });
});
