import * as assert from 'assert/strict';
import { attachedFiles, attachmentIdOf, Scenario } from './harness';

describe('end to end: each claimed attachment is downloaded once per run', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('downloads each attachment once on a re-run of namesakes with replaceOlderVersions, and removes nothing', async () => {
        // Two files of one name in two folders: on a re-run, each one's attachment is a reuse claim for itself, and the
        // current version of its namesake, never an older one (before, each was downloaded for both proofs).
        scenario = await Scenario.start({ workItems: [{ id: 81 }] });
        scenario.artifacts.write('x64/app.log', 'built for x64');
        scenario.artifacts.write('arm64/app.log', 'built for arm64');
        const inputs = { contents: '**/app.log', workItemIds: '81', replaceOlderVersions: 'true' };
        const first = await scenario.run(inputs);
        assert.equal(first.result, 'Succeeded', first.stdout);
        const ids = attachedFiles(scenario, 81).map((relation) => attachmentIdOf(relation.url));
        assert.equal(ids.length, 2);
        const before = scenario.emulator.workItem(81);
        const requestsBefore = scenario.emulator.requests.length;

        const second = await scenario.run(inputs);

        assert.equal(second.result, 'Succeeded', second.stdout);
        const later = scenario.emulator.requests.slice(requestsBefore);
        for (const id of ids) {
            const gets = later.filter((request) => request.method === 'GET' && request.path.toLowerCase().endsWith(`/_apis/wit/attachments/${id}`));
            assert.equal(gets.length, 1, `one download of attachment ${id}, not ${gets.length}`);
        }
        assert.equal(later.filter((request) => request.method === 'PATCH').length, 0, 'nothing to link, nothing removed');
        assert.equal(later.filter((request) => request.method === 'POST' && /\/attachments/i.test(request.path)).length, 0, 'no upload');
        assert.deepEqual(scenario.emulator.workItem(81), before);
        assert.equal(second.stdout.match(/already attached/gi)?.length ?? 0, (first.stdout.match(/already attached/gi)?.length ?? 0) + 2, second.stdout);
    });
});
