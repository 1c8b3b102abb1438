import * as assert from 'assert/strict';
import { secretsOf } from '../../engine/target';
import { duration, progressText, REDRAW_INTERVAL_MS, Terminal, type CliReport, type TerminalSettings } from '../../cli/terminal';

const MiB = 1024 * 1024;
const TOKEN = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst';

class Capture {
    readonly chunks: string[] = [];
    write(text: string): void {
        this.chunks.push(text);
    }
    get text(): string {
        return this.chunks.join('');
    }
}

const REPORT: CliReport = {
    attachments: [
        { path: 'dist/app.zip', name: 'app.zip', id: 'a1', url: 'https://dev.azure.com/fabrikam/_apis/wit/attachments/a1', size: 3 * MiB, uploadType: 'chunked' },
        { path: 'notes.txt', name: 'notes.txt', id: 'a2', url: 'https://dev.azure.com/fabrikam/_apis/wit/attachments/a2', size: 10, uploadType: 'reused' },
    ],
    linkedWorkItems: [12, 7],
    failed: [
        { path: 'big.iso', reason: 'the server refused it: 413' },
        { workItem: 9, path: 'dist/app.zip', reason: 'work item 9 does not exist' },
    ],
};

describe('ado-attach terminal output', () => {
    let stdout: Capture;
    let stderr: Capture;
    let clock: number;

    beforeEach(() => {
        stdout = new Capture();
        stderr = new Capture();
        clock = 1_000;
    });

    function terminal(settings: Partial<TerminalSettings> = {}): Terminal {
        return new Terminal({ stdout, stderr, stderrIsTTY: false, json: false, quiet: false, secrets: secretsOf({ kind: 'basic', username: '', password: TOKEN }), now: () => clock, ...settings });
    }

    function replay(output: Terminal, report: CliReport): void {
        report.attachments.forEach((attachment) => output.attached(attachment));
        report.failed.forEach((failure) => output.failed(failure));
        output.report(report);
    }

    it('prints per-file lines and the summary on stdout, failures on stderr as they happen and again at the end', () => {
        replay(terminal(), REPORT);
        assert.equal(
            stdout.text,
            [
                'uploaded dist/app.zip (3.00 MiB) https://dev.azure.com/fabrikam/_apis/wit/attachments/a1',
                'reused   notes.txt (10 bytes) https://dev.azure.com/fabrikam/_apis/wit/attachments/a2',
                '2 files attached (3.00 MiB), linked to work items #12, #7. 2 failures.',
                '',
            ].join('\n'),
        );
        assert.equal(
            stderr.text,
            [
                'error: big.iso: the server refused it: 413',
                'error: work item #9 (dist/app.zip): work item 9 does not exist',
                'failed: big.iso: the server refused it: 413',
                'failed: work item #9 (dist/app.zip): work item 9 does not exist',
                '',
            ].join('\n'),
        );
    });

    it('with --quiet drops the per-file lines but keeps warnings, errors and the summary', () => {
        const quiet = terminal({ quiet: true });
        quiet.warning('a link was skipped');
        replay(quiet, REPORT);
        assert.equal(stdout.text, '2 files attached (3.00 MiB), linked to work items #12, #7. 2 failures.\n');
        assert.match(stderr.text, /^warning: a link was skipped\nerror: big\.iso/);
    });

    it('with --json writes exactly one JSON document on stdout and every human line on stderr', () => {
        replay(terminal({ json: true }), REPORT);
        assert.equal(stdout.chunks.length, 1);
        assert.deepEqual(JSON.parse(stdout.text), REPORT);
        assert.match(stderr.text, /^uploaded dist\/app\.zip/);
        assert.match(stderr.text, /2 files attached/);
    });

    it('writes a dry run as its JSON document, and in words', () => {
        const plan = { files: [{ path: 'a.zip', size: 9 * MiB, uploadType: 'chunked' as const }], workItems: [5], failed: [] };
        terminal({ json: true }).dryRun(plan);
        assert.deepEqual(JSON.parse(stdout.text), { dryRun: true, ...plan });
        assert.match(stderr.text, /^would upload a\.zip \(9\.00 MiB, chunked\)\nDry run: 1 file .* would be attached, linked to work item #5\. Nothing was written\.\n$/);
        stdout.chunks.length = 0;
        terminal().dryRun({ files: [], workItems: [], failed: [] });
        assert.equal(stdout.text, 'Dry run: 0 files (0 bytes) would be attached, linked to no work item. Nothing was written.\n');
    });

    it('escapes control characters, so a file name cannot steer the terminal or split a line', () => {
        const name = 'evil\u001b[2J\u001b]0;title\u0007\r\nfake: done\u009b31m\u202ename.zip';
        terminal().fileLine(`uploaded ${name}`);
        assert.equal(stdout.chunks.length, 1);
        assert.doesNotMatch(stdout.text.slice(0, -1), /[\u0000-\u001f\u007f-\u009f\u202e]/);
        assert.equal(stdout.text, 'uploaded evil\\u001B[2J\\u001B]0;title\\u0007\\r\\nfake: done\\u009B31m\\u202Ename.zip\n');
    });

    it('breaks logging commands, which a pipeline script step would obey', () => {
        terminal().warning('##vso[task.setvariable variable=x]1');
        assert.equal(stderr.text, 'warning: # #vso[task.setvariable variable=x]1\n');
    });

    it('redacts the secrets in every line and in the JSON document, which still parses to the same shape', () => {
        const leaky: CliReport = { attachments: [], linkedWorkItems: [], failed: [{ path: `f-${TOKEN}.txt`, reason: `echoed Basic ${Buffer.from(`:${TOKEN}`).toString('base64')}` }] };
        replay(terminal({ json: true }), leaky);
        const everything = stdout.text + stderr.text;
        assert.doesNotMatch(everything, new RegExp(TOKEN));
        assert.doesNotMatch(everything, new RegExp(Buffer.from(`:${TOKEN}`).toString('base64')));
        assert.deepEqual(JSON.parse(stdout.text), { attachments: [], linkedWorkItems: [], failed: [{ path: 'f-***.txt', reason: 'echoed Basic ***' }] });
    });

    it('keeps the JSON free of terminal controls and ##vso[, and it parses back to the same text', () => {
        const name = '##vso[task.complete]\u009b\u2028.zip';
        terminal({ json: true }).dryRun({ files: [{ path: name, size: 1, uploadType: 'simple' }], workItems: [], failed: [] });
        assert.doesNotMatch(stdout.text, /##vso|[\u007f-\u009f\u2028]/);
        assert.equal(JSON.parse(stdout.text).files[0].path, name);
    });

    describe('the progress bar', () => {
        const state = (filesDone: number, bytesSent: number) => ({ filesDone, filesTotal: 4, bytesSent, bytesTotal: 40 * MiB });

        it('is never drawn when stderr is not a terminal', () => {
            const plain = terminal();
            plain.progress(state(1, 10 * MiB));
            plain.progress(state(4, 40 * MiB));
            assert.equal(stderr.text, '');
        });

        it('is never drawn with --quiet', () => {
            const quiet = terminal({ stderrIsTTY: true, quiet: true });
            quiet.progress(state(1, 10 * MiB));
            assert.equal(stderr.text, '');
        });

        it('is redrawn in place at most every REDRAW_INTERVAL_MS, and once more when everything is done', () => {
            const bar = terminal({ stderrIsTTY: true, columns: 200 });
            clock += 1000;
            bar.progress(state(0, 10 * MiB));
            clock += REDRAW_INTERVAL_MS - 1;
            bar.progress(state(1, 11 * MiB));
            assert.equal(stderr.chunks.length, 1);
            assert.match(stderr.chunks[0], /^\r\[#####-+\] 0\/4 files {2}10\.00 MiB of 40\.00 MiB {2}10\.00 MiB\/s {2}ETA 0:03\x1b\[K$/);
            clock += 1;
            bar.progress(state(1, 12 * MiB));
            assert.equal(stderr.chunks.length, 2);
            bar.progress(state(4, 40 * MiB));
            assert.equal(stderr.chunks.length, 3, 'the last state is always shown');
        });

        it('steps aside for a line and comes back under it, and is cleared by the report', () => {
            const bar = terminal({ stderrIsTTY: true });
            clock += 1000;
            bar.progress(state(1, 10 * MiB));
            bar.attached({ path: 'a.zip', name: 'a.zip', id: '1', url: 'https://x.example/1', size: 5, uploadType: 'simple' });
            assert.deepEqual(stderr.chunks.slice(1, 2), ['\r\x1b[K']);
            assert.equal(stdout.text, 'uploaded a.zip (5 bytes) https://x.example/1\n');
            assert.match(stderr.chunks[2], /^\r\[/);
            bar.report({ attachments: [], linkedWorkItems: [], failed: [] });
            assert.equal(stderr.chunks[3], '\r\x1b[K');
            assert.equal(stderr.chunks.length, 4);
        });

        it('fits the terminal width, so it never wraps', () => {
            const bar = terminal({ stderrIsTTY: true, columns: 30 });
            bar.progress(state(1, 10 * MiB));
            assert.equal(stderr.text.replace('\r', '').replace('\x1b[K', '').length, 29);
        });
    });

    it('words the progress: files, bytes, rate and time left', () => {
        assert.equal(
            progressText({ filesDone: 3, filesTotal: 10, bytesSent: 12 * MiB, bytesTotal: 40 * MiB }, 2000),
            '[######--------------] 3/10 files  12.00 MiB of 40.00 MiB  6.00 MiB/s  ETA 0:05',
        );
        assert.match(progressText({ filesDone: 0, filesTotal: 1, bytesSent: 0, bytesTotal: 5 }, 0), /ETA --:--$/);
        assert.equal(duration(3_723_000), '1:02:03');
        assert.equal(duration(59_001), '1:00');
    });
});
