import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { FaultRequestInfo } from '../emulator';
import { sha256 } from './fixtures';
import { Scenario, TOKEN, assertNothingInjected, assertServerHoldsExactly, attachmentsOutput, summaryOf, type UploadedEntry } from './harness';
import type { TaskRun } from './taskRunner';

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** None of the forms of the token (itself, the base64 of a Basic header, with and without padding) is printed or written. */
function assertNoTokenAnywhere(run: TaskRun, summary: string, forms: readonly string[]): void {
    // task.setsecret hands the token to the agent, which masks it; no other line may carry it.
    const printed = run.stdout
        .split(/\r?\n/)
        .filter((line) => !line.startsWith('##vso[task.setsecret]'))
        .join('\n');
    // A prefix as well: a server answer cut short must not cut the token and leave a part no redaction recognises.
    for (const form of [...forms, TOKEN.slice(0, 12)]) {
        assert.ok(!printed.includes(form), `stdout holds ${form}`);
        assert.ok(!run.stderr.includes(form), `stderr holds ${form}`);
        assert.ok(!summary.includes(form), `the summary file holds ${form}`);
    }
}

/** What the agent would give a later step: every output variable's value, by name. */
function outputsLength(run: TaskRun): number {
    return Object.values(run.outputs).reduce((sum, value) => sum + value.length, 0);
}

function readAttachmentsFile(run: TaskRun): UploadedEntry[] {
    const file = run.outputs.AttachmentsFile;
    assert.ok(file, 'AttachmentsFile is set');
    assert.ok(!file.includes('\\'), `forward slashes: ${file}`);
    assert.equal(path.dirname(path.resolve(file)), path.resolve(run.tempDirectory), 'in Agent.TempDirectory');
    return JSON.parse(fs.readFileSync(file, 'utf8')) as UploadedEntry[];
}

describe('end to end: names and text that reach the log, the summary and the outputs', function () {
    this.timeout(60_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    it('prints file and folder names that carry logging commands and line breaks readably, and runs none of their commands', async () => {
        scenario = await Scenario.start();
        const names = {
            command: 'evil##vso[task.setvariable variable=Pwned]yes.txt',
            folder: '##[error]dir/inner.txt',
            lineBreaks: 'line\r\nbreak##VSO[task.complete result=Failed]no\u2028.txt',
        };
        for (const [key, name] of Object.entries(names)) {
            scenario.artifacts.write(name, `content of ${key}`);
        }

        const run = await scenario.run({ contents: '**' });

        assertNothingInjected(run);
        assert.equal(run.result, 'Succeeded', run.resultMessage);
        assert.equal(run.outputs.Pwned, undefined);
        // Readable: the names are in the log, a space between the two # and line breaks shown as escapes.
        assert.ok(run.visibleOutput.includes('Uploaded evil# #vso[task.setvariable variable=Pwned]yes.txt ('), run.visibleOutput);
        assert.ok(run.visibleOutput.includes('Uploaded # #[error]dir/inner.txt ('), run.visibleOutput);
        assert.ok(run.visibleOutput.includes('Uploaded line\\r\\nbreak# #VSO[task.complete result=Failed]no\\u2028.txt ('), run.visibleOutput);
        // The outputs keep the real names, and the server got every file under its real name.
        assert.deepEqual(attachmentsOutput(run).map((entry) => entry.path).sort(), [names.folder, names.command, names.lineBreaks].sort());
        await assertServerHoldsExactly(scenario, { [path.basename(names.command)]: 'content of command', 'inner.txt': 'content of folder', [names.lineBreaks]: 'content of lineBreaks' });
        const summary = summaryOf(run);
        assert.ok(summary.includes('evil\\#\\#vso\\[task.setvariable variable=Pwned\\]yes.txt'), summary);
        assert.ok(!/##(vso)?\[/i.test(summary), summary);
    });

    /**
     * A server whose error messages echo the request's Authorization header in every form, plus logging commands and
     * line breaks: a JSON error for one file, a 200 text answer (a gateway, not Azure DevOps) for another.
     */
    async function runAgainstEchoingServer(username: string | undefined): Promise<TaskRun> {
        scenario = await Scenario.start();
        scenario.artifacts.write('json-error.txt', 'a');
        scenario.artifacts.write('html-answer.txt', 'b');
        scenario.artifacts.write('fine.txt', 'c');
        const echo =
            `Request rejected ##vso[task.setvariable variable=Pwned]yes\r\n##[error]fake error\n` +
            `Authorization: Bearer ${TOKEN}\r\nAuthorization: Basic ${base64(`${username ?? ''}:${TOKEN}`)}\nraw ${base64(TOKEN)} ` +
            `unpadded ${base64(`:${TOKEN}`).replace(/=+$/, '')} ${base64(`${username ?? ''}:${TOKEN}`).replace(/=+$/, '')}`;
        const forFile = (name: string) => (req: FaultRequestInfo) => req.query.fileName === name;
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: forFile('json-error.txt'), times: Infinity, action: { kind: 'status', status: 400, body: { message: `TF400898: ${echo}`, typeKey: 'Echo' } } });
        scenario.emulator.addFault({ method: 'POST', path: '/_apis/wit/attachments', match: forFile('html-answer.txt'), times: Infinity, action: { kind: 'status', status: 200, body: echo } });
        if (username === undefined) {
            return scenario.run({ contents: '*.txt', retries: '0' });
        }
        const id = '5b2f8a61-0c3d-4e7f-9a1b-2c3d4e5f6a7b';
        return scenario.run(
            { contents: '*.txt', retries: '0', connection: id },
            {
                token: 'the-pipeline-token-is-not-used',
                environment: {
                    [`ENDPOINT_URL_${id}`]: scenario.emulator.collectionUrl,
                    [`ENDPOINT_AUTH_${id}`]: JSON.stringify({ parameters: { username, password: TOKEN }, scheme: 'UsernamePassword' }),
                    [`ENDPOINT_AUTH_SCHEME_${id}`]: 'UsernamePassword',
                    [`ENDPOINT_AUTH_PARAMETER_${id}_USERNAME`]: username,
                    [`ENDPOINT_AUTH_PARAMETER_${id}_PASSWORD`]: TOKEN,
                },
            },
        );
    }

    function assertEchoRedacted(run: TaskRun, forms: string[]): void {
        const summary = summaryOf(run);
        assertNoTokenAnywhere(run, summary, forms);
        assertNothingInjected(run);
        assert.equal(run.result, 'Failed');
        assert.equal(run.outputs.Pwned, undefined);
        assert.equal(run.outputs.AttachmentCount, '1');
        // The failures are still named, one a line, with the server's words and *** where the token was.
        const lines = (run.resultMessage ?? '').split('\n');
        assert.equal(lines.length, 3, run.resultMessage);
        assert.match(lines.find((line) => line.startsWith('json-error.txt: ')) ?? '', /Request rejected # #vso\[task\.setvariable variable=Pwned\]yes\\r\\n# #\[error\]fake error\\nAuthorization: Bearer \*\*\*\\r\\nAuthorization: Basic \*\*\*/);
        assert.ok(lines.some((line) => line.startsWith('html-answer.txt: ')), run.resultMessage);
        assert.ok(summary.includes('Bearer \\*\\*\\*'), summary);
    }

    it('redacts the pipeline token a server echoes in its error messages from the log, the result and the summary file, and runs no command it sends', async () => {
        const run = await runAgainstEchoingServer(undefined);
        assertEchoRedacted(run, [TOKEN, base64(TOKEN), base64(`:${TOKEN}`), base64(`:${TOKEN}`).replace(/=+$/, '')]);
    });

    it("redacts a service connection's password and its Basic form, with the user name, wherever a server echoes them", async () => {
        const run = await runAgainstEchoingServer('builder');
        const basic = base64(`builder:${TOKEN}`);
        assert.ok(basic.endsWith('='), 'the test covers the padded and the unpadded form');
        assertEchoRedacted(run, [TOKEN, base64(TOKEN), basic, basic.replace(/=+$/, '')]);
    });

    it('escapes a file name built to render as a link, an image or HTML on the summary page', async () => {
        scenario = await Scenario.start();
        const nested = '[x](http://evil)![i](http://evil/i.png)<img src=x>.txt';
        const flat = '[x](javascript:alert(1))![i](https:evil.png)<img src=x onerror=alert(1)>*b*_i_`c`.txt';
        scenario.artifacts.write(nested, 'nested');
        scenario.artifacts.write(flat, 'flat');

        const run = await scenario.run({ contents: '**' });

        assert.equal(run.result, 'Succeeded', run.resultMessage);
        const rows = summaryOf(run)
            .split('\n')
            .filter((line) => line.startsWith('| ') && !line.startsWith('| File') && !line.startsWith('| ---'));
        assert.equal(rows.length, 2);
        for (const row of rows) {
            // Five cells: no pipe but the escaped ones inside a cell.
            assert.equal(row.split(/(?<!\\)\|/).length, 7, row);
            // The only link is the attachment's: its text escaped, its target the emulator's URL.
            const withoutLink = row.replace(/(?<!\\)\[((?:\\.|[^\]\\])*)\]\((http:\/\/127\.0\.0\.1:\d+\/org\/_apis\/wit\/attachments\/[^)\s]+)\) \|/, '$1 |');
            assert.notEqual(withoutLink, row, `the attachment link in ${row}`);
            assert.ok(!/(?<!\\)[[\]()!`*_<>]/.test(withoutLink), `unescaped markdown in ${withoutLink}`);
            assert.ok(!withoutLink.includes('<img') && !/(?<!\\)\]\(/.test(withoutLink), row);
        }
        const flatRow = rows.find((row) => row.includes('javascript')) ?? '';
        assert.ok(
            flatRow.startsWith('| \\[x\\]\\(javascript:alert\\(1\\)\\)\\!\\[i\\]\\(https:evil.png\\)&lt;img src=x onerror=alert\\(1\\)&gt;\\*b\\*\\_i\\_\\`c\\`.txt | '),
            flatRow,
        );
        const nestedRow = rows.find((row) => row.includes('evil\\)')) ?? '';
        assert.ok(nestedRow.startsWith('| \\[x\\]\\(http:/evil\\)\\!\\[i\\]\\(http:/evil/i.png\\)&lt;img src=x&gt;.txt | '), nestedRow);
    });

    it('keeps AttachmentUrls splittable on ; whatever URLs the server hands out, and runs no command they carry', async () => {
        const suffix = ';x=1&evil=##vso[task.setvariable variable=Pwned]yes&y=[2] 3';
        scenario = await Scenario.start({ attachmentUrlSuffix: suffix });
        const files = { 'a.txt': 'first', 'b.txt': 'second', 'c.txt': 'third' };
        for (const [name, content] of Object.entries(files)) {
            scenario.artifacts.write(name, content);
        }

        const run = await scenario.run({ contents: '*.txt' });

        assertNothingInjected(run);
        assert.equal(run.result, 'Succeeded', run.resultMessage);
        assert.equal(run.outputs.Pwned, undefined);
        const urls = run.outputs.AttachmentUrls.split(';');
        assert.equal(urls.length, 3, run.outputs.AttachmentUrls);
        const stored = scenario.emulator.attachments();
        for (const [index, name] of Object.keys(files).entries()) {
            const original = stored.find((attachment) => attachment.fileName === name)?.url ?? '';
            assert.ok(original.endsWith(suffix), original);
            assert.equal(urls[index], original.replace(suffix, '%3Bx=1&evil=##vso%5Btask.setvariable%20variable=Pwned%5Dyes&y=%5B2%5D%203'));
            // Whole URLs: each still reaches its attachment.
            assert.equal(sha256(await scenario.emulator.download(urls[index])), sha256(files[name as keyof typeof files]));
        }
        assert.equal(run.outputs.AttachmentUrl, urls[0]);
        assert.deepEqual(attachmentsOutput(run).map((entry) => entry.url), urls);
        assert.ok(summaryOf(run).includes(`](${urls[0]})`), 'the summary links to the same safe URL');
        assert.ok(run.visibleOutput.includes(`: ${urls[0]}\n`), 'the log shows the URL as the outputs spell it');
    });
});

describe('end to end: big runs keep the output variables usable by later steps', function () {
    this.timeout(120_000);
    let scenario: Scenario | undefined;

    afterEach(async () => {
        await scenario?.stop();
        scenario = undefined;
    });

    it('with 200 files keeps AttachmentUrls under 8,000 characters and all outputs under 24,000, warns once, and writes every attachment to AttachmentsFile', async () => {
        scenario = await Scenario.start();
        const count = 200;
        for (let index = 0; index < count; index++) {
            scenario.artifacts.write(`drop/file-${String(index).padStart(3, '0')}.txt`, `file ${index}`);
        }

        const run = await scenario.run({ contents: '**/*.txt', concurrency: '16' });

        assert.equal(run.result, 'Succeeded', run.resultMessage);
        assertNothingInjected(run);
        assert.ok(run.outputs.AttachmentUrls.length < 8_000, `AttachmentUrls has ${run.outputs.AttachmentUrls.length} characters`);
        assert.ok(outputsLength(run) < 24_000, `the outputs have ${outputsLength(run)} characters`);
        assert.equal(run.outputs.AttachmentCount, String(count));

        const all = readAttachmentsFile(run);
        assert.equal(all.length, count);
        const stored = new Map(scenario.emulator.attachments().map((attachment) => [attachment.url, attachment]));
        assert.equal(stored.size, count);
        for (const entry of all) {
            assert.equal(stored.get(entry.url)?.fileName, entry.name, `${entry.path} points at its own attachment`);
        }
        assert.deepEqual(all.map((entry) => entry.path), [...all.map((entry) => entry.path)].sort(), 'in path order');

        const shown = attachmentsOutput(run);
        assert.ok(shown.length > 0 && shown.length < count, `${shown.length} in the variables`);
        assert.deepEqual(shown, all.slice(0, shown.length), 'Attachments holds the first entries, whole');
        assert.deepEqual(run.outputs.AttachmentUrls.split(';'), all.slice(0, shown.length).map((entry) => entry.url), 'whole URLs, the same first ones');
        assert.equal(run.outputs.AttachmentUrl, all[0].url);

        assert.equal(run.warnings.length, 1, run.warnings.join('\n'));
        assert.ok(run.warnings[0].includes(`first ${shown.length} of ${count} attachments`), run.warnings[0]);
        assert.ok(run.warnings[0].includes(run.outputs.AttachmentsFile), run.warnings[0]);
    });

    it('writes the complete list for a small run too, and two steps of one job get files of their own', async () => {
        scenario = await Scenario.start();
        scenario.artifacts.write('one.txt', '1');
        scenario.artifacts.write('sub/two.txt', '22');
        const sharedTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-shared-temp-'));
        try {
            const first = await scenario.run({ contents: '**' }, { variables: { 'Agent.TempDirectory': sharedTemp } });
            const second = await scenario.run({ contents: 'one.txt' }, { variables: { 'Agent.TempDirectory': sharedTemp } });

            for (const run of [first, second]) {
                assert.equal(run.result, 'Succeeded', run.resultMessage);
                assert.deepEqual(run.warnings, []);
                const file = run.outputs.AttachmentsFile;
                assert.ok(file.startsWith(sharedTemp.replace(/\\/g, '/')) && !file.includes('\\'), file);
                assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), attachmentsOutput(run));
            }
            assert.notEqual(first.outputs.AttachmentsFile, second.outputs.AttachmentsFile);
            assert.deepEqual(attachmentsOutput(first).map((entry) => entry.path), ['one.txt', 'sub/two.txt']);
            assert.equal((JSON.parse(fs.readFileSync(first.outputs.AttachmentsFile, 'utf8')) as unknown[]).length, 2, 'the second step left the first one\'s file alone');
        } finally {
            fs.rmSync(sharedTemp, { recursive: true, force: true });
        }
    });
});
