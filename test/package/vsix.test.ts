import * as assert from 'assert/strict';
import AdmZip from 'adm-zip';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TASK_LIB_MARKER, countOccurrences } from '../../scripts/package/bundle';
import { packageExtension, type PackageResult } from '../../scripts/package/packageExtension';
import { REPO_ROOT, loadProject, readJson, type TaskJson } from '../../scripts/package/project';
import { ForwardProxy } from '../proxy/forwardProxy';
import { listFiles } from '../../scripts/package/stage';
import { SHARED_TASK_SCHEMA_FILE, TASK_SCHEMA_FILE, createTaskValidator } from '../../scripts/package/validate';
import { binaryContent } from '../e2e/fixtures';
import { Scenario, assertServerHoldsExactly, attachmentsOutput } from '../e2e/harness';

const MiB = 1024 * 1024;
const TASK_FOLDER = 'tasks/UploadWorkItemAttachmentsV1';
const PUBLISHER = 'test-publisher';
const REPOSITORY = 'https://github.com/fabrikam/upload-work-item-attachments';
/** What a task folder in the VSIX may hold: what the agent loads, and the notices of the bundled packages. */
const SHIPPED_TASK_FILE = /^(task\.json|icon\.png|ThirdPartyNotices\.txt|dist\/index\.js|Strings\/resources\.resjson\/[A-Za-z-]+\/resources\.resjson)$/;

describe('packaging: the VSIX, unpacked where no node_modules can help it', function () {
    this.timeout(120_000);
    let workspace: string;
    let packaged: PackageResult;
    let unpacked: string;
    let taskDirectory: string;

    before(async () => {
        workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-vsix-'));
        packaged = await packageExtension({ publisher: PUBLISHER, repository: `${REPOSITORY}.git`, outputDir: path.join(workspace, 'out'), stagingDir: path.join(workspace, 'staging') });
        unpacked = path.join(workspace, 'unpacked');
        new AdmZip(packaged.vsixFile).extractAllTo(unpacked, true);
        taskDirectory = path.join(unpacked, ...TASK_FOLDER.split('/'));
    });

    after(() => {
        fs.rmSync(workspace, { recursive: true, force: true });
    });

    it('is exactly one .vsix of at most 1 MiB', () => {
        assert.deepEqual(fs.readdirSync(path.join(workspace, 'out')), [path.basename(packaged.vsixFile)]);
        assert.ok(packaged.vsixBytes <= MiB, `${packaged.vsixBytes} bytes`);
    });

    it('names the extension id, version and publisher in extension.vsixmanifest', () => {
        const manifest = loadProject().manifest;
        const vsixManifest = fs.readFileSync(path.join(unpacked, 'extension.vsixmanifest'), 'utf8');
        const identity = /<Identity\b([^>]*)\/?>/.exec(vsixManifest)?.[1] ?? '';
        const attribute = (name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(identity)?.[1];

        assert.equal(attribute('Id'), manifest.id);
        assert.equal(attribute('Version'), manifest.version);
        assert.equal(attribute('Publisher'), PUBLISHER);
    });

    it('links the Marketplace page to the repository given, its issues and its license, and to no placeholder', () => {
        const vsixManifest = fs.readFileSync(path.join(unpacked, 'extension.vsixmanifest'), 'utf8');
        const property = (id: string) => new RegExp(`<Property Id="Microsoft\\.VisualStudio\\.Services\\.Links\\.${id}" Value="([^"]*)"`).exec(vsixManifest)?.[1];

        assert.equal(property('Repository'), REPOSITORY);
        assert.equal(property('Issues'), `${REPOSITORY}/issues`);
        assert.equal(property('License'), `${REPOSITORY}/blob/main/LICENSE`);
        for (const file of listFiles(unpacked).filter((name) => /\.(json|vsixmanifest|vsomanifest|md)$/.test(name))) {
            assert.doesNotMatch(fs.readFileSync(path.join(unpacked, file), 'utf8'), /your-org/, file);
        }
    });

    it("ships every picture the overview shows, byte for byte", () => {
        const overview = fs.readFileSync(path.join(unpacked, 'overview.md'), 'utf8');
        const pictures = [...overview.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((match) => match[1]);
        assert.ok(pictures.length > 0, 'the overview shows a picture');
        for (const picture of pictures) {
            assert.ok(fs.existsSync(path.join(unpacked, picture)), `${picture} is not in the VSIX`);
            assert.ok(fs.readFileSync(path.join(unpacked, picture)).equals(fs.readFileSync(path.join(REPO_ROOT, picture))), picture);
        }
    });

    it('contributes the task folder it ships', () => {
        const vsoManifest = readJson(path.join(unpacked, 'extension.vsomanifest')) as { contributions: { type: string; properties: { name: string } }[] };
        assert.deepEqual(
            vsoManifest.contributions.map((contribution) => [contribution.type, contribution.properties.name]),
            [['ms.vss-distributed-task.task', TASK_FOLDER]],
        );
    });

    it('holds in the task folder at most 10 files, only those the task needs and every handler target, and no node_modules anywhere', () => {
        const files = listFiles(taskDirectory).map((file) => file.split(path.sep).join('/'));
        const taskJson = readJson(path.join(taskDirectory, 'task.json')) as TaskJson;
        const targets = Object.values(taskJson.execution ?? {}).map((handler) => handler.target);

        assert.ok(files.length <= 10, files.join(', '));
        assert.deepEqual(files.filter((file) => !SHIPPED_TASK_FILE.test(file)), []);
        assert.ok(targets.length >= 2, 'Node20_1 and Node24');
        for (const target of targets) {
            assert.ok(files.includes(target), `handler target ${target}`);
        }
        assert.deepEqual(listFiles(unpacked).filter((file) => file.split(path.sep).includes('node_modules')), []);
    });

    it('holds in the task folder what the agent reads: task.json valid against the official schema with Node20_1 and Node24 on dist/index.js, a 32x32 icon.png, and Strings with every message', () => {
        const taskJson = readJson(path.join(taskDirectory, 'task.json')) as TaskJson & { messages: Record<string, string> };
        const schemaFile = fs.existsSync(SHARED_TASK_SCHEMA_FILE) ? SHARED_TASK_SCHEMA_FILE : TASK_SCHEMA_FILE;
        assert.deepEqual(createTaskValidator(readJson(schemaFile) as object)(taskJson), [], schemaFile);
        assert.deepEqual(
            Object.entries(taskJson.execution ?? {}).map(([handler, { target }]) => [handler, target]),
            [['Node20_1', 'dist/index.js'], ['Node24', 'dist/index.js']],
        );
        const icon = fs.readFileSync(path.join(taskDirectory, 'icon.png'));
        assert.equal(icon.subarray(1, 4).toString('latin1'), 'PNG');
        assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [32, 32], 'width and height');
        const strings = readJson(path.join(taskDirectory, 'Strings', 'resources.resjson', 'en-US', 'resources.resjson')) as Record<string, string>;
        for (const [key, message] of Object.entries(taskJson.messages)) {
            assert.equal(strings[`loc.messages.${key}`], message, key);
        }
    });

    it('names in its manifests only files it holds, and holds no source, map, test or TypeScript file anywhere', () => {
        const vsixManifest = fs.readFileSync(path.join(unpacked, 'extension.vsixmanifest'), 'utf8');
        const assets = [...vsixManifest.matchAll(/<Asset\b[^>]*\bPath="([^"]+)"/g)].map((match) => match[1]);
        assert.ok(assets.includes('overview.md') && assets.includes('LICENSE'), assets.join(', '));
        const manifest = loadProject().manifest;
        const named = [...assets, ...Object.values(manifest.icons ?? {}), ...(manifest.files ?? []).map((file) => file.path)];
        for (const file of named) {
            assert.ok(fs.existsSync(path.join(unpacked, file)), `${file} is named but not in the VSIX`);
        }
        const all = listFiles(unpacked).map((file) => file.split(path.sep).join('/'));
        assert.deepEqual(all.filter((file) => /\.(ts|map)$|(^|\/)(src|test|Tests)\//.test(file)), []);
    });

    it('bundles task-lib exactly once', () => {
        assert.equal(countOccurrences(fs.readFileSync(path.join(taskDirectory, 'dist', 'index.js'), 'utf8'), TASK_LIB_MARKER), 1);
    });

    describe('the unpacked task, run by the agent against the emulator', () => {
        let previousTaskUnderTest: string | undefined;
        let scenario: Scenario | undefined;
        let agentTemp: string | undefined;

        before(() => {
            for (let folder = path.dirname(taskDirectory); folder !== path.dirname(folder); folder = path.dirname(folder)) {
                assert.equal(fs.existsSync(path.join(folder, 'node_modules')), false, `${folder} has node_modules, which the task could load from`);
            }
            previousTaskUnderTest = process.env.TASK_UNDER_TEST;
            process.env.TASK_UNDER_TEST = path.join(taskDirectory, 'dist', 'index.js');
        });

        after(() => {
            if (previousTaskUnderTest === undefined) {
                delete process.env.TASK_UNDER_TEST;
            } else {
                process.env.TASK_UNDER_TEST = previousTaskUnderTest;
            }
        });

        afterEach(async () => {
            await scenario?.stop();
            scenario = undefined;
            if (agentTemp) {
                fs.rmSync(agentTemp, { recursive: true, force: true });
                agentTemp = undefined;
            }
        });

        const files: Record<string, Buffer | string> = {
            'notes.txt': 'release notes\n\u00e9t\u00e9 \u2713\n',
            'big.bin': binaryContent(2 * MiB + 5, 11),
        };

        async function uploadBoth(variables: Record<string, string> = {}) {
            scenario = await Scenario.start();
            for (const [name, content] of Object.entries(files)) {
                scenario.artifacts.write(name, content);
            }
            const run = await scenario.run({ contents: '*', chunkSizeMB: '1' }, { variables });
            agentTemp = run.tempDirectory;
            assert.equal(run.result, 'Succeeded', run.stdout + run.stderr);
            await assertServerHoldsExactly(scenario, files);
            assert.deepEqual(attachmentsOutput(run).map((entry) => [entry.name, entry.uploadType]), [['big.bin', 'chunked'], ['notes.txt', 'simple']]);
            return run;
        }

        it('uploads a chunked and a simple file byte for byte, in localized words, keeping its vault key out of its folder', async () => {
            const run = await uploadBoth();

            assert.match(run.visibleOutput, /^Uploaded big\.bin \(/m, 'the FileUploaded message, looked up in the unpacked task.json');
            assert.doesNotMatch(run.stdout, /FileUploaded|Can't find loc string|Resource file haven't been set/);
            assert.ok(fs.existsSync(path.join(run.tempDirectory, '.taskkey')), 'task-lib keeps its vault key in Agent.TempDirectory');
            assert.deepEqual(listFiles(taskDirectory).filter((file) => path.basename(file) === '.taskkey'), []);
        });

        it("goes through the agent's proxy", async () => {
            const proxy = await ForwardProxy.start();
            try {
                await uploadBoth({ 'Agent.ProxyUrl': proxy.url });

                const emulator = new URL(scenario!.emulator.collectionUrl).host;
                const tunnels = proxy.requests.filter((request) => request.kind === 'connect' && request.status === 200).map((request) => request.target);
                assert.ok(tunnels.includes(emulator), `tunnels: ${tunnels.join(', ')}`);
                assert.deepEqual(proxy.requests.filter((request) => request.status !== 200), []);
            } finally {
                await proxy.stop();
            }
        });
    });
});
