import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REPO_ROOT } from '../../scripts/package/project';

/** The CLI bundle `npm pack` takes; `npm run build` (and so `npm test`) writes it, and `prepack` on a fresh clone. */
export const CLI_BUNDLE = path.join(REPO_ROOT, 'dist', 'cli', 'ado-attach.js');

export interface PackedFile {
    readonly path: string;
    readonly size: number;
}

export interface CliRun {
    readonly exitCode: number | null;
    readonly stdout: string;
    readonly stderr: string;
}

export interface CliRunOptions {
    /** The whole environment of the child, beside PATH (and SYSTEMROOT on Windows): nothing leaks in from the test's own. */
    readonly environment?: Record<string, string>;
    readonly stdin?: string;
    readonly cwd?: string;
}

const isWindows = process.platform === 'win32';
const npm = isWindows ? 'npm.cmd' : 'npm';

/**
 * The command line as a user gets it: `npm pack` of this repository, the tarball installed offline into an empty
 * folder, and `node_modules/.bin/ado-attach` run as a child process. Pack and install happen once (`install`).
 */
export class PackedCli {
    readonly workspace: string;
    tarball = '';
    tarballSize = 0;
    packedFiles: PackedFile[] = [];

    constructor() {
        this.workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ado-attach-packed-'));
    }

    /** Where the package was installed: its files are exactly the tarball's. */
    get installedPackage(): string {
        return path.join(this.workspace, 'install', 'node_modules', 'upload-work-item-attachments');
    }

    get bin(): string {
        return path.join(this.workspace, 'install', 'node_modules', '.bin', isWindows ? 'ado-attach.cmd' : 'ado-attach');
    }

    install(): void {
        if (!fs.existsSync(CLI_BUNDLE)) {
            throw new Error(`${path.relative(REPO_ROOT, CLI_BUNDLE)} is missing: run \`npm run build\` first, which bundles the command line.`);
        }
        // --ignore-scripts: the build just made the bundle, prepack would only make it again.
        const packed = JSON.parse(
            execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', this.workspace], { cwd: REPO_ROOT, encoding: 'utf8', shell: isWindows, stdio: ['ignore', 'pipe', 'pipe'] }),
        ) as { filename: string; size: number; files: PackedFile[] }[];
        this.tarball = path.join(this.workspace, packed[0].filename);
        this.tarballSize = fs.statSync(this.tarball).size;
        this.packedFiles = packed[0].files;
        const installFolder = path.join(this.workspace, 'install');
        fs.mkdirSync(installFolder);
        execFileSync(npm, ['install', '--offline', '--no-audit', '--no-fund', '--cache', path.join(this.workspace, 'npm-cache'), this.tarball], {
            cwd: installFolder,
            encoding: 'utf8',
            shell: isWindows,
            stdio: ['ignore', 'pipe', 'pipe'],
        });
    }

    /** Runs the installed `ado-attach` with exactly the environment given, feeding `stdin`, and collects what it printed. */
    run(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
        const environment: Record<string, string> = { PATH: process.env.PATH ?? '', ...(isWindows ? { SYSTEMROOT: process.env.SYSTEMROOT ?? '' } : {}), ...options.environment };
        return new Promise((resolve, reject) => {
            const child = spawn(this.bin, [...args], { cwd: options.cwd ?? this.workspace, env: environment, shell: isWindows, stdio: ['pipe', 'pipe', 'pipe'] });
            let stdout = '';
            let stderr = '';
            child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
            child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
            child.on('error', reject);
            child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
            child.stdin.on('error', () => {
                // The command may exit without reading its input (a usage error): a closed pipe is no failure of the test.
            });
            child.stdin.end(options.stdin ?? '');
        });
    }

    dispose(): void {
        fs.rmSync(this.workspace, { recursive: true, force: true });
    }
}
