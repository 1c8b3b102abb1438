import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT } from '../../scripts/package/project';
import { PackedCli } from './packedCli';

const PAT = 'abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrst';
const ORG = { AZURE_DEVOPS_ORG_URL: 'https://dev.azure.com/fabrikam' };
/** What the tarball may hold: the CLI bundle with its notices, README, LICENSE, and the package.json npm always packs. */
const ALLOWED_FILES = ['LICENSE', 'README.md', 'dist/cli/THIRD-PARTY-NOTICES.txt', 'dist/cli/ado-attach.js', 'package.json'];

describe('ado-attach: the packed command line, installed offline into an empty folder', function () {
    this.timeout(60_000);
    const cli = new PackedCli();
    let files: string;

    before(() => {
        cli.install();
        files = path.join(cli.workspace, 'files');
        fs.mkdirSync(path.join(files, 'dist'), { recursive: true });
        fs.writeFileSync(path.join(files, 'dist', 'app.zip'), Buffer.alloc(3000, 1));
        fs.writeFileSync(path.join(files, 'dist', 'notes.txt'), 'notes');
    });

    after(() => cli.dispose());

    describe('the package', () => {
        it('holds only the allow-listed files, at most 1 MiB', () => {
            assert.deepEqual(cli.packedFiles.map((file) => file.path).sort(), ALLOWED_FILES);
            assert.ok(cli.tarballSize <= 1024 * 1024, `${cli.tarballSize} bytes`);
            assert.deepEqual(listFiles(cli.installedPackage).sort(), ALLOWED_FILES, 'the installed package is the tarball');
        });

        it('has no dependencies, so it installs with nothing else', () => {
            const manifest = JSON.parse(fs.readFileSync(path.join(cli.installedPackage, 'package.json'), 'utf8')) as Record<string, unknown>;
            assert.equal(manifest.dependencies, undefined);
            assert.deepEqual(manifest.bin, { 'ado-attach': 'dist/cli/ado-attach.js' });
            assert.deepEqual(fs.readdirSync(path.join(cli.workspace, 'install', 'node_modules')).filter((name) => !name.startsWith('.')), ['upload-work-item-attachments']);
        });

        it('starts the bundle with a #!/usr/bin/env node line', () => {
            assert.match(fs.readFileSync(path.join(cli.installedPackage, 'dist', 'cli', 'ado-attach.js'), 'utf8'), /^#!\/usr\/bin\/env node\n/);
        });
    });

    it('prints the usage on stdout with --help and exits 0', async () => {
        const run = await cli.run(['--help']);
        assert.equal(run.exitCode, 0);
        assert.match(run.stdout, /^Usage: ado-attach \[options\] <pattern\.\.\.>/);
        assert.match(run.stdout, /--token-stdin/);
        assert.equal(run.stderr, '');
    });

    it('prints the package version with --version', async () => {
        const run = await cli.run(['--version']);
        const { version } = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
        assert.deepEqual(run, { exitCode: 0, stdout: `${version}\n`, stderr: '' });
    });

    it('exits 2 on a bad value, naming the option, and prints nothing on stdout', async () => {
        const run = await cli.run(['--chunk-size', '500', '--json', 'dist/**'], { environment: { ...ORG, AZURE_DEVOPS_EXT_PAT: PAT }, cwd: files });
        assert.equal(run.exitCode, 2);
        assert.equal(run.stdout, '');
        assert.equal(run.stderr, "error: Option '--chunk-size' is '500', but it must be a whole number from 1 to 128.\n");
    });

    it('exits 2 on an unknown option, such as a token given as an argument', async () => {
        const run = await cli.run(['--token', PAT, 'dist/**'], { environment: ORG, cwd: files });
        assert.equal(run.exitCode, 2);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /^error: Unknown option '--token'/);
    });

    it('exits 2 without a token, naming the three ways to give one', async () => {
        const run = await cli.run(['dist/**'], { environment: ORG, cwd: files });
        assert.equal(run.exitCode, 2);
        assert.equal(run.stdout, '');
        for (const way of ['--token-stdin', 'AZURE_DEVOPS_EXT_PAT', 'SYSTEM_ACCESSTOKEN']) {
            assert.match(run.stderr, new RegExp(way));
        }
    });

    it('exits 2 when --token-stdin finds an empty line, even with AZURE_DEVOPS_EXT_PAT set', async () => {
        const run = await cli.run(['--token-stdin', 'dist/**'], { environment: { ...ORG, AZURE_DEVOPS_EXT_PAT: PAT }, stdin: '\n', cwd: files });
        assert.equal(run.exitCode, 2);
        assert.equal(run.stdout, '');
        assert.match(run.stderr, /first line of standard input is empty/);
    });

    it('warns and exits 0 when nothing matches, and exits 1 with --if-no-files-found error, the JSON document printed either way', async () => {
        const environment = { ...ORG, AZURE_DEVOPS_EXT_PAT: PAT };
        const warned = await cli.run(['--dry-run', '--json', '*.iso'], { environment, cwd: files });
        assert.equal(warned.exitCode, 0, warned.stderr);
        assert.match(warned.stderr, /^warning: No files matched under '.*' for the patterns: \*\.iso$/m);
        assert.deepEqual(JSON.parse(warned.stdout), { dryRun: true, files: [], workItems: [], failed: [] });
        const failed = await cli.run(['--dry-run', '--json', '--if-no-files-found', 'error', '*.iso'], { environment, cwd: files });
        assert.equal(failed.exitCode, 1);
        assert.match(failed.stderr, /^error: No files matched under '.*' for the patterns: \*\.iso$/m);
        assert.deepEqual(JSON.parse(failed.stdout), { dryRun: true, files: [], workItems: [], failed: [] });
        const ignored = await cli.run(['--dry-run', '--if-no-files-found', 'ignore', '*.iso'], { environment, cwd: files });
        assert.equal(ignored.exitCode, 0);
        assert.doesNotMatch(ignored.stderr, /No files/);
    });

    it('never prints a proxy password from the environment', async () => {
        const run = await cli.run(['--dry-run', 'dist/**'], {
            environment: { ...ORG, AZURE_DEVOPS_EXT_PAT: PAT, HTTPS_PROXY: 'http://builder:s3cret-Proxy-Pass@proxy.corp:3128' },
            cwd: files,
        });
        assert.equal(run.exitCode, 0, run.stderr);
        assert.match(run.stderr, /through proxy http:\/\/proxy\.corp:3128 as builder;/);
        assert.doesNotMatch(run.stdout + run.stderr, /s3cret-Proxy-Pass/);
    });
});

function listFiles(folder: string, prefix = ''): string[] {
    return fs.readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
        const relative = `${prefix}${entry.name}`;
        return entry.isDirectory() ? listFiles(path.join(folder, entry.name), `${relative}/`) : [relative];
    });
}
