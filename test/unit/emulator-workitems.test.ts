import { strict as assert } from 'assert';
import { WebApi } from 'azure-devops-node-api';
import { BuildApi } from 'azure-devops-node-api/BuildApi';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import { WorkItemExpand } from 'azure-devops-node-api/interfaces/WorkItemTrackingInterfaces';
import { LocationsApi } from 'azure-devops-node-api/LocationsApi';
import { ReleaseApi } from 'azure-devops-node-api/ReleaseApi';
import { WorkItemTrackingApi } from 'azure-devops-node-api/WorkItemTrackingApi';
import { AzureDevOpsEmulator, locationIds, type EmulatorOptions } from '../emulator';
import { sendToEmulator, type EmulatorReply } from './emulatorRequest';

const token = 'emulator-token';
const releaseAreaId = 'efc2f575-36ef-48e9-b672-0c6fb4a48ac5';

type Reply = EmulatorReply;

/** `target` is absolute or relative to the collection URL. */
function send(emu: AzureDevOpsEmulator, method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<Reply> {
    return sendToEmulator(emu, token, method, target, headers, body);
}

async function upload(emu: AzureDevOpsEmulator, fileName: string, content: string): Promise<string> {
    const reply = await send(
        emu,
        'POST',
        `Fabrikam/_apis/wit/attachments?fileName=${encodeURIComponent(fileName)}`,
        { 'Content-Type': 'application/octet-stream' },
        content,
    );
    assert.equal(reply.status, 201);
    return reply.json().url as string;
}

const attach = (url: string, comment?: string) => ({
    op: 'add',
    path: '/relations/-',
    value: { rel: 'AttachedFile', url, attributes: comment === undefined ? {} : { comment } },
});
const testRev = (rev: number) => ({ op: 'test', path: '/rev', value: rev });

function patch(emu: AzureDevOpsEmulator, id: number, operations: unknown, contentType = 'application/json-patch+json'): Promise<Reply> {
    return send(emu, 'PATCH', `Fabrikam/_apis/wit/workitems/${id}`, { 'Content-Type': contentType }, JSON.stringify(operations));
}

/** node-api rejects with an Error carrying the status and the service's message. */
async function rejection(promise: Promise<unknown>): Promise<{ statusCode?: number; message: string }> {
    try {
        await promise;
    } catch (err) {
        return err as { statusCode?: number; message: string };
    }
    throw new Error('expected the call to fail');
}

describe('Azure DevOps emulator: work items, builds and releases', () => {
    let emu: AzureDevOpsEmulator;
    const start = async (options?: EmulatorOptions): Promise<AzureDevOpsEmulator> => {
        emu = await AzureDevOpsEmulator.start(options);
        return emu;
    };
    const handlers = () => [new BearerCredentialHandler(token)];
    const wit = () => new WorkItemTrackingApi(emu.collectionUrl, handlers());
    afterEach(async () => {
        await emu?.stop();
    });

    describe('getWorkItem', () => {
        for (const expand of [WorkItemExpand.Relations, WorkItemExpand.All]) {
            it(`lists AttachedFile relations with name and resourceSize for $expand=${expand}`, async () => {
                await start({ workItems: [{ id: 42, title: 'Fix it', attachedFiles: 2 }] });
                const item = await wit().getWorkItem(42, undefined, undefined, expand, 'Fabrikam');
                assert.equal(item.id, 42);
                assert.equal(item.rev, 1);
                assert.deepEqual(item.fields, { 'System.Id': 42, 'System.Title': 'Fix it', 'System.Rev': 1, 'System.TeamProject': 'Fabrikam' });
                assert.equal(item.url, `${emu.collectionUrl}_apis/wit/workItems/42`);
                assert.deepEqual(
                    item.relations?.map((relation) => [relation.rel, relation.attributes?.name, typeof relation.attributes?.resourceSize]),
                    [
                        ['AttachedFile', 'existing-1.txt', 'number'],
                        ['AttachedFile', 'existing-2.txt', 'number'],
                    ],
                );
                assert.equal(typeof item.relations?.[0].attributes?.id, 'number');
                assert.match(String(item.relations?.[0].url), /\/_apis\/wit\/attachments\/[0-9a-f-]{36}$/);
                const request = emu.requests.find((recorded) => recorded.method === 'GET');
                assert.equal(request?.query.$expand, String(expand));
                assert.equal(request?.host, 'main');
            });
        }

        it('leaves relations out without $expand, and accepts the names as well as the numbers', async () => {
            await start({ workItems: [{ id: 42, attachedFiles: 1 }] });
            const item = await wit().getWorkItem(42, undefined, undefined, undefined, 'Fabrikam');
            assert.equal('relations' in item, false);
            const byName = await send(emu, 'GET', '_apis/wit/workitems/42?$expand=RELATIONS');
            assert.equal((byName.json().relations as unknown[]).length, 1);
            const fields = await send(emu, 'GET', 'Fabrikam/_apis/wit/workitems/42?$expand=fields');
            assert.equal('relations' in fields.json(), false);
        });

        it('answers 404 TF401232 for an unknown work item, which node-api turns into null', async () => {
            await start({ workItems: [{ id: 1 }] });
            assert.equal(await wit().getWorkItem(9, undefined, undefined, WorkItemExpand.Relations, 'Fabrikam'), null);
            const reply = await send(emu, 'GET', 'Fabrikam/_apis/wit/workitems/9?$expand=relations');
            assert.equal(reply.status, 404);
            assert.equal(reply.json().message, 'TF401232: Work item 9 does not exist, or you do not have permissions to read it.');
        });

        it('knows work items added after the start', async () => {
            await start();
            emu.addWorkItem({ id: 5, title: 'Late' });
            assert.equal((await wit().getWorkItem(5, undefined, undefined, undefined, 'Fabrikam')).fields?.['System.Title'], 'Late');
            assert.throws(() => emu.addWorkItem({ id: 5 }), /exists already/);
        });
    });

    describe('updateWorkItem', () => {
        it('links an uploaded attachment after testing the rev, and moves the rev on', async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'log.txt', 'twelve bytes');
            const updated = await wit().updateWorkItem(null, [testRev(1), attach(url, 'build log')], 7, 'Fabrikam');
            assert.equal(updated.rev, 2);
            const relation = updated.relations?.[0];
            assert.equal(relation?.rel, 'AttachedFile');
            assert.equal(relation?.url, url.replace(/\?.*$/, ''));
            assert.equal(relation?.attributes?.name, 'log.txt');
            assert.equal(relation?.attributes?.resourceSize, 12);
            assert.equal(relation?.attributes?.comment, 'build log');
            assert.equal(emu.workItem(7)?.rev, 2);
            assert.equal(emu.workItem(7)?.relations.length, 1);
            const request = emu.requests.find((recorded) => recorded.method === 'PATCH');
            assert.equal(request?.headers['content-type'], 'application/json-patch+json');
        });

        it('answers 412 VS403351 (TestPatchOperationFailedException) when someone else changed the work item since the rev was read', async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'a.txt', 'a');
            emu.touchWorkItem(7);
            const err = await rejection(wit().updateWorkItem(null, [testRev(1), attach(url)], 7, 'Fabrikam'));
            assert.equal(err.statusCode, 412);
            // FACTS.md: a failed `test /rev` is 412 TestPatchOperationFailedException "VS403351: ..."; TF26071 is the 409 of racing saves.
            assert.match(err.message, /^VS403351: Test Operation for path \/rev failed/);
            assert.deepEqual([emu.workItem(7)?.rev, emu.workItem(7)?.relations.length], [2, 0]);
        });

        it("runs a 'before' fault's callback between the GET and the PATCH, so the test of the rev fails", async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'a.txt', 'a');
            emu.addFault({ method: 'PATCH', action: { kind: 'before', run: () => emu.touchWorkItem(7) } });
            const client = wit();
            const { rev } = await client.getWorkItem(7, undefined, undefined, WorkItemExpand.Relations, 'Fabrikam');
            const err = await rejection(client.updateWorkItem(null, [testRev(Number(rev)), attach(url)], 7, 'Fabrikam'));
            assert.equal(err.statusCode, 412);
            const recorded = emu.requests.find((request) => request.method === 'PATCH');
            assert.deepEqual([recorded?.fault, recorded?.status], ['before', 412]);
            // The fault fired once; the retry with the fresh rev goes through.
            const fresh = await client.getWorkItem(7, undefined, undefined, WorkItemExpand.Relations, 'Fabrikam');
            assert.equal((await client.updateWorkItem(null, [testRev(Number(fresh.rev)), attach(url)], 7, 'Fabrikam')).rev, 3);
        });

        it('refuses to link the same attachment twice, whether already linked or twice in one patch', async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'a.txt', 'a');
            assert.equal((await patch(emu, 7, [attach(url)])).status, 200);
            const again = await patch(emu, 7, [attach(url.replace(/\?.*$/, ''))]);
            assert.equal(again.status, 400);
            assert.match(String(again.json().message), /^TF\d+: Relation already exists/);
            const other = await upload(emu, 'b.txt', 'b');
            const twice = await patch(emu, 7, [attach(other), attach(other)]);
            assert.equal(twice.status, 400);
            assert.deepEqual([emu.workItem(7)?.rev, emu.workItem(7)?.relations.length], [2, 1]);
        });

        it('answers 400 VS403313 past 100 attached files and applies none of the patch', async () => {
            await start({ workItems: [{ id: 7, attachedFiles: 99 }] });
            const first = await upload(emu, 'a.txt', 'a');
            const second = await upload(emu, 'b.txt', 'b');
            const over = await patch(emu, 7, [testRev(1), attach(first), attach(second)]);
            assert.equal(over.status, 400);
            assert.equal(String(over.json().message), 'VS403313: The number of attachments exceeded the limit. One work item should contain no more than 100 attachments.');
            assert.deepEqual([emu.workItem(7)?.rev, emu.workItem(7)?.relations.length], [1, 99]);
            const upTo = await patch(emu, 7, [attach(first)]);
            assert.equal(upTo.status, 200);
            assert.equal((upTo.json().relations as unknown[]).length, 100);
        });

        it('requires Content-Type: application/json-patch+json', async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'a.txt', 'a');
            const reply = await patch(emu, 7, [attach(url)], 'application/json; charset=utf-8');
            assert.equal(reply.status, 415);
            assert.match(String(reply.json().message), /application\/json-patch\+json/);
            assert.equal(emu.workItem(7)?.relations.length, 0);
        });

        it('refuses links to attachments it does not hold complete, other operations, and unknown work items', async () => {
            await start({ workItems: [{ id: 7 }] });
            const url = await upload(emu, 'a.txt', 'a');
            const started = await send(emu, 'POST', 'Fabrikam/_apis/wit/attachments?fileName=c.bin&uploadType=Chunked', {
                'Content-Type': 'application/octet-stream',
            });
            const statuses = [
                (await patch(emu, 7, [attach(`${emu.collectionUrl}_apis/wit/attachments/00000000-0000-0000-0000-000000000000`)])).status,
                (await patch(emu, 7, [attach(String(started.json().url))])).status,
                (await patch(emu, 7, [{ op: 'replace', path: '/fields/System.Title', value: 'x' }])).status,
                (await patch(emu, 7, [{ op: 0, path: '/relations/-', value: attach(url).value }])).status,
                (await patch(emu, 7, { op: 'add' })).status,
                (await patch(emu, 8, [attach(url)])).status,
            ];
            assert.deepEqual(statuses, [400, 400, 400, 400, 400, 404]);
            assert.equal(emu.workItem(7)?.rev, 1);
        });
    });

    describe('work items of a build', () => {
        it('answers getBuildWorkItemsRefs with string ids, and nothing for an unknown build', async () => {
            await start({ buildWorkItems: { '31': [7, 8] } });
            const build = new BuildApi(emu.collectionUrl, handlers());
            assert.deepEqual(await build.getBuildWorkItemsRefs('Fabrikam', 31), [
                { id: '7', url: `${emu.collectionUrl}_apis/wit/workItems/7` },
                { id: '8', url: `${emu.collectionUrl}_apis/wit/workItems/8` },
            ]);
            assert.deepEqual(await build.getBuildWorkItemsRefs('Fabrikam', 32), []);
            const options = await send(emu, 'OPTIONS', '_apis/build');
            assert.ok((options.json().value as { id: string }[]).some((location) => location.id === locationIds.buildWorkItems));
        });
    });

    describe('work items of a release', () => {
        it('serves them from the release host when hosted, found through ResourceAreas, and 404 on the collection host', async () => {
            await start({ resourceAreas: 'hosted', releaseWorkItems: { '12': [7] } });
            assert.notEqual(emu.releaseCollectionUrl, emu.collectionUrl);
            const areas = await new LocationsApi(emu.collectionUrl, handlers()).getResourceAreas();
            assert.equal(areas.find((area) => area.id === releaseAreaId)?.locationUrl, emu.releaseCollectionUrl);
            assert.equal(areas.find((area) => area.id === '5264459e-e5e0-4bd8-b118-0985e68a4ec5')?.locationUrl, emu.collectionUrl);

            const release = await new WebApi(emu.collectionUrl, new BearerCredentialHandler(token)).getReleaseApi();
            assert.equal(release.baseUrl, emu.releaseCollectionUrl);
            assert.deepEqual(await release.getReleaseWorkItemsRefs('Fabrikam', 12), [{ id: '7', url: `${emu.collectionUrl}_apis/wit/workItems/7` }]);
            const served = emu.requests.filter((request) => /releases\/12\/workitems/i.test(request.path));
            assert.deepEqual(
                served.map((request) => [request.host, request.status]),
                [['release', 200]],
            );

            const onMain = await send(emu, 'GET', 'Fabrikam/_apis/Release/releases/12/workitems');
            assert.equal(onMain.status, 404);
            const witOnRelease = await send(emu, 'GET', `${emu.releaseCollectionUrl}Fabrikam/_apis/wit/workitems/7`);
            assert.equal(witOnRelease.status, 404);
            const mainOptions = await send(emu, 'OPTIONS', '_apis/Release');
            assert.deepEqual(mainOptions.json(), { count: 0, value: [] });
        });

        it('serves them from the collection on-prem', async () => {
            await start({ releaseWorkItems: { '12': [7, 9] } });
            assert.equal(emu.releaseCollectionUrl, emu.collectionUrl);
            const release = new ReleaseApi(emu.collectionUrl, handlers());
            assert.deepEqual(
                (await release.getReleaseWorkItemsRefs('Fabrikam', 12)).map((ref) => ref.id),
                ['7', '9'],
            );
            assert.deepEqual(await release.getReleaseWorkItemsRefs('Fabrikam', 13), []);
            const options = await send(emu, 'OPTIONS', '_apis/Release');
            const location = (options.json().value as { id: string; routeTemplate: string }[])[0];
            assert.deepEqual([location.id, location.routeTemplate], [locationIds.releaseWorkItems, '{project}/_apis/{area}/releases/{releaseId}/{resource}']);
            assert.ok(emu.requests.every((request) => request.host === 'main'));
        });
    });
});
