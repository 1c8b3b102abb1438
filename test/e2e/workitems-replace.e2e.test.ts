import * as assert from 'assert/strict';
import { sha256 } from './fixtures';
import { attachedFiles, attachmentIdOf, Scenario, summaryOf } from './harness';

function patches(scenario: Scenario, from = 0) {
    return scenario.emulator.requests.slice(from).filter((request) => request.method === 'PATCH');
}

const NIGHTLY = { contents: 'nightly.log', workItemIds: '51', replaceOlderVersions: 'true' };

describe('end to end: replacing older versions (replaceOlderVersions)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('replaces the version an earlier run attached, in the PATCH that links the new one, and keeps the old file stored', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }] });
        scenario.artifacts.write('nightly.log', 'night one');
        const first = await scenario.run(NIGHTLY);
        assert.equal(first.result, 'Succeeded', first.stdout);
        const [older] = attachedFiles(scenario, 51);
        const revBefore = scenario.emulator.workItem(51)?.rev ?? 0;
        const requestsBefore = scenario.emulator.requests.length;

        scenario.artifacts.write('nightly.log', 'night two, longer');
        const second = await scenario.run(NIGHTLY);

        assert.equal(second.result, 'Succeeded', second.stdout);
        const now = attachedFiles(scenario, 51);
        assert.equal(now.length, 1, 'one nightly.log, not two');
        assert.notEqual(attachmentIdOf(now[0].url), attachmentIdOf(older.url));
        assert.ok(String(now[0].attributes.comment).endsWith(`[sha256:${sha256('night two, longer')}]`));
        assert.equal(patches(scenario, requestsBefore).length, 1, 'removal and addition in one PATCH');
        assert.equal(scenario.emulator.workItem(51)?.rev, revBefore + 1, 'one revision');
        assert.ok(scenario.emulator.attachment(attachmentIdOf(older.url))?.complete, 'the old file stays stored; only its link goes');
        assert.match(second.stdout, /nightly\.log replaces 1 older version\(s\) on work item #51\./);
        const summary = summaryOf(second);
        assert.match(summary, /^\*\*Older versions replaced\*\*$/m);
        // Markdown-escaped, as every value on the summary is.
        assert.match(summary, /^- \[#51\]\(http:\/\/127\.0\.0\.1:\d+\/org\/_workitems\/edit\/51\): nightly\.log \\\(1 older version\\\(s\\\)\\\)$/m);
    });

    it('never removes a relation someone else added with the same name, with no marker or a marker its content does not match', async () => {
        scenario = await Scenario.start({
            workItems: [
                {
                    id: 51,
                    attachments: [
                        { fileName: 'nightly.log', content: 'added by hand', comment: 'from QA' },
                        { fileName: 'nightly.log', content: 'forged', comment: `looks like ours [sha256:${sha256('something else')}]` },
                    ],
                },
            ],
        });
        scenario.artifacts.write('nightly.log', 'night one');

        const run = await scenario.run(NIGHTLY);

        assert.equal(run.result, 'Succeeded', run.stdout);
        const comments = attachedFiles(scenario, 51).map((relation) => String(relation.attributes.comment));
        assert.equal(comments.length, 3, 'both others stay, the new one is added');
        assert.equal(comments[0], 'from QA');
        assert.match(comments[1], /^looks like ours/);
        assert.doesNotMatch(run.stdout, /replaces/);
        assert.match(run.stdout, /nightly\.log on work item #51: an attachment of the same name that this task cannot prove it attached; it is left as it is\./);
    });

    it('never takes the current attachment of a namesake in another folder for an older version', async () => {
        // x64/app.log is unchanged; arm64/app.log changes. x64's attachment carries the task's marker for other bytes
        // than arm64's new file, but it is x64's current version, not an older arm64 one.
        scenario = await Scenario.start({ workItems: [{ id: 52 }] });
        scenario.artifacts.write('x64/app.log', 'built for x64');
        scenario.artifacts.write('arm64/app.log', 'built for arm64');
        const inputs = { contents: '**/app.log', workItemIds: '52', replaceOlderVersions: 'true' };
        assert.equal((await scenario.run(inputs)).result, 'Succeeded');
        const x64Before = attachedFiles(scenario, 52).find((relation) => String(relation.attributes.comment).endsWith(`[sha256:${sha256('built for x64')}]`));
        assert.ok(x64Before, 'x64/app.log linked by the first run');

        scenario.artifacts.write('arm64/app.log', 'built for arm64, again');
        const second = await scenario.run(inputs);

        assert.equal(second.result, 'Succeeded', second.stdout);
        const comments = attachedFiles(scenario, 52).map((relation) => String(relation.attributes.comment));
        assert.equal(comments.length, 2, comments.join('\n'));
        assert.ok(attachedFiles(scenario, 52).some((relation) => relation.url === x64Before.url), 'x64/app.log keeps its link');
        assert.ok(comments.some((comment) => comment.endsWith(`[sha256:${sha256('built for arm64, again')}]`)), 'the new arm64/app.log is linked');
        assert.ok(!comments.some((comment) => comment.endsWith(`[sha256:${sha256('built for arm64')}]`)), 'the old arm64/app.log is replaced');
        assert.match(second.stdout, /arm64\/app\.log replaces 1 older version\(s\) on work item #52\./);
    });

    it('removes and counts each older version once when namesakes in two folders both change, and nothing after them', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 53 }] });
        scenario.artifacts.write('x64/app.log', 'built for x64');
        scenario.artifacts.write('arm64/app.log', 'built for arm64');
        scenario.artifacts.write('zz-notes.txt', 'someone else\'s notes');
        assert.equal((await scenario.run({ contents: '**/app.log', workItemIds: '53' })).result, 'Succeeded');
        // Linked after the two: removing an index twice would take this one.
        assert.equal((await scenario.run({ contents: 'zz-notes.txt', workItemIds: '53' })).result, 'Succeeded');

        scenario.artifacts.write('x64/app.log', 'built for x64, again');
        scenario.artifacts.write('arm64/app.log', 'built for arm64, again');
        const second = await scenario.run({ contents: '**/app.log', workItemIds: '53', replaceOlderVersions: 'true' });

        assert.equal(second.result, 'Succeeded', second.stdout);
        const comments = attachedFiles(scenario, 53).map((relation) => String(relation.attributes.comment));
        const markers = ['built for x64, again', 'built for arm64, again', 'someone else\'s notes'].map((text) => `[sha256:${sha256(text)}]`);
        assert.deepEqual(
            markers.map((marker) => comments.filter((comment) => comment.endsWith(marker)).length),
            [1, 1, 1],
            comments.join('\n'),
        );
        assert.equal(comments.length, 3, comments.join('\n'));
        // The log counts each removed relation once, whichever namesake it is told under.
        const counted = [...second.stdout.matchAll(/replaces (\d+) older version\(s\) on work item #53/g)].reduce((sum, match) => sum + Number(match[1]), 0);
        assert.equal(counted, 2, second.stdout);
    });

    it('removes nothing when the new upload fails', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }] });
        scenario.artifacts.write('nightly.log', 'night one');
        await scenario.run(NIGHTLY);
        const before = attachedFiles(scenario, 51);
        const requestsBefore = scenario.emulator.requests.length;
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', times: Infinity, action: { kind: 'status', status: 400 } });

        scenario.artifacts.write('nightly.log', 'night two');
        const run = await scenario.run(NIGHTLY);

        assert.equal(run.result, 'Failed');
        assert.deepEqual(attachedFiles(scenario, 51), before);
        assert.equal(patches(scenario, requestsBefore).length, 0);
    });

    it('counts what it removes against the 100-attachments limit', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51, attachedFiles: 99 }] });
        scenario.artifacts.write('nightly.log', 'night one');
        const first = await scenario.run(NIGHTLY);
        assert.equal(first.result, 'Succeeded', first.stdout);
        assert.equal(attachedFiles(scenario, 51).length, 100);

        scenario.artifacts.write('nightly.log', 'night two');
        const second = await scenario.run(NIGHTLY);

        assert.equal(second.result, 'Succeeded', second.stdout);
        assert.equal(attachedFiles(scenario, 51).length, 100);
        assert.equal(attachedFiles(scenario, 51).filter((relation) => relation.attributes.name === 'nightly.log').length, 1);
    });

    it('without replaceOlderVersions, keeps every version', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 51 }] });
        scenario.artifacts.write('nightly.log', 'night one');
        await scenario.run({ ...NIGHTLY, replaceOlderVersions: 'false' });
        scenario.artifacts.write('nightly.log', 'night two');
        const run = await scenario.run({ ...NIGHTLY, replaceOlderVersions: 'false' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(attachedFiles(scenario, 51).length, 2);
    });
});
