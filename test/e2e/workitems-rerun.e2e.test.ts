import * as assert from 'assert/strict';
import { Scenario } from './harness';

describe('end to end: a re-run with every work item feature on', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('changes nothing the second time: no upload, no PATCH, no removal, no Discussion entry', async () => {
        scenario = await Scenario.start({
            workItems: [{ id: 71 }, { id: 72 }, { id: 73 }],
            wiql: () => ({ workItems: [72] }),
            builds: [
                { id: 40, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-11-01T00:00:00Z', workItems: [] },
                { id: 41, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'failed', finishTime: '2026-11-02T00:00:00Z', workItems: [73] },
                { id: 42, definitionId: 7, sourceBranch: 'refs/heads/main', status: 'inProgress', workItems: [] },
            ],
        });
        scenario.artifacts.write('nightly.log', 'the same night');
        scenario.artifacts.write('shot.png', 'png');
        const inputs = {
            contents: '*',
            workItemIds: '71',
            workItemQuery: 'SELECT [System.Id] FROM WorkItems',
            linkBuildWorkItems: 'true',
            runWorkItemsScope: 'sinceLastSuccessfulRun',
            replaceOlderVersions: 'true',
            discussionComment: 'true',
        };
        const variables = { 'System.DefinitionId': '7', 'Build.SourceBranch': 'refs/heads/main' };
        const first = await scenario.run(inputs, { variables });
        assert.equal(first.result, 'Succeeded', first.stdout);
        assert.equal(first.outputs.LinkedWorkItems, '71,72,73');
        const before = [71, 72, 73].map((id) => scenario.emulator.workItem(id));
        const requestsBefore = scenario.emulator.requests.length;

        const second = await scenario.run(inputs, { variables });

        assert.equal(second.result, 'Succeeded', second.stdout);
        assert.equal(second.outputs.LinkedWorkItems, '71,72,73');
        const later = scenario.emulator.requests.slice(requestsBefore);
        assert.equal(later.filter((request) => request.method === 'PATCH').length, 0, 'no PATCH');
        assert.equal(later.filter((request) => request.method === 'POST' && /\/attachments/i.test(request.path)).length, 0, 'no upload');
        assert.deepEqual([71, 72, 73].map((id) => scenario.emulator.workItem(id)), before);
        assert.doesNotMatch(second.stdout, /replaces/);
    });
});
