import * as assert from 'assert/strict';
import type { EmulatorOptions } from '../emulator';
import { binaryContent } from './fixtures';
import { Scenario, assertServerHoldsExactly } from './harness';

const MiB = 1024 * 1024;

/** Where FACTS.md leaves the service's behaviour open, the task must work under each plausible answer. */
describe('end to end: the task under each plausible service behaviour (emulator switches)', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    const settings: [string, EmulatorOptions][] = [
        ['a chunked start answered 202 (FACTS.md: "believed")', { chunkedStartStatus: 202 }],
        ['a chunked start answered 201 (the 7.1 spec example)', { chunkedStartStatus: 201 }],
    ];
    for (const [name, options] of settings) {
        it(`uploads a chunked file whole with ${name}`, async () => {
            scenario = await Scenario.start(options);
            const content = binaryContent(2 * MiB + 5, 3);
            scenario.artifacts.write('big.bin', content);

            const run = await scenario.run({ contents: 'big.bin', chunkSizeMB: '1' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const start = scenario.uploadRequests().find((request) => request.query.uploadType === 'Chunked');
            assert.equal(start?.status, options.chunkedStartStatus);
            await assertServerHoldsExactly(scenario, { 'big.bin': content });
        });
    }

    const areas: [string, EmulatorOptions][] = [
        ['answers {count:0,value:null}', { resourceAreas: 'onprem' }],
        ['answers 404', { resourceAreas: 'onprem404' }],
    ];
    for (const [name, options] of areas) {
        it(`uploads and links to an on-prem server whose GET _apis/ResourceAreas ${name}`, async () => {
            scenario = await Scenario.start({ ...options, serverVersion: '7.0', workItems: [{ id: 5 }] });
            scenario.artifacts.write('a.txt', 'alpha');

            const run = await scenario.run({ contents: 'a.txt', workItemIds: '5' });

            assert.equal(run.result, 'Succeeded', run.stdout);
            const areasAsked = scenario.emulator.requests.filter((request) => /\/_apis\/ResourceAreas/i.test(request.path));
            assert.ok(areasAsked.length > 0, 'the task looks the resource areas up');
            assert.ok(areasAsked.every((request) => request.status === (options.resourceAreas === 'onprem404' ? 404 : 200)));
            await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
            assert.equal(scenario.emulator.workItem(5)?.relations.length, 1);
        });
    }
});
