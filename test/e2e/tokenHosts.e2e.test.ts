import * as assert from 'assert/strict';
import * as http from 'http';
import type { AddressInfo } from 'net';
import { Scenario, TOKEN, assertServerHoldsExactly } from './harness';

/** A host that is not the collection: it records what reaches it, and what Authorization came along. */
async function startOtherHost(): Promise<{ url: string; seen: { url: string; authorization?: string }[]; close(): Promise<void> }> {
    const seen: { url: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
        req.resume();
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not here"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/org/`,
        seen,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}

describe('end to end: the token goes only to the collection, whatever the resource-area lookup names', function () {
    this.timeout(60_000);

    it('asks the collection for the work item and build areas when the lookup names another host for them', async () => {
        const other = await startOtherHost();
        const scenario = await Scenario.start({
            resourceAreas: 'hosted',
            resourceAreaUrls: { wit: other.url, build: other.url },
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
