import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import { AzureDevOpsEmulator, type EmulatorOptions, type RecordedRequest } from '../emulator';
import { ArtifactFolder, sha256 } from './fixtures';
import { REPO_ROOT, parseCommand, runTask, type RunOptions, type TaskRun, type VsoCommand } from './taskRunner';

export const TOKEN = 'e2e-pipeline-token-3f9c1d7a';
export const PROJECT = { id: '7d0b0c2a-3f5e-4b8d-9c61-2a4e8f1d0b37', name: 'Fabrikam' };

export interface UploadedEntry {
    path: string;
    name: string;
    id: string;
    url: string;
    size: number;
    uploadType: string;
}

/** One emulator and one artifact folder per test, torn down after it. */
export class Scenario {
    readonly artifacts = new ArtifactFolder();
    private readonly agentTempFolders: string[] = [];

    private constructor(readonly emulator: AzureDevOpsEmulator) {}

    static async start(options: EmulatorOptions = {}): Promise<Scenario> {
        return new Scenario(await AzureDevOpsEmulator.start({ token: TOKEN, projects: [PROJECT], ...options }));
    }

    /** Runs the bundled task against this emulator, and checks that it printed no logging command it did not mean. */
    async run(inputs: Record<string, string>, extra: Partial<RunOptions> = {}): Promise<TaskRun> {
        const run = await runTask({
            collectionUrl: this.emulator.collectionUrl,
            token: TOKEN,
            projectName: PROJECT.name,
            projectId: PROJECT.id,
            inputs: { rootFolder: this.artifacts.root, ...inputs },
            ...extra,
        });
        this.agentTempFolders.push(run.tempDirectory);
        // Whatever a test is about, the task never prints a logging command it did not mean.
        assertNothingInjected(run);
        return run;
    }

    /** Requests that carried file bytes or created attachments, as opposed to negotiation. */
    uploadRequests(): RecordedRequest[] {
        return this.emulator.requests.filter((request) => /\/_apis\/wit\/attachments/i.test(request.path) && request.method !== 'GET');
    }

    async stop(): Promise<void> {
        this.artifacts.dispose();
        for (const folder of this.agentTempFolders) {
            fs.rmSync(folder, { recursive: true, force: true });
        }
        await this.emulator.stop();
    }
}

/** The attachment relations a work item of the emulator holds now. */
export function attachedFiles(scenario: Scenario, id: number) {
    return (scenario.emulator.workItem(id)?.relations ?? []).filter((relation) => relation.rel === 'AttachedFile');
}

/** The id at the end of an attachment's URL. */
export function attachmentIdOf(url: string): string {
    return new URL(url).pathname.split('/').pop() ?? '';
}

export function attachmentsOutput(run: TaskRun): UploadedEntry[] {
    return JSON.parse(run.outputs.Attachments ?? 'null') as UploadedEntry[];
}

/**
 * Every uploaded file came back byte for byte, and the server holds exactly one complete attachment per file:
 * no duplicates from retries, no incomplete leftovers.
 */
export async function assertServerHoldsExactly(scenario: Scenario, expected: Record<string, Buffer | string>): Promise<void> {
    const complete = scenario.emulator.attachments().filter((attachment) => attachment.complete);
    assert.equal(complete.length, Object.keys(expected).length, `complete attachments: ${complete.map((a) => a.fileName).join(', ')}`);
    for (const [name, content] of Object.entries(expected)) {
        const matches = complete.filter((attachment) => attachment.fileName === name);
        assert.equal(matches.length, 1, `attachments named ${name}`);
        const downloaded = await scenario.emulator.download(matches[0].url);
        assert.equal(sha256(downloaded), sha256(content), `content of ${name}`);
    }
}

/** The logging commands the task means to print; anything else on stdout would be one it did not mean. */
const TASK_COMMANDS = new Set(['task.debug', 'task.issue', 'task.complete', 'task.setvariable', 'task.setprogress', 'task.addattachment', 'task.setsecret']);

function declaredOutputs(): Set<string> {
    const task = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'task.json'), 'utf8')) as { outputVariables: { name: string }[] };
    return new Set(task.outputVariables.map((output) => output.name));
}

/**
 * Nothing the task printed carries a logging command it did not mean, as the agent reads the output: a line ends at
 * CR or LF; `##vso[` is acted on anywhere in a line and `##[` formats one, in any letter case. So `##vso[` may only
 * open a line, once, with one of the task's own commands, and a variable may only be one of the declared outputs;
 * `##[` may not appear at all, nor any command on stderr.
 */
export function assertNothingInjected(run: TaskRun): void {
    const outputs = declaredOutputs();
    let groupOpen = false;
    run.stdout.split(/\r\n|\r|\n/).forEach((line, index) => {
        const where = `stdout line ${index + 1}: ${JSON.stringify(line.slice(0, 300))}`;
        // The one formatting command the task means: the group of per-file lines, opened and closed in turn, never nested.
        if (FILE_GROUP_START.test(line) || line === '##[endgroup]') {
            assert.equal(line === '##[endgroup]', groupOpen, `a group marker out of turn, in ${where}`);
            groupOpen = !groupOpen;
            return;
        }
        assert.ok(!/##\[/.test(line), `##[ in ${where}`);
        assert.ok(!/##vso\[/i.test(line.slice(1)), `##vso[ inside ${where}`);
        // As the agent reads a command: its name runs to the first space or `]`, its properties to the first `]`.
        const command = /^##vso\[([^\s\]]+)([^\]]*)\]/i.exec(line);
        if (command) {
            assert.ok(TASK_COMMANDS.has(command[1]), `a command the task does not print, in ${where}`);
            if (command[1] === 'task.setvariable') {
                const properties = parseCommand(command[0])?.properties ?? {};
                assert.ok(outputs.has(properties.variable) && properties.isOutput === 'true', `a variable that is not a declared output, in ${where}`);
            }
        }
    });
    assert.ok(!groupOpen, 'a group of per-file lines that was never closed');
    assert.ok(!/##(vso)?\[/i.test(run.stderr), `a logging command on stderr: ${run.stderr.slice(0, 300)}`);
}

/** The task's own group of per-file lines: `##[group]` and its title from task.json, which holds no `#`. */
const FILE_GROUP_START = /^##\[group\]Each file \([\d,]+ files\)$/;

/** The summary attachment the task added: `task.addattachment` of type Distributedtask.Core.Summary, titled by its name. */
export function summaryCommand(run: TaskRun): VsoCommand {
    const command = run.commands.filter((entry) => entry.command === 'task.addattachment' && entry.properties.type === 'Distributedtask.Core.Summary').pop();
    assert.ok(command, 'no summary attachment');
    assert.equal(command.properties.name, 'Work item attachments', 'the section is titled, not named after the file');
    return command;
}

/** The markdown the task put on the summary tab, read from the file its summary attachment names. */
export function summaryOf(run: TaskRun): string {
    return fs.readFileSync(summaryCommand(run).message, 'utf8');
}

/** What the task's result message says about one file (its line, `<file>: <why>`); fails the test when it names none. */
export function failureOf(run: TaskRun, file: string): string {
    const line = (run.resultMessage ?? '').split('\n').find((entry) => entry.startsWith(`${file}: `));
    assert.ok(line, `no failure for ${file} in: ${run.resultMessage}`);
    return line;
}

/** The pipeline's token shows nowhere in what the task printed (its own `task.setsecret`, which the agent consumes, aside). */
export function assertTokenNotPrinted(run: TaskRun): void {
    const visible = run.visibleOutput.split('\n').filter((line) => !line.startsWith('##vso[task.setsecret]'));
    assert.ok(!visible.join('\n').includes(TOKEN), 'the token is in the visible output');
    assert.ok(!run.stderr.includes(TOKEN), 'the token is on stderr');
}

/** What the other host answers every request with: a reference to an attachment of its own, as an upload would get. */
const ATTACHMENT_OF_ITS_OWN = { status: 201, body: JSON.stringify({ id: 'stolen', url: 'http://elsewhere/stolen' }) };

/**
 * A second server, "another host": it records every request that reaches it, and the Authorization it carried, and
 * answers each with `answer` (JSON).
 */
export async function startOtherHost(answer: { status: number; body: string } = ATTACHMENT_OF_ITS_OWN): Promise<{ origin: string; seen: { url: string; authorization?: string }[]; close(): Promise<void> }> {
    const seen: { url: string; authorization?: string }[] = [];
    const server = http.createServer((req, res) => {
        seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
        req.resume();
        res.writeHead(answer.status, { 'Content-Type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
        origin,
        seen,
        close: () =>
            new Promise<void>((resolve) => {
                server.closeAllConnections();
                server.close(() => resolve());
            }),
    };
}
