import * as assert from 'assert/strict';
import type { EmulatorOptions } from '../emulator';
import { Scenario, assertServerHoldsExactly } from './harness';
import { requestsInSequence } from '../emulator/sequence';

const LATENCY_MS = 150;

/** Before the first upload, at most two requests one after another, on every kind of server, with the api-version still negotiated. */
describe('end to end: requests before the first upload (issue 11)', function () {
    this.timeout(30_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    const servers: [string, EmulatorOptions, string][] = [
        ['Azure DevOps Server 2019 (5.0)', { serverVersion: '5.0' }, '5.0'],
        ['Azure DevOps Server 2022 (7.1)', {}, '7.1-preview.3'],
        ['the hosted service (resource areas named)', { resourceAreas: 'hosted' }, '7.1-preview.3'],
    ];
    for (const [name, options, apiVersion] of servers) {
        it(`sends at most two requests in sequence before the first upload to ${name}, and uploads with api-version ${apiVersion}`, async () => {
            scenario = await Scenario.start(options);
            // Latency on everything but the uploads, as a distant server has: requests one after another show as such.
            scenario.emulator.addFault({ match: (request) => !/\/_apis\/wit\/attachments/i.test(request.path), times: Infinity, action: { kind: 'delay', ms: LATENCY_MS } });
            scenario.artifacts.write('a.txt', 'alpha');

            const run = await scenario.run({ contents: 'a.txt' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const uploads = scenario.uploadRequests();
            const firstUpload = Math.min(...uploads.map((request) => request.receivedAtMs));
            const before = scenario.emulator.requests.filter((request) => request.endedAtMs <= firstUpload);
            const described = before.map((request) => `${request.method} ${request.path} ${request.receivedAtMs.toFixed(0)}-${request.endedAtMs.toFixed(0)}`).join('\n');
            assert.ok(before.length >= 2, described);
            assert.equal(requestsInSequence(before.map((request) => ({ start: request.receivedAtMs, end: request.endedAtMs }))), 2, described);
            assert.deepEqual([...new Set(uploads.map((request) => request.apiVersion))], [apiVersion]);
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
        });
    }
});
