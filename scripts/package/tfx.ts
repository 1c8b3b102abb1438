import { spawn } from 'child_process';
import { MANIFEST_FILE } from './project';

export interface TfxCreateOptions {
    readonly stagingRoot: string;
    readonly outputFile: string;
    readonly publisher: string;
}

/** `tfx extension create` on the staging folder; resolves with what tfx printed, rejects with it when tfx fails. */
export function tfxCreate(options: TfxCreateOptions): Promise<string> {
    const args = [
        require.resolve('tfx-cli/_build/tfx-cli.js'),
        'extension',
        'create',
        '--root',
        options.stagingRoot,
        '--manifest-globs',
        MANIFEST_FILE,
        '--output-path',
        options.outputFile,
        '--publisher',
        options.publisher,
        '--no-prompt',
        '--no-color',
    ];
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, args, { cwd: options.stagingRoot, stdio: ['ignore', 'pipe', 'pipe'] });
        const output: Buffer[] = [];
        child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
        child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
        child.on('error', reject);
        child.on('close', (code) => {
            const text = Buffer.concat(output).toString('utf8').trim();
            if (code === 0) {
                resolve(text);
            } else {
                reject(new Error(`tfx extension create failed (exit code ${code}):\n${text}`));
            }
        });
    });
}
