import * as assert from 'assert/strict';
import { Scenario, TOKEN, assertServerHoldsExactly, startOtherHost } from './harness';

/** A host that is not the collection: it answers every request 404. */
const NOT_HERE = { status: 404, body: '{"message":"not here"}' };

describe('end to end: the token goes only to the collection, whatever the resource-area lookup names', function () {
    this.timeout(60_000);

    it('asks the collection for the work item and build areas when the lookup names another host for them', async () => {
        const other = await startOtherHost(NOT_HERE);
        const scenario = await Scenario.start({
            resourceAreas: 'hosted',
            resourceAreaUrls: { wit: `${other.origin}/org/`, build: `${other.origin}/org/` },
            workItems: [{ id: 101 }, { id: 102 }],
            buildWorkItems: { '42': [102] },
        });
        try {
            scenario.artifacts.write('app.log', 'log');

            const run = await scenario.run({ contents: 'app.log', workItemIds: '101', linkBuildWorkItems: 'true' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(other.seen, [], 'no request, and so no token, reached the other host');
            assert.equal(run.outputs.LinkedWorkItems, '101,102');
            await assertServerHoldsExactly(scenario, { 'app.log': 'log' });
            assert.ok(scenario.emulator.requests.some((request) => request.headers.authorization === `Bearer ${TOKEN}` && /\/_apis\/wit\/workitems\/101/i.test(request.path)));
        } finally {
            await scenario.stop();
            await other.close();
        }
    });
});
