import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AzureDevOpsEmulator } from '../test/emulator';
import { ArtifactFolder, binaryContent } from '../test/e2e/fixtures';
import { runTask, type TaskRun } from '../test/e2e/taskRunner';

export const DEMO_TOKEN = 'demo-token';
export const DEMO_WORK_ITEM = { id: 1234, title: 'Release 1.2.3 sign-off' };
export const DEMO_BUILD_WORK_ITEM = { id: 1235, title: 'Faster uploads' };

/** The inputs the demo and the overview's picture run the task with: a YAML author would write the same. */
export const SAMPLE_INPUTS = {
    contents: 'drop/**\n!**/*.pdb',
    workItemIds: `${DEMO_WORK_ITEM.id}`,
    linkBuildWorkItems: 'true',
    chunkSizeMB: '2',
};

export interface SampleRun {
    readonly emulator: AzureDevOpsEmulator;
    readonly artifacts: ArtifactFolder;
    readonly inputs: Record<string, string>;
    readonly run: TaskRun;
    /** The markdown of the summary attachment the task added. */
    readonly summary: string;
    /** Stops the emulator and removes the files. */
    dispose(): Promise<void>;
}

/**
 * Runs the real bundled task, the way the agent does, against the emulator on a free port: five files (one excluded
 * by the patterns, one large enough to go in chunks, one empty) and a link to a file outside the root folder (skipped
 * with a warning), attached to a named work item and to the build's.
 */
export async function runSample(): Promise<SampleRun> {
    const emulator = await AzureDevOpsEmulator.start({
        token: DEMO_TOKEN,
        workItems: [DEMO_WORK_ITEM, DEMO_BUILD_WORK_ITEM],
        buildWorkItems: { '42': [DEMO_BUILD_WORK_ITEM.id] },
    });
    const artifacts = new ArtifactFolder();
    artifacts.write('drop/release-notes.md', '# Release 1.2.3\n\n- Faster uploads\n- Caf\u00e9 \u2615 support\n');
    artifacts.write('drop/screenshot.png', binaryContent(150_000, 11));
    artifacts.write('drop/app bundle #2.zip', binaryContent(5 * 1024 * 1024 + 123, 12));
    artifacts.write('drop/empty.log', '');
    artifacts.write('drop/debug.pdb', 'excluded by the pattern below');
    // A link a pull request could plant, to a file outside the root folder: the task skips it with a warning.
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-outside-'));
    fs.writeFileSync(path.join(outside, 'id_rsa'), 'not for upload');
    try {
        fs.symlinkSync(path.join(outside, 'id_rsa'), path.join(artifacts.root, 'drop', 'id_rsa'));
    } catch {
        // Windows without the privilege to create symbolic links: the demo runs without this warning.
    }
    const inputs = { rootFolder: artifacts.root, ...SAMPLE_INPUTS };
    const run = await runTask({
        collectionUrl: emulator.collectionUrl,
        token: DEMO_TOKEN,
        projectName: 'Fabrikam',
        inputs,
        variables: { 'Build.DefinitionName': 'Fabrikam-CI', 'Build.BuildNumber': '20261129.1' },
    });
    const summaryCommand = run.commands.filter((command) => command.command === 'task.addattachment' && command.properties.type === 'Distributedtask.Core.Summary').pop();
    const summary = summaryCommand ? fs.readFileSync(summaryCommand.message, 'utf8') : '';
    return {
        emulator,
        artifacts,
        inputs,
        run,
        summary,
        dispose: async () => {
            fs.rmSync(run.tempDirectory, { recursive: true, force: true });
            fs.rmSync(outside, { recursive: true, force: true });
            artifacts.dispose();
            await emulator.stop();
        },
    };
}
