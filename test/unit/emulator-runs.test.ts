import { strict as assert } from 'assert';
import * as http from 'http';
import { BuildApi } from 'azure-devops-node-api/BuildApi';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import { BuildQueryOrder, BuildResult, BuildStatus } from 'azure-devops-node-api/interfaces/BuildInterfaces';
import { DeploymentStatus, ReleaseQueryOrder } from 'azure-devops-node-api/interfaces/ReleaseInterfaces';
import { ReleaseApi } from 'azure-devops-node-api/ReleaseApi';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { AzureDevOpsEmulator, type EmulatorOptions } from '../emulator';

const token = 'emulator-token';

function request(emu: AzureDevOpsEmulator, method: string, target: string, body?: string, contentType = 'application/json'): Promise<{ status: number; json: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
        const req = http.request(
            new URL(target, emu.collectionUrl),
            { method, agent: false, headers: { Authorization: `Bearer ${token}`, Accept: 'application/json;api-version=7.1', 'Content-Type': contentType } },
            (res) => {
                const parts: Buffer[] = [];
                res.on('data', (chunk: Buffer) => parts.push(chunk));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown> }));
                res.on('error', reject);
            },
        );
        req.on('error', reject);
        req.end(body);
    });
}

describe('Azure DevOps emulator: WIQL, builds, deployments and relation removal', () => {
    let emu: AzureDevOpsEmulator;
    const start = async (options: EmulatorOptions) => {
        emu = await AzureDevOpsEmulator.start({ token, ...options });
    };
    const handlers = () => [new BearerCredentialHandler(token)];

    afterEach(async () => {
        await emu?.stop();
    });

    it('answers a flat and a link WIQL query through node-api, applying $top to the rows', async () => {
        await start({ wiql: (query) => (query.includes('Links') ? { links: [{ target: 1 }, { source: 1, target: 2 }] } : { workItems: [5, 6, 7] }) });
        const wit = new WorkItemTrackingApi(emu.collectionUrl, handlers());
        const flat = await wit.queryByWiql({ query: 'SELECT [System.Id] FROM WorkItems' }, { project: 'Fabrikam' }, undefined, 2);
        assert.deepEqual(flat.workItems?.map((row) => row.id), [5, 6]);
        const links = await wit.queryByWiql({ query: 'SELECT [System.Id] FROM WorkItemLinks' }, { project: 'Fabrikam' });
        assert.deepEqual(links.workItemRelations?.map((row) => [row.source?.id ?? null, row.target?.id]), [[null, 1], [1, 2]]);
    });

    it('refuses a query with 400 and the message the test gives', async () => {
        await start({ wiql: () => ({ error: 'TF51005: no such field' }) });
        const reply = await request(emu, 'POST', 'Fabrikam/_apis/wit/wiql', JSON.stringify({ query: 'SELECT nonsense' }));
        assert.equal(reply.status, 400);
        assert.equal(reply.json.message, 'TF51005: no such field');
    });

    it('filters the builds list by definition, branch, status and result, newest finish first, as node-api sends the enums', async () => {
        await start({
            builds: [
                { id: 1, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-01-01T00:00:00Z' },
                { id: 2, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-01-03T00:00:00Z' },
                { id: 3, definitionId: 7, sourceBranch: 'refs/heads/main', result: 'partiallySucceeded', finishTime: '2026-01-04T00:00:00Z' },
                { id: 4, definitionId: 7, sourceBranch: 'refs/heads/other', result: 'succeeded', finishTime: '2026-01-05T00:00:00Z' },
                { id: 5, definitionId: 8, sourceBranch: 'refs/heads/main', result: 'succeeded', finishTime: '2026-01-06T00:00:00Z' },
            ],
        });
        const build = new BuildApi(emu.collectionUrl, handlers());
        const found = await build.getBuilds('Fabrikam', [7], undefined, undefined, undefined, undefined, undefined, undefined, BuildStatus.Completed, BuildResult.Succeeded, undefined, undefined, 5, undefined, undefined, undefined, BuildQueryOrder.FinishTimeDescending, 'refs/heads/main');
        assert.deepEqual(found.map((entry) => entry.id), [2, 1]);
        const byName = await request(emu, 'GET', 'Fabrikam/_apis/build/builds?resultFilter=Succeeded,partiallySucceeded&definitions=7&branchName=refs/heads/main');
        assert.deepEqual((byName.json.value as { id: number }[]).map((entry) => entry.id), [3, 2, 1]);
        assert.equal((await request(emu, 'GET', 'Fabrikam/_apis/build/builds?resultFilter=sometimes')).status, 400);
    });

    it('lists the work items between two builds of the same pipeline and branch, the first excluded', async () => {
        await start({
            builds: [
                { id: 1, definitionId: 7, sourceBranch: 'refs/heads/main', workItems: [10] },
                { id: 2, definitionId: 7, sourceBranch: 'refs/heads/main', workItems: [20] },
                { id: 3, definitionId: 7, sourceBranch: 'refs/heads/other', workItems: [30] },
                { id: 4, definitionId: 7, sourceBranch: 'refs/heads/main', workItems: [40, 20] },
            ],
        });
        const refs = await new BuildApi(emu.collectionUrl, handlers()).getWorkItemsBetweenBuilds('Fabrikam', 1, 4);
        assert.deepEqual(refs.map((ref) => ref.id), ['20', '40']);
    });

    it('lists deployments by release pipeline, stage and status, newest first; and release work items since a base release', async () => {
        await start({
            deployments: [
                { id: 1, releaseId: 9, definitionId: 3, definitionEnvironmentId: 5, status: 'succeeded' },
                { id: 2, releaseId: 10, definitionId: 3, definitionEnvironmentId: 5, status: 'failed' },
                { id: 3, releaseId: 11, definitionId: 3, definitionEnvironmentId: 5, status: 'succeeded' },
                { id: 4, releaseId: 11, definitionId: 3, definitionEnvironmentId: 6, status: 'succeeded' },
            ],
            releaseWorkItems: { '9': [1], '10': [2], '11': [3] },
        });
        const release = new ReleaseApi(emu.collectionUrl, handlers());
        const deployments = await release.getDeployments('Fabrikam', 3, 5, undefined, undefined, undefined, DeploymentStatus.Succeeded, undefined, undefined, ReleaseQueryOrder.Descending, 10);
        assert.deepEqual(deployments.map((deployment) => deployment.release?.id), [11, 9]);
        assert.deepEqual((await release.getReleaseWorkItemsRefs('Fabrikam', 11, 9)).map((ref) => ref.id), ['2', '3']);
        assert.deepEqual((await release.getReleaseWorkItemsRefs('Fabrikam', 11)).map((ref) => ref.id), ['3']);
    });

    it('removes relations by index and adds others in one PATCH, with a Discussion entry, as one revision', async () => {
        await start({ workItems: [{ id: 7, attachments: [{ fileName: 'a.txt', content: 'a' }, { fileName: 'b.txt', content: 'b' }, { fileName: 'c.txt', content: 'c' }] }] });
        const stored = emu.storeAttachment('d.txt', 'd');
        const patch = [
            { op: 'test', path: '/rev', value: 1 },
            { op: 'remove', path: '/relations/2' },
            { op: 'remove', path: '/relations/0' },
            { op: 'add', path: '/relations/-', value: { rel: 'AttachedFile', url: stored.url, attributes: { comment: 'd' } } },
            { op: 'add', path: '/fields/System.History', value: '<p>hi</p>' },
        ];
        const reply = await request(emu, 'PATCH', 'Fabrikam/_apis/wit/workitems/7', JSON.stringify(patch), 'application/json-patch+json');
        assert.equal(reply.status, 200);
        const item = emu.workItem(7);
        assert.deepEqual(item?.relations.map((relation) => relation.attributes.name), ['b.txt', 'd.txt']);
        assert.deepEqual(item?.history, ['<p>hi</p>']);
        assert.equal(item?.rev, 2);
        const outOfRange = await request(emu, 'PATCH', 'Fabrikam/_apis/wit/workitems/7', JSON.stringify([{ op: 'remove', path: '/relations/5' }]), 'application/json-patch+json');
        assert.equal(outOfRange.status, 400);
        assert.equal(emu.workItem(7)?.rev, 2);
    });
});
