import * as assert from 'assert/strict';
import { markdownText } from '../../engine/text/safeText';
import { binaryContent } from './fixtures';
import { Scenario, summaryOf } from './harness';

const MiB = 1024 * 1024;

describe('end to end: every failure in the result and on the summary tab, in the same words', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    it('names a failed file and a missing work item in the result, in that order, and gives the summary tab the same reasons', async () => {
        scenario = await Scenario.start({ maxAttachmentBytes: 1 * MiB, workItems: [{ id: 101 }] });
        scenario.artifacts.write('app.log', 'application log');
        scenario.artifacts.write('huge.bin', binaryContent(2 * MiB, 3));

        const run = await scenario.run({ contents: '*', chunkSizeMB: '1', workItemIds: '101, 999' });

        assert.equal(run.result, 'Failed');
        const [heading, fileLine, workItemLine, ...rest] = (run.resultMessage ?? '').split('\n');
        assert.equal(heading, '1 of 2 file(s) were not uploaded, and 1 work item(s) did not get their attachments:');
        assert.match(fileLine ?? '', /^huge\.bin: the file has 2\.00 MiB \(2,097,152 bytes\), more than the server accepts for one attachment: TF237082: /);
        assert.equal(workItemLine, "#999: work item 999 does not exist, or the identity may not read it (TF401232). Check the ID and the identity's 'View work items in this node' permission.");
        assert.deepEqual(rest, []);

        const summary = summaryOf(run).split('\n');
        const fileReason = (fileLine ?? '').slice('huge.bin: '.length);
        assert.ok(summary.some((line) => line.startsWith(`| huge.bin | 2.00 MiB (2,097,152 bytes) | ${markdownText(fileReason)} |`)), summary.join('\n'));
        const failuresAt = summary.indexOf('**Work items that did not get their attachments**');
        assert.ok(failuresAt > 0, summary.join('\n'));
        assert.deepEqual(summary.slice(failuresAt + 1).filter((line) => line !== ''), [`- ${markdownText(workItemLine ?? '')}`]);
    });
});
