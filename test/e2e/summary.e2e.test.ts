import * as assert from 'assert/strict';
import { binaryContent } from './fixtures';
import { Scenario, summaryOf } from './harness';

const MiB = 1024 * 1024;

/** Two full stops in a row, as in "...the work item.. Split", but not an ellipsis. */
const DOUBLE_STOP = /(?<!\.)\.\.(?!\.)/;

describe('end to end: the summary tab and the failure messages a user reads', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    it('links each work item number to its page in the collection', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('logs/app.log', 'application log');

        const run = await scenario.run({ contents: '**', workItemIds: '101, 102' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const collection = scenario.emulator.collectionUrl.replace(/\/*$/, '/');
        const row = summaryOf(run).split('\n').find((line) => line.startsWith('| logs/app.log |'));
        assert.ok(row, summaryOf(run));
        assert.ok(
            row.endsWith(` | [#101](${collection}_workitems/edit/101), [#102](${collection}_workitems/edit/102) |`),
            `${row}\nshould end with links to ${collection}_workitems/edit/101 and 102`,
        );
    });

    it('ends a server message that has its own full stop with one full stop, in the result, the log and the summary', async () => {
        scenario = await Scenario.start({ maxAttachmentBytes: 1 * MiB });
        scenario.artifacts.write('huge.bin', binaryContent(2 * MiB, 3));

        const run = await scenario.run({ contents: '*', chunkSizeMB: '1' });

        assert.equal(run.result, 'Failed');
        const failure = (run.resultMessage ?? '').split('\n').find((line) => line.startsWith('huge.bin: '));
        assert.match(failure ?? '', /TF237082: .*and then link the file to the work item\. Split or compress the file/, run.resultMessage);
        for (const [where, text] of [['result', run.resultMessage ?? ''], ['log', run.visibleOutput], ['summary', summaryOf(run)]]) {
            assert.doesNotMatch(text, DOUBLE_STOP, `two full stops in the ${where}`);
        }
    });

    it('ends the throttling message, whose server text ends with a full stop, with one full stop', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('a.txt', 'alpha');
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', times: Infinity, action: { kind: 'status', status: 429, headers: { 'Retry-After': '0' } } });

        const run = await scenario.run({ contents: 'a.txt', retries: '0' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? '', /TF400733: .*\(https:\/\/go\.microsoft\.com\/fwlink\/\?LinkId=823950\)\. Run the pipeline later/);
        assert.doesNotMatch(run.resultMessage ?? '', DOUBLE_STOP);
        assert.doesNotMatch(summaryOf(run), DOUBLE_STOP);
    });
});
