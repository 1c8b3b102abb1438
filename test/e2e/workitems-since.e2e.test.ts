import * as assert from 'assert/strict';
import type { BuildSeed, DeploymentSeed } from '../emulator';
import { Scenario } from './harness';

function linkedIds(scenario: Scenario, ids: number[]): number[] {
    return ids.filter((id) => (scenario.emulator.workItem(id)?.relations ?? []).some((relation) => relation.rel === 'AttachedFile'));
}

const BUILD_VARIABLES = { 'System.DefinitionId': '7', 'Build.SourceBranch': 'refs/heads/main', 'Build.BuildId': '42' };
const SINCE = { contents: '*.log', linkBuildWorkItems: 'true', runWorkItemsScope: 'sinceLastSuccessfulRun' };

/** Pipeline 7 on main: 38 succeeded; 39 failed; 40 succeeded on another branch; 41 partially succeeded; 42 is this run. */
const BUILDS: BuildSeed[] = [
    { id: 37, definitionId: 8, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-11-05T00:00:00Z', workItems: [306] },
    { id: 38, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-11-01T00:00:00Z', workItems: [301] },
    { id: 39, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'failed', finishTime: '2026-11-02T00:00:00Z', workItems: [302] },
    { id: 40, definitionId: 7, sourceBranch: 'refs/heads/feature', result: 'succeeded', finishTime: '2026-11-03T00:00:00Z', workItems: [303] },
    { id: 41, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'partiallySucceeded', finishTime: '2026-11-04T00:00:00Z', workItems: [304] },
    { id: 42, definitionId: 7, sourceBranch: 'refs/heads/main', status: 'inProgress', workItems: [305] },
];
const BUILD_ITEMS = [301, 302, 303, 304, 305, 306];

const RELEASE_VARIABLES = {
    'System.HostType': 'release',
    'Release.ReleaseId': '12',
    'Release.DefinitionId': '3',
    'Release.DefinitionEnvironmentId': '5',
    'Release.DefinitionName': 'Ship',
    'Release.ReleaseName': 'Release-12',
};
const RELEASE_WORK_ITEMS = { '9': [401], '10': [402], '11': [403], '12': [404] };
const RELEASE_ITEMS = [401, 402, 403, 404];

describe('end to end: the work items since the last successful run (runWorkItemsScope)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    describe('a pipeline run', () => {
        it('attaches to the work items of every run on the same branch since the last succeeded one, and to none of other branches or pipelines', async () => {
            scenario = await Scenario.start({ workItems: BUILD_ITEMS.map((id) => ({ id })), builds: BUILDS });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run(SINCE, { variables: BUILD_VARIABLES });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedIds(scenario, BUILD_ITEMS), [302, 304, 305]);
            const list = scenario.emulator.requests.find((request) => /\/_apis\/build\/builds$/i.test(request.path));
            assert.ok(list, 'the builds list was asked');
            assert.equal(list.query.definitions, '7');
            assert.equal(list.query.branchName, 'refs/heads/main');
            assert.equal(list.query.$top, '1');
            const between = scenario.emulator.requests.find((request) => /\/_apis\/build\/workitems$/i.test(request.path));
            assert.deepEqual([between?.query.fromBuildId, between?.query.toBuildId], ['38', '42']);
            assert.match(run.stdout, /The work items since the last successful run \(38\): 3\./);
        });

        it("with no earlier successful run on the branch, attaches to this run's work items and says so", async () => {
            const failedOnly = BUILDS.filter((build) => build.id !== 38);
            scenario = await Scenario.start({ workItems: BUILD_ITEMS.map((id) => ({ id })), builds: failedOnly });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run(SINCE, { variables: BUILD_VARIABLES });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedIds(scenario, BUILD_ITEMS), [305]);
            assert.match(run.stdout, /this pipeline has no earlier successful run on this branch: only this run's work items are targets/);
        });

        it("thisRun keeps to this run's work items and asks for no builds list", async () => {
            scenario = await Scenario.start({ workItems: BUILD_ITEMS.map((id) => ({ id })), builds: BUILDS });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run({ ...SINCE, runWorkItemsScope: 'thisRun' }, { variables: BUILD_VARIABLES });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedIds(scenario, BUILD_ITEMS), [305]);
            assert.equal(scenario.emulator.requests.filter((request) => /\/_apis\/build\/builds$/i.test(request.path)).length, 0);
        });
    });

    describe('a classic release', () => {
        const deployments: DeploymentSeed[] = [
            { id: 1, releaseId: 9, definitionId: 3, definitionEnvironmentId: 5, status: 'succeeded' },
            { id: 2, releaseId: 10, definitionId: 3, definitionEnvironmentId: 5, status: 'failed' },
            { id: 3, releaseId: 11, definitionId: 3, definitionEnvironmentId: 6, status: 'succeeded' },
            { id: 4, releaseId: 12, definitionId: 3, definitionEnvironmentId: 5, status: 'succeeded' },
        ];

        it('attaches to the work items since the last other release deployed successfully to this stage, asked of the release host', async () => {
            scenario = await Scenario.start({ resourceAreas: 'hosted', workItems: RELEASE_ITEMS.map((id) => ({ id })), deployments, releaseWorkItems: RELEASE_WORK_ITEMS });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run(SINCE, { variables: RELEASE_VARIABLES });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedIds(scenario, RELEASE_ITEMS), [402, 403, 404]);
            const list = scenario.emulator.requests.find((request) => /\/_apis\/release\/deployments$/i.test(request.path));
            assert.equal(list?.host, 'release');
            assert.deepEqual([list?.query.definitionId, list?.query.definitionEnvironmentId], ['3', '5']);
            const since = scenario.emulator.requests.find((request) => /releases\/12\/workitems$/i.test(request.path) && request.query.baseReleaseId !== undefined);
            assert.equal(since?.query.baseReleaseId, '9');
            assert.equal(since?.host, 'release');
            assert.match(run.stdout, /The work items since the last release deployed successfully to this stage \(Release-9\): 3\./);
        });

        it("with no other release deployed successfully to this stage, attaches to this release's work items and says so", async () => {
            const none = deployments.filter((deployment) => deployment.releaseId !== 9);
            scenario = await Scenario.start({ resourceAreas: 'hosted', workItems: RELEASE_ITEMS.map((id) => ({ id })), deployments: none, releaseWorkItems: RELEASE_WORK_ITEMS });
            scenario.artifacts.write('a.log', 'a');

            const run = await scenario.run(SINCE, { variables: RELEASE_VARIABLES });

            assert.equal(run.result, 'Succeeded', run.stdout);
            assert.deepEqual(linkedIds(scenario, RELEASE_ITEMS), [404]);
            assert.match(run.stdout, /no other release was deployed successfully to this stage: only this release's work items are targets/);
        });
    });
});
