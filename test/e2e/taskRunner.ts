import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** The task under test: the bundle in the repository, or another copy (an unpacked VSIX) named by TASK_UNDER_TEST. */
export function taskEntry(): string {
    return process.env.TASK_UNDER_TEST ?? path.join(REPO_ROOT, 'tasks', 'UploadWorkItemAttachmentsV1', 'dist', 'index.js');
}

export interface VsoCommand {
    readonly command: string;
    readonly properties: Record<string, string>;
    readonly message: string;
}

export interface TaskRun {
    readonly exitCode: number | null;
    readonly stdout: string;
    readonly stderr: string;
    readonly commands: VsoCommand[];
    /** Output variables, from `task.setvariable ... isOutput=true`, last value wins. */
    readonly outputs: Record<string, string>;
    /** From the last `task.complete`. */
    readonly result?: string;
    readonly resultMessage?: string;
    readonly errors: string[];
    readonly warnings: string[];
    /** stdout without debug lines and `task.setsecret` (which the agent consumes): what the build log shows without diagnostics. */
    readonly visibleOutput: string;
    readonly tempDirectory: string;
}

export interface RunOptions {
    readonly collectionUrl: string;
    readonly token: string;
    readonly inputs: Record<string, string>;
    readonly variables?: Record<string, string>;
    /** Extra raw environment variables (a service connection's ENDPOINT_*). */
    readonly environment?: Record<string, string>;
    readonly projectName?: string;
    readonly projectId?: string;
}

/** Runs the task the way the agent does: a child process with INPUT_*, the SystemVssConnection endpoint and agent variables in its environment. */
export function runTask(options: RunOptions): Promise<TaskRun> {
    const tempDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-agent-temp-'));
    const variables: Record<string, string> = {
        'System.TeamFoundationCollectionUri': options.collectionUrl,
        'System.TeamProject': options.projectName ?? 'Fabrikam',
        'System.TeamProjectId': options.projectId ?? '',
        'System.HostType': 'build',
        'System.Culture': 'en-US',
        'Build.BuildId': '42',
        'Agent.TempDirectory': tempDirectory,
        'System.DefaultWorkingDirectory': tempDirectory,
        ...options.variables,
    };
    const environment: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tempDirectory,
        ENDPOINT_URL_SYSTEMVSSCONNECTION: options.collectionUrl,
        ENDPOINT_AUTH_SYSTEMVSSCONNECTION: JSON.stringify({ parameters: { AccessToken: options.token }, scheme: 'OAuth' }),
        ENDPOINT_AUTH_SCHEME_SYSTEMVSSCONNECTION: 'OAuth',
        ENDPOINT_AUTH_PARAMETER_SYSTEMVSSCONNECTION_ACCESSTOKEN: options.token,
        VSTS_PUBLIC_VARIABLES: JSON.stringify(Object.keys(variables)),
        ...options.environment,
    };
    for (const [name, value] of Object.entries(variables)) {
        environment[variableToEnvironment(name)] = value;
    }
    for (const [name, value] of Object.entries(options.inputs)) {
        environment[`INPUT_${variableToEnvironment(name)}`] = value;
    }

    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [taskEntry()], { env: environment, cwd: tempDirectory, stdio: ['ignore', 'pipe', 'pipe'] });
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        child.on('error', reject);
        child.on('close', (exitCode) => {
            resolve(parseRun(exitCode, Buffer.concat(stdout).toString('utf8'), Buffer.concat(stderr).toString('utf8'), tempDirectory));
        });
    });
}

export function variableToEnvironment(name: string): string {
    return name.replace(/[.\s]/g, '_').toUpperCase();
}

function parseRun(exitCode: number | null, stdout: string, stderr: string, tempDirectory: string): TaskRun {
    const commands = stdout
        .split(/\r?\n/)
        .map(parseCommand)
        .filter((command): command is VsoCommand => command !== undefined);
    const outputs: Record<string, string> = {};
    for (const command of commands) {
        if (command.command === 'task.setvariable' && command.properties.isOutput === 'true') {
            outputs[command.properties.variable] = command.message;
        }
    }
    const complete = commands.filter((command) => command.command === 'task.complete').pop();
    const issues = (type: string) =>
        commands.filter((command) => command.command === 'task.issue' && command.properties.type === type).map((command) => command.message);
    return {
        exitCode,
        stdout,
        stderr,
        commands,
        outputs,
        result: complete?.properties.result,
        resultMessage: complete?.message,
        errors: issues('error'),
        warnings: issues('warning'),
        visibleOutput: stdout
            .split(/\r?\n/)
            .filter((line) => !line.startsWith('##vso[task.debug]') && !line.startsWith('##vso[task.setsecret]'))
            .join('\n'),
        tempDirectory,
    };
}

const COMMAND_LINE = /^##vso\[(\S+)([^\]]*)\](.*)$/;

export function parseCommand(line: string): VsoCommand | undefined {
    const match = COMMAND_LINE.exec(line);
    if (!match) {
        return undefined;
    }
    const properties: Record<string, string> = {};
    for (const pair of match[2].trim().split(';')) {
        const separator = pair.indexOf('=');
        if (separator > 0) {
            properties[pair.slice(0, separator).trim()] = unescapeProperty(pair.slice(separator + 1));
        }
    }
    return { command: match[1], properties, message: unescapeData(match[3]) };
}

function unescapeData(value: string): string {
    return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%AZP25/g, '%');
}

function unescapeProperty(value: string): string {
    return value.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%5D/g, ']').replace(/%3B/g, ';').replace(/%AZP25/g, '%');
}
