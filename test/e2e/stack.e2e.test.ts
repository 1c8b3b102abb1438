import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Scenario } from './harness';
import { stackProbeEnvironment } from './stackProbePreload';
import { taskEntry } from './taskRunner';

/** A stack trace from the shipped bundle names our functions, and its line numbers lead to our files. */
describe('end to end: stack traces from the bundle (issue 11)', function () {
    this.timeout(30_000);
    let scenario: Scenario;
    let stackFile: string;

    beforeEach(async () => {
        scenario = await Scenario.start();
        stackFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-stack-')), 'stack.txt');
    });

    afterEach(async () => {
        await scenario.stop();
        fs.rmSync(path.dirname(stackFile), { recursive: true, force: true });
    });

    it('names the functions on the way to reading a file, and the line of each frame lies under the comment naming its source file', async () => {
        const file = scenario.artifacts.write('probe.txt', 'probe');

        const run = await scenario.run({ contents: 'probe.txt' }, { environment: stackProbeEnvironment(file, stackFile) });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const stack = fs.readFileSync(stackFile, 'utf8');
        const bundle = fs.readFileSync(taskEntry(), 'utf8').split('\n');
        const frames = [...stack.matchAll(/at (?:async )?(\S+) \((.*index\.js):(\d+):\d+\)/g)].map(([, name, , line]) => ({ name, source: sourceFileAt(bundle, Number(line)) }));
        const named = frames.map((frame) => `${frame.name} (${frame.source})`);
        for (const expected of ['readRangeChecked (engine/files/fileRange.ts)', 'uploadSimple (engine/upload/uploadFile.ts)', 'send (engine/http/httpTransport.ts)']) {
            assert.ok(named.some((frame) => frame.endsWith(expected) || frame.includes(`.${expected}`) || frame === expected), `${expected} in:\n${named.join('\n')}\n${stack}`);
        }
    });
});

/** The source file whose code holds this line of the bundle: the nearest `// path.ts` comment above it. */
function sourceFileAt(bundle: readonly string[], line: number): string {
    for (let index = line - 1; index >= 0; index--) {
        const comment = /^\/\/ (\S+\.ts)$/.exec(bundle[index]);
        if (comment) {
            return comment[1];
        }
    }
    return '?';
}
