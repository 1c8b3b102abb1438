import * as assert from 'assert/strict';
import * as path from 'path';
import { fsFaultEnvironment } from './fsFaultPreload';
import { Scenario, assertServerHoldsExactly, attachmentsOutput } from './harness';

describe('end to end: find review (patterns as pipeline authors write them)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    beforeEach(async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
    });

    afterEach(async () => {
        await scenario.stop();
    });

    it("applies the excludes to what a './' include finds, and a './' exclude to what a plain include finds", async () => {
        scenario.artifacts.write('app.txt', 'app');
        scenario.artifacts.write('obj/debug.txt', 'intermediate');
        scenario.artifacts.write('logs/run.log', 'run');
        scenario.artifacts.write('secrets/key.log', 'do not publish');

        const run = await scenario.run({ contents: './**/*.txt\n!**/obj/**\n**/*.log\n!./secrets/**' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.deepEqual(run.warnings, []);
        assert.deepEqual(
            attachmentsOutput(run).map((entry) => entry.path),
            ['app.txt', 'logs/run.log'],
        );
        await assertServerHoldsExactly(scenario, { 'app.txt': 'app', 'run.log': 'run' });
    });

    it('says nothing about a folder it may not read once contents excludes it, as the warning advises', async () => {
        scenario.artifacts.write('a.txt', 'alpha');
        const locked = path.dirname(scenario.artifacts.write('private/b.txt', 'beta'));

        const run = await scenario.run({ contents: '**/*.txt\n!private/**' }, { environment: fsFaultEnvironment([{ path: locked, operation: 'readdir', code: 'EACCES' }]) });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.deepEqual(run.warnings, []);
        await assertServerHoldsExactly(scenario, { 'a.txt': 'alpha' });
    });

    it('takes a pattern that leads through a file for a path that is not there, with no advice about permissions', async () => {
        scenario.artifacts.write('app.zip', 'zip');
        scenario.artifacts.write('notes.txt', 'notes');

        const run = await scenario.run({ contents: 'app.zip/**\napp.zip/readme.txt\nnotes.txt' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.deepEqual(run.warnings, []);
        await assertServerHoldsExactly(scenario, { 'notes.txt': 'notes' });
    });
});
