import * as assert from 'assert/strict';
import * as fs from 'fs';
import { AzureDevOpsEmulator, type EmulatorOptions, type RecordedRequest } from '../emulator';
import { ArtifactFolder, sha256 } from './fixtures';
import { runTask, type RunOptions, type TaskRun } from './taskRunner';

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
