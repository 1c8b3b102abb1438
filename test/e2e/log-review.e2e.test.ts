import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import type { FaultRequestInfo } from '../emulator';
import { binaryContent } from './fixtures';
import { attachmentsOutput, Scenario, summaryOf, type UploadedEntry } from './harness';
import { REPO_ROOT, type TaskRun } from './taskRunner';

const MiB = 1024 * 1024;

/** The outputs task.json declares: every run sets each of them, also one that fails before anything is uploaded. */
const DECLARED_OUTPUTS = (
    JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'task.json'), 'utf8')) as { outputVariables: { name: string }[] }
).outputVariables.map((output) => output.name);

/**
 * Each output in its documented format: AttachmentUrls the URLs of Attachments joined by `;` in path order,
 * AttachmentUrl the first, AttachmentCount how many, AttachmentsFile a path with `/` to the same array, LinkedWorkItems
 * IDs joined by `,`. Returns the Attachments entries.
 */
function assertOutputsAsDocumented(run: TaskRun, linked: string): UploadedEntry[] {
    assert.deepEqual(
        DECLARED_OUTPUTS.filter((name) => !(name in run.outputs)),
        [],
        `every declared output is set:\n${run.visibleOutput}`,
    );
    const entries = attachmentsOutput(run);
    assert.ok(Array.isArray(entries), run.outputs.Attachments);
    const paths = entries.map((entry) => entry.path);
    assert.deepEqual(paths, [...paths].sort(), 'in path order');
    assert.equal(run.outputs.AttachmentCount, String(entries.length));
    assert.equal(run.outputs.AttachmentUrls, entries.map((entry) => entry.url).join(';'));
    assert.equal(run.outputs.AttachmentUrl, entries[0]?.url ?? '');
    assert.doesNotMatch(run.outputs.AttachmentsFile, /\\/);
    assert.deepEqual(JSON.parse(fs.readFileSync(run.outputs.AttachmentsFile, 'utf8')), entries);
    assert.equal(run.outputs.LinkedWorkItems, linked);
    return entries;
}

/** What a person reads: the visible lines, without the group markers and the logging commands. */
function readableLines(run: TaskRun): string[] {
    return run.visibleOutput.split('\n').filter((line) => line !== '' && !line.startsWith('##'));
}

function resultLine(run: TaskRun): string {
    const lines = readableLines(run).filter((line) => line.startsWith('Result: '));
    assert.equal(lines.length, 1, run.visibleOutput);
    return lines[0];
}

/** The table rows of the summary page, keyed by file. */
function summaryRows(run: TaskRun): Map<string, string[]> {
    const rows = summaryOf(run)
        .split('\n')
        .filter((line) => line.startsWith('| ') && !line.startsWith('| File |') && !line.startsWith('| --- |'))
        .map((line) => line.slice(2, -2).split(' | '));
    return new Map(rows.map((cells) => [cells[0], cells]));
}

const fileNamed = (name: string) => (request: FaultRequestInfo) => request.query.fileName === name;

describe('end to end: the log, outputs and summary of each kind of run, read as a pipeline author does (review)', function () {
    this.timeout(60_000);
    let scenario: Scenario;

    afterEach(async () => {
        await scenario?.stop();
    });

    function writeFiles(count: number): void {
        for (let index = 0; index < count; index++) {
            scenario.artifacts.write(`file-${String(index).padStart(2, '0')}.txt`, `content of file ${index}`);
        }
    }

    it('one file: three lines, what is sent, what it became, the result; every output; one summary row', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('report.txt', 'hello');

        const run = await scenario.run({ contents: '*.txt' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        const lines = readableLines(run);
        assert.equal(lines.length, 3, lines.join('\n'));
        assert.match(lines[0], /^Uploading 1 file\(s\), 5 bytes in all, to http:\/\/127\.0\.0\.1:\d+\/org\/$/);
        assert.match(lines[1], /^Uploaded report\.txt \(5 bytes, simple\) in \d+ ms at \d+ (bytes|KiB|MiB)\/s: http:\/\/\S+$/);
        assert.match(lines[2], /^Result: 1 of 1 file\(s\) uploaded, 5 bytes in \d+ ms at [\d.]+ (bytes|KiB|MiB)\/s, 0 retried request\(s\)\.$/);
        const [entry] = assertOutputsAsDocumented(run, '');
        assert.deepEqual([entry.path, entry.size, entry.uploadType], ['report.txt', 5, 'simple']);
        assert.deepEqual(summaryRows(run).get('report.txt')?.slice(0, 3), ['report.txt', '5 bytes', 'simple']);
    });

    it('25 files with one retry and one failure: 24 in the outputs and the summary, the failure named there and at the end', async () => {
        scenario = await Scenario.start();
        writeFiles(25);
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: fileNamed('file-05.txt'), action: { kind: 'status', status: 503 } });
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: fileNamed('file-10.txt'), times: Infinity, action: { kind: 'status', status: 400 } });

        const run = await scenario.run({ contents: '*.txt' });

        assert.equal(run.result, 'Failed', run.stdout);
        assert.match(resultLine(run), /^Result: 24 of 25 file\(s\) uploaded, 422 bytes in [\d.]+ (ms|s) at [\d.]+ (bytes|KiB)\/s, 1 retried request\(s\)\.$/);
        const entries = assertOutputsAsDocumented(run, '');
        assert.equal(entries.length, 24);
        assert.ok(!entries.some((entry) => entry.path === 'file-10.txt'));
        const rows = summaryRows(run);
        assert.equal(rows.size, 25);
        assert.match(rows.get('file-10.txt')?.[2] ?? '', /^the server rejected the upload \\\(HTTP 400\\\): /);
        assert.equal(rows.get('file-05.txt')?.[2], 'simple');
        assert.match(run.resultMessage ?? '', /^1 of 25 file\(s\) were not uploaded:\nfile-10\.txt: the server rejected the upload \(HTTP 400\)/);
    });

    it('a chunked 20 MiB file: its size and method on its line, the rate in MiB/s, chunked in the outputs and the summary', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('big.bin', binaryContent(20 * MiB, 3));

        const run = await scenario.run({ contents: '*.bin', chunkSizeMB: '4' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.match(readableLines(run)[0], /^Uploading 1 file\(s\), 20\.00 MiB \(20,971,520 bytes\) in all, to /);
        assert.match(run.visibleOutput, /^Uploaded big\.bin \(20\.00 MiB, chunked\) in [\d.]+ (ms|s) at [\d.]+ MiB\/s: http:\/\/\S+$/m);
        assert.match(resultLine(run), /^Result: 1 of 1 file\(s\) uploaded, 20\.00 MiB in [\d.]+ (ms|s) at [\d.]+ MiB\/s, 0 retried request\(s\)\.$/);
        assert.deepEqual(assertOutputsAsDocumented(run, '').map((entry) => [entry.size, entry.uploadType]), [[20 * MiB, 'chunked']]);
        assert.deepEqual(summaryRows(run).get('big.bin')?.slice(1, 3), ['20.00 MiB (20,971,520 bytes)', 'chunked']);
    });

    it('work items with a file reused: the result line counts it as reused, not as a file left out, and the result does not call it uploaded', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }, { id: 102 }] });
        scenario.artifacts.write('logs/app.log', 'application log');
        scenario.artifacts.write('drop/setup.bin', binaryContent(MiB + 3, 4));
        await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101, 102' });
        scenario.artifacts.write('logs/app.log', 'application log, second attempt');
        scenario.artifacts.write('logs/new.log', 'new');

        const run = await scenario.run({ contents: '**', chunkSizeMB: '1', workItemIds: '101, 102' });

        assert.equal(run.result, 'Succeeded', run.stdout);
        assert.match(run.visibleOutput, /^drop\/setup\.bin: already attached with the same name and content, not uploaded again\.$/m);
        assert.match(resultLine(run), /^Result: 2 of 3 file\(s\) uploaded and 1 reused, 34 bytes in \d+ ms at [\d.]+ (bytes|KiB)\/s, 0 retried request\(s\)\.$/);
        assert.equal(run.resultMessage, 'Uploaded 2 file(s) as work item attachments, and reused 1 file(s) the work items already hold.');
        const entries = assertOutputsAsDocumented(run, '101,102');
        assert.deepEqual(entries.map((entry) => [entry.path, entry.uploadType]), [['drop/setup.bin', 'reused'], ['logs/app.log', 'simple'], ['logs/new.log', 'simple']]);
        const rows = summaryRows(run);
        assert.equal(rows.get('drop/setup.bin')?.[2], 'reused');
        assert.match(rows.get('logs/new.log')?.[4] ?? '', /^\[#101\]\([^)]+\), \[#102\]\([^)]+\)$/);
    });

    it('only a work item fails: the result heading speaks of the work item alone, not of "0 files were not uploaded"', async () => {
        scenario = await Scenario.start({ workItems: [{ id: 101 }] });
        scenario.artifacts.write('app.log', 'application log');

        const run = await scenario.run({ contents: '*.log', workItemIds: '101, 999' });

        assert.equal(run.result, 'Failed', run.stdout);
        assert.match(run.resultMessage ?? '', /^1 work item\(s\) did not get their attachments:\n#999: work item 999 does not exist/);
        assertOutputsAsDocumented(run, '101');
    });

    it('every file fails: empty outputs, each file on the summary with its reason, each named at the end with what to do', async () => {
        scenario = await Scenario.start();
        for (const name of ['a.txt', 'b.txt']) {
            scenario.artifacts.write(name, name);
        }
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', times: Infinity, action: { kind: 'status', status: 503 } });

        const run = await scenario.run({ contents: '*.txt', retries: '0' });

        assert.equal(run.result, 'Failed', run.stdout);
        assert.match(resultLine(run), /^Result: 0 of 2 file\(s\) uploaded, 0 bytes in \d+ ms at 0 bytes\/s, 0 retried request\(s\)\.$/);
        assert.deepEqual(assertOutputsAsDocumented(run, ''), []);
        const rows = summaryRows(run);
        for (const name of ['a.txt', 'b.txt']) {
            assert.match(rows.get(name)?.[2] ?? '', /^the server failed \\\(HTTP 503\\\) on each of 1 attempt\\\(s\\\)/);
            assert.match(run.resultMessage ?? '', new RegExp(`^${name.replace('.', '\\.')}: the server failed \\(HTTP 503\\) .* Run the pipeline again later, or raise 'retries'`, 'm'));
        }
        assert.match(run.resultMessage ?? '', /^2 of 2 file\(s\) were not uploaded:\n/);
    });

    it('a bad input: fails naming the input and what it must be, and still sets every output, empty, for the steps after it', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('a.txt', 'a');

        const run = await scenario.run({ contents: '*.txt', concurrency: 'lots' });

        assert.equal(run.result, 'Failed', run.stdout);
        assert.equal(run.resultMessage, "Input 'concurrency' is 'lots', but it must be a whole number from 1 to 32.");
        assert.deepEqual(readableLines(run), []);
        assert.deepEqual(assertOutputsAsDocumented(run, ''), []);
        assert.equal(scenario.uploadRequests().length, 0);
    });

    it('counts past a thousand with separators: the first line, the group, the result line and the result, when all succeed and when one fails', async () => {
        scenario = await Scenario.start();
        for (let index = 0; index < 1001; index++) {
            scenario.artifacts.write(`f${String(index).padStart(4, '0')}.txt`, 'x');
        }

        const all = await scenario.run({ contents: '*.txt', concurrency: '32' });

        assert.equal(all.result, 'Succeeded', all.stdout);
        assert.match(readableLines(all)[0], /^Uploading 1,001 file\(s\), 1,001 bytes in all, to /);
        assert.match(all.visibleOutput, /^##\[group\]Each file \(1,001 files\)$/m);
        assert.match(resultLine(all), /^Result: 1,001 of 1,001 file\(s\) uploaded, 1,001 bytes in /);
        assert.equal(all.resultMessage, 'Uploaded 1,001 file(s) as work item attachments.');

        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: fileNamed('f0500.txt'), times: Infinity, action: { kind: 'status', status: 400 } });
        const oneFails = await scenario.run({ contents: '*.txt', concurrency: '32' });

        assert.equal(oneFails.result, 'Failed', oneFails.stdout);
        assert.match(resultLine(oneFails), /^Result: 1,000 of 1,001 file\(s\) uploaded, 1,000 bytes in /);
        assert.match(oneFails.resultMessage ?? '', /^1 of 1,001 file\(s\) were not uploaded:\nf0500\.txt: /);
        // A variable a script computes with: digits only.
        assert.equal(oneFails.outputs.AttachmentCount, '1000');
    });
});
