import * as fs from 'fs';
import * as path from 'path';
import { AzureDevOpsEmulator } from '../test/emulator';
import { ArtifactFolder, binaryContent, sha256 } from '../test/e2e/fixtures';
import { runTask } from '../test/e2e/taskRunner';

const TOKEN = 'demo-token';

/** Runs the real bundled task against the emulator on a free port, then downloads every attachment back and checks it. */
async function demo(): Promise<void> {
    const emulator = await AzureDevOpsEmulator.start({ token: TOKEN });
    const artifacts = new ArtifactFolder();
    try {
        artifacts.write('drop/release-notes.md', '# Release 1.2.3\n\n- Faster uploads\n- Caf\u00e9 \u2615 support\n');
        artifacts.write('drop/screenshot.png', binaryContent(150_000, 11));
        artifacts.write('drop/app bundle #2.zip', binaryContent(5 * 1024 * 1024 + 123, 12));
        artifacts.write('drop/empty.log', '');
        artifacts.write('drop/debug.pdb', 'excluded by the pattern below');

        const inputs = { rootFolder: artifacts.root, contents: 'drop/**\n!**/*.pdb', chunkSizeMB: '2' };
        console.log(`Emulated collection: ${emulator.collectionUrl}`);
        console.log(`Task inputs: ${JSON.stringify(inputs)}\n`);
        console.log('---- what the task printed (debug lines hidden) ----');
        const run = await runTask({ collectionUrl: emulator.collectionUrl, token: TOKEN, projectName: 'Fabrikam', inputs });
        console.log(run.visibleOutput.trim());
        console.log('---- end of task output ----\n');

        const attachments = JSON.parse(run.outputs.Attachments ?? '[]') as { path: string; url: string; size: number; uploadType: string }[];
        let verified = 0;
        for (const attachment of attachments) {
            const original = fs.readFileSync(path.join(artifacts.root, attachment.path));
            const downloaded = await emulator.download(attachment.url);
            const same = sha256(downloaded) === sha256(original);
            verified += same ? 1 : 0;
            console.log(`${same ? 'OK      ' : 'MISMATCH'} ${attachment.path} (${attachment.size} bytes, ${attachment.uploadType}) sha256 ${sha256(downloaded).slice(0, 16)}...`);
        }
        const requests = emulator.requests.map((request) => `${request.method} ${decodeURIComponent(request.path)} -> ${request.status}`);
        console.log(`\nThe emulator saw ${requests.length} requests:\n  ${requests.join('\n  ')}`);
        console.log(`\nTask result: ${run.result}. ${verified} of ${attachments.length} attachments downloaded back and verified byte for byte.`);
        if (run.result !== 'Succeeded' || verified !== attachments.length || attachments.length === 0) {
            process.exitCode = 1;
        }
        fs.rmSync(run.tempDirectory, { recursive: true, force: true });
    } finally {
        artifacts.dispose();
        await emulator.stop();
    }
}

demo().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
});
