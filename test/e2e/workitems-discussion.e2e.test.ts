import * as assert from 'assert/strict';
import { Scenario } from './harness';

const HOSTILE = 'evil<img src=x onerror=alert(1)>&.txt';
const VARIABLES = { 'Build.DefinitionName': 'R&D <nightly>', 'Build.BuildNumber': '20261129.1' };

function imageSources(html: string): string[] {
    return [...html.matchAll(/<img src="([^"]*)"/g)].map((match) => match[1]);
}

describe('end to end: a Discussion entry with the newly attached files (discussionComment)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('adds one escaped entry in the linking PATCH: links with sizes, bounded image previews (never .svg) and a link back to the run', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 61 }] });
        scenario.artifacts.write('shot.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));
        scenario.artifacts.write('diagram.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
        scenario.artifacts.write(HOSTILE, 'hostile');

        const run = await scenario.run({ contents: '*', workItemIds: '61', discussionComment: 'true' }, { variables: VARIABLES });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const item = scenario.emulator.workItem(61);
        assert.equal(item?.history.length, 1, 'one entry');
        assert.equal(item?.rev, 2, 'in the same PATCH as the relations');
        const html = item?.history[0] ?? '';
        assert.match(html, /^<p>3 file\(s\) attached by <a href="http:\/\/127\.0\.0\.1:\d+\/org\/Fabrikam\/_build\/results\?buildId=42">R&#38;D &#60;nightly&#62; 20261129\.1<\/a><\/p>/);
        assert.ok(html.includes('evil&#60;img src=x onerror=alert(1)&#62;&#38;.txt</a> (7 bytes)'), html);
        assert.ok(!html.includes('<img src=x'), 'the hostile name is text, not markup');
        assert.ok(!html.includes('<script'), 'nothing of the svg is inlined');
        const sources = imageSources(html);
        assert.equal(sources.length, 1, 'only the png is previewed');
        assert.match(sources[0], /\/_apis\/wit\/attachments\/[0-9a-f-]{36}\?fileName=shot\.png$/);
        assert.match(html, /<img src="[^"]+" alt="shot\.png" style="max-width:480px;max-height:320px">/);
        assert.match(html, /<a href="[^"]+fileName=diagram\.svg">diagram\.svg<\/a> \(\d+ bytes\)/);
    });

    it('previews at most 10 images in one entry', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 61 }] });
        for (let n = 1; n <= 12; n++) {
            scenario.artifacts.write(`shot-${String(n).padStart(2, '0')}.jpg`, `jpeg ${n}`);
        }

        const run = await scenario.run({ contents: '*.jpg', workItemIds: '61', discussionComment: 'true' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const html = scenario.emulator.workItem(61)?.history[0] ?? '';
        assert.equal(imageSources(html).length, 10);
        assert.equal([...html.matchAll(/<li>/g)].length, 12, 'every file is listed');
    });

    it('adds no entry on a re-run that links nothing new, and sends no PATCH', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 61 }] });
        scenario.artifacts.write('shot.png', 'png');
        await scenario.run({ contents: '*', workItemIds: '61', discussionComment: 'true' });
        const requestsBefore = scenario.emulator.requests.length;

        const again = await scenario.run({ contents: '*', workItemIds: '61', discussionComment: 'true' });

        assert.equal(again.result, 'Succeeded', again.stdout);
        assert.equal(scenario.emulator.workItem(61)?.history.length, 1);
        assert.equal(scenario.emulator.requests.slice(requestsBefore).filter((request) => request.method === 'PATCH').length, 0);
    });

    it('adds no entry when discussionComment is off', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 61 }] });
        scenario.artifacts.write('shot.png', 'png');

        await scenario.run({ contents: '*', workItemIds: '61' });

        assert.deepEqual(scenario.emulator.workItem(61)?.history, []);
    });
});
