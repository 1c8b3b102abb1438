import * as assert from 'assert/strict';
import type { FaultRequestInfo } from '../emulator';
import { Scenario } from './harness';
import type { TaskRun } from './taskRunner';

/** The log a person reads: per-file lines grouped on long runs, retries and failures outside the group, one result line. */
describe('end to end: the log a person reads (issue 11)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    beforeEach(async () => {
        scenario = await Scenario.start();
    });

    afterEach(async () => {
        await scenario.stop();
    });

    function writeFiles(count: number): void {
        for (let index = 0; index < count; index++) {
            scenario.artifacts.write(`file-${String(index).padStart(2, '0')}.txt`, `content of file ${index}`);
        }
    }

    /** The visible lines, with each one marked as inside or outside the group of per-file lines. */
    function linesByGroup(run: TaskRun): { inside: string[]; outside: string[]; groups: number } {
        const inside: string[] = [];
        const outside: string[] = [];
        let open = false;
        let groups = 0;
        for (const line of run.visibleOutput.split('\n')) {
            if (line.startsWith('##[group]')) {
                open = true;
                groups++;
            } else if (line === '##[endgroup]') {
                open = false;
            } else if (!line.startsWith('##vso[')) {
                (open ? inside : outside).push(line);
            }
        }
        return { inside, outside, groups };
    }

    it('puts the per-file lines of more than 20 files into one collapsible group, and ends with a one-line result', async () => {
        writeFiles(21);

        const run = await scenario.run({ contents: '*.txt' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const { inside, outside, groups } = linesByGroup(run);
        assert.equal(groups, 1, run.visibleOutput);
        assert.match(run.visibleOutput, /^##\[group\]Each file \(21 files\)$/m);
        assert.equal(inside.length, 21, inside.join('\n'));
        assert.ok(inside.every((line) => /^Uploaded file-\d\d\.txt \(\d+ bytes, simple\) in \d+ ms at [\d.]+ (bytes|KiB|MiB)\/s: http:\/\/\S+$/.test(line)), inside.join('\n'));
        const result = outside.filter((line) => line.startsWith('Result: '));
        assert.equal(result.length, 1, outside.join('\n'));
        assert.match(result[0], /^Result: 21 of 21 file\(s\) uploaded, \d+ bytes in \d+(\.\d\d s| ms) at [\d.]+ (bytes|KiB|MiB)\/s, 0 retried request\(s\)\.$/);
    });

    it('shows the lines of 20 files or fewer as they are, with no group', async () => {
        writeFiles(20);

        const run = await scenario.run({ contents: '*.txt' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.doesNotMatch(run.stdout, /##\[(end)?group\]/);
        assert.equal(run.visibleOutput.split('\n').filter((line) => line.startsWith('Uploaded file-')).length, 20);
        assert.match(run.visibleOutput, /^Result: 20 of 20 file\(s\) uploaded, /m);
    });

    it('shows a retry and a failure outside the group, and goes on grouping the other files', async () => {
        writeFiles(25);
        const fileNamed = (name: string) => (req: FaultRequestInfo) => req.query.fileName === name;
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: fileNamed('file-05.txt'), action: { kind: 'status', status: 503 } });
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: fileNamed('file-10.txt'), times: Infinity, action: { kind: 'status', status: 400 } });

        const run = await scenario.run({ contents: '*.txt' });

        assert.equal(run.result, 'Failed', run.stdout);
        const { inside, outside, groups } = linesByGroup(run);
        assert.ok(groups >= 2, `the group opens again after the retry and the failure:\n${run.visibleOutput}`);
        assert.equal(inside.length, 24, inside.join('\n'));
        assert.ok(inside.every((line) => line.startsWith('Uploaded ')), inside.join('\n'));
        assert.ok(outside.some((line) => /^file-05\.txt: attempt 1 of 6 failed, retrying in .*: HTTP 503/.test(line)), outside.join('\n'));
        assert.ok(outside.some((line) => /^file-10\.txt: .*HTTP 400/.test(line)), outside.join('\n'));
        assert.ok(outside.some((line) => /^Result: 24 of 25 file\(s\) uploaded, .* 1 retried request\(s\)\.$/.test(line)), outside.join('\n'));
    });

    it('reads naturally: no 0.00 MiB/s, no brackets inside brackets, and the output variables are not echoed on debug lines', async () => {
        scenario.artifacts.write('tiny.txt', 'x');
        scenario.artifacts.write('mid.bin', Buffer.alloc(150_000, 7));

        const run = await scenario.run({ contents: '*.*' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.doesNotMatch(run.visibleOutput, /\b0\.00 MiB\/s/);
        assert.match(run.visibleOutput, /^Uploaded mid\.bin \(146\.48 KiB, simple\) in /m);
        assert.match(run.visibleOutput, /^Uploaded tiny\.txt \(1 bytes, simple\) in /m);
        assert.ok(!run.visibleOutput.split('\n').some((line) => /\([^()]*\(/.test(line)), `a bracket inside a bracket:\n${run.visibleOutput}`);
        assert.ok(run.outputs.Attachments?.includes('mid.bin'));
        assert.doesNotMatch(run.stdout, /^##vso\[task\.debug\]set /m);
    });
});
