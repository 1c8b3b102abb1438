import * as assert from 'assert/strict';
import { PROJECT, Scenario } from './harness';

function attachedNames(scenario: Scenario, id: number): string[] {
    return (scenario.emulator.workItem(id)?.relations ?? []).filter((relation) => relation.rel === 'AttachedFile').map((relation) => String(relation.attributes.name));
}

function wiqlRequests(scenario: Scenario) {
    return scenario.emulator.requests.filter((request) => request.method === 'POST' && /\/_apis\/wit\/wiql$/i.test(request.path));
}

const FLAT = "SELECT [System.Id] FROM WorkItems\nWHERE [System.TeamProject] = @project AND [System.Tags] CONTAINS 'nightly'";
const LINKS = 'SELECT [System.Id] FROM WorkItemLinks\nWHERE [Source].[System.WorkItemType] = \'Feature\' MODE (MustContain)';

describe('end to end: work items a WIQL query finds (workItemQuery, maxWorkItems)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    it('attaches to every work item a flat query returns, together with the named ones, each once', async () => {
        scenario = await Scenario.start({
            workItems: [{ id: 11 }, { id: 12 }, { id: 13 }],
            wiql: (query) => (query === FLAT ? { workItems: [12, 13] } : { error: 'unexpected query' }),
        });
        scenario.artifacts.write('nightly.log', 'log of the night');

        const run = await scenario.run({ contents: '*.log', workItemIds: '11, 12', workItemQuery: FLAT });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs.LinkedWorkItems, '11,12,13');
        for (const id of [11, 12, 13]) {
            assert.deepEqual(attachedNames(scenario, id), ['nightly.log']);
        }
        const [request] = wiqlRequests(scenario);
        assert.ok(request, 'the query went to the WIQL route');
        assert.equal(request.path, `/org/${PROJECT.id}/_apis/wit/wiql`, "in the pipeline's project, so @project means it");
        assert.equal(request.query.$top, '101', 'one row more than maxWorkItems');
        assert.deepEqual(scenario.emulator.wiqlQueries, [FLAT]);
        assert.match(run.stdout, /The work item query found 2 work item\(s\): SELECT \[System\.Id\] FROM WorkItems/);
    });

    it('attaches to the sources and the targets of a link query', async () => {
        scenario = await Scenario.start({
            workItems: [{ id: 21 }, { id: 22 }, { id: 23 }, { id: 24 }],
            wiql: () => ({ links: [{ target: 21 }, { source: 21, target: 22 }, { source: 21, target: 23 }, { target: 24 }] }),
        });
        scenario.artifacts.write('report.txt', 'report');

        const run = await scenario.run({ contents: '*.txt', workItemQuery: LINKS });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.equal(run.outputs.LinkedWorkItems, '21,22,23,24');
        for (const id of [21, 22, 23, 24]) {
            assert.deepEqual(attachedNames(scenario, id), ['report.txt']);
        }
    });

    it('fails before any upload when the server rejects the query, with its message and the first line of the query', async () => {
        scenario = await Scenario.start({
            workItems: [{ id: 31 }],
            wiql: () => ({ error: "TF51005: The query references a field that does not exist. The error is caused by «[System.Tagz]»." }),
        });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', workItemIds: '31', workItemQuery: "SELECT [System.Id] FROM WorkItems\nWHERE [System.Tagz] = 'x'" });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? "", /the server rejected the work item query in 'workItemQuery': TF51005: The query references a field that does not exist\. The error is caused by «\[System\.Tagz\]»\. \(query: SELECT \[System\.Id\] FROM WorkItems\)/);
        assert.equal(scenario.uploadRequests().length, 0, 'nothing uploaded');
        assert.deepEqual(attachedNames(scenario, 31), []);
        assert.equal(wiqlRequests(scenario).length, 1, 'a 400 is not retried');
    });

    it('fails before any upload when the selection passes maxWorkItems, naming the inputs, the count and the limit', async () => {
        scenario = await Scenario.start({
            workItems: [{ id: 41 }, { id: 42 }, { id: 43 }, { id: 44 }],
            buildWorkItems: { '42': [44] },
            wiql: () => ({ workItems: [42, 43] }),
        });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', workItemIds: '41 42', workItemQuery: FLAT, linkBuildWorkItems: 'true', maxWorkItems: '3' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? "", /Nothing was uploaded: 4 work items were selected \('workItemIds' \(2\), 'workItemQuery' \(2\), 'linkBuildWorkItems' \(1\)\), more than 'maxWorkItems' allows \(3\)/);
        assert.equal(scenario.uploadRequests().length, 0, 'nothing uploaded');
        assert.equal(run.outputs.AttachmentCount, '0', 'the outputs say nothing was attached');
        assert.equal(run.outputs.LinkedWorkItems, '');
        assert.equal(scenario.emulator.requests.filter((request) => request.method === 'PATCH').length, 0, 'nothing linked');
        assert.equal(scenario.emulator.requests.filter((request) => /\/_apis\/wit\/workitems\/\d+$/i.test(request.path)).length, 0, 'no work item even read');
    });

    it('says "more than N" when the query alone fills its $top, and sprays nothing', async () => {
        const many = Array.from({ length: 5000 }, (_, n) => 1000 + n);
        scenario = await Scenario.start({ workItems: [{ id: 1000 }], wiql: () => ({ workItems: many }) });
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', workItemQuery: FLAT, maxWorkItems: '5' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? "", /Nothing was uploaded: more than 5 work items were selected \('workItemQuery' \(more than 5\)\), more than 'maxWorkItems' allows \(5\)/);
        assert.equal(wiqlRequests(scenario)[0].query.$top, '6');
        assert.equal(scenario.uploadRequests().length, 0);
    });

    it('refuses a maxWorkItems outside 1 to 1000 before any request', async () => {
        scenario = await Scenario.start({});
        scenario.artifacts.write('a.log', 'a');

        const run = await scenario.run({ contents: '*.log', workItemQuery: FLAT, maxWorkItems: '1001' });

        assert.equal(run.result, 'Failed');
        assert.match(run.resultMessage ?? "", /maxWorkItems/);
        assert.equal(scenario.emulator.requests.length, 0);
    });
});
