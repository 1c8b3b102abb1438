import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TASK_LIB_MARKER, countOccurrences } from '../../scripts/package/bundle';
import { parsePackageArguments } from '../../scripts/package/cli';
import { PackagingError, packageExtension } from '../../scripts/package/packageExtension';
import { PUBLISHER_PLACEHOLDER, REPO_ROOT, loadProject, type Project, type TaskJson } from '../../scripts/package/project';
import { SHARED_TASK_SCHEMA_FILE, TASK_SCHEMA_FILE, checkProject, createTaskValidator } from '../../scripts/package/validate';

const TASK_FOLDER = 'tasks/UploadWorkItemAttachmentsV1';

describe('packaging: validation before anything is packed', () => {
    const validate = createTaskValidator();

    describe('task.json against tasks.schema.json', () => {
        it('accepts the task.json in the repository', () => {
            assert.deepEqual(validate(loadProject().tasks[0].taskJson), []);
        });

        it('rejects a bad id, an unknown handler key, a missing Patch, a name with a space and an unknown property', () => {
            const broken = structuredClone(loadProject().tasks[0].taskJson) as unknown as Record<string, any>;
            broken.id = 'not-a-guid';
            broken.name = 'Upload Attachments';
            broken.execution.Node20 = { target: 'dist/index.js' };
            delete broken.version.Patch;
            broken.handlers = {};

            const problems = validate(broken);

            assert.ok(problems.some((problem) => problem.startsWith('/id must match pattern')), problems.join('\n'));
            assert.ok(problems.some((problem) => problem.startsWith('/name must match pattern')), problems.join('\n'));
            assert.ok(problems.includes("/execution must NOT have additional properties 'Node20'"), problems.join('\n'));
            assert.ok(problems.includes("/version must have required property 'Patch'"), problems.join('\n'));
            assert.ok(problems.includes("(root) must NOT have additional properties 'handlers'"), problems.join('\n'));
        });

        it('rejects something that is not an object', () => {
            assert.deepEqual(validate([]), ['(root) must be object']);
        });

        it('uses a schema identical to ../shared/reference/tasks.schema.json', function () {
            if (!fs.existsSync(SHARED_TASK_SCHEMA_FILE)) {
                this.skip();
            }
            assert.deepEqual(JSON.parse(fs.readFileSync(TASK_SCHEMA_FILE, 'utf8')), JSON.parse(fs.readFileSync(SHARED_TASK_SCHEMA_FILE, 'utf8')));
        });
    });

    describe('the project as a whole', () => {
        const withTask = (project: Project, change: (task: Record<string, any>) => void): Project => {
            const taskJson = structuredClone(project.tasks[0].taskJson) as unknown as Record<string, any>;
            change(taskJson);
            return { ...project, tasks: [{ folder: project.tasks[0].folder, taskJson: taskJson as unknown as TaskJson }] };
        };

        it('finds nothing wrong with the repository', () => {
            assert.deepEqual(checkProject(loadProject(), validate), []);
        });

        it('names the file and the fix when a task version differs from the extension version', () => {
            const project = withTask(loadProject(), (task) => (task.version.Patch += 1));

            const problems = checkProject(project, validate);

            assert.equal(problems.length, 1, problems.join('\n'));
            assert.match(problems[0], new RegExp(`^${TASK_FOLDER}/task.json: version is \\d+\\.\\d+\\.\\d+, but vss-extension.json's is`));
            assert.match(problems[0], /npm run version:bump/);
        });

        it('prefixes schema problems with the task.json they are in', () => {
            const problems = checkProject(withTask(loadProject(), (task) => (task.id = 'x')), validate);
            assert.ok(problems.some((problem) => problem.startsWith(`${TASK_FOLDER}/task.json: /id must match pattern`)), problems.join('\n'));
        });

        it('requires a task contribution and a files entry for every task folder, and a task folder for every task contribution', () => {
            const project = loadProject();
            const manifest = {
                ...project.manifest,
                files: [],
                contributions: [{ id: 'ghost', type: 'ms.vss-distributed-task.task', properties: { name: 'tasks/GhostV1' } }],
            };

            const problems = checkProject({ ...project, manifest }, validate);

            assert.deepEqual(problems, [
                `vss-extension.json: no ms.vss-distributed-task.task contribution has properties.name '${TASK_FOLDER}'.`,
                `vss-extension.json: no entry in files has path '${TASK_FOLDER}', so the task would not be in the VSIX.`,
                "vss-extension.json: contribution 'ghost' names 'tasks/GhostV1', which is not a task folder.",
            ]);
        });

        it('fails packaging on an invalid task.json before writing or deleting any VSIX', async () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-broken-project-'));
            try {
                fs.copyFileSync(path.join(REPO_ROOT, 'vss-extension.json'), path.join(root, 'vss-extension.json'));
                const taskJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, TASK_FOLDER, 'task.json'), 'utf8'));
                taskJson.execution = { Node20: { target: 'dist/index.js' } };
                fs.mkdirSync(path.join(root, TASK_FOLDER), { recursive: true });
                fs.writeFileSync(path.join(root, TASK_FOLDER, 'task.json'), JSON.stringify(taskJson, null, 2));
                const outputDir = path.join(root, 'dist');
                fs.mkdirSync(outputDir);
                fs.writeFileSync(path.join(outputDir, 'older.vsix'), 'older');

                await assert.rejects(packageExtension({ publisher: 'test-publisher', root, outputDir, stagingDir: path.join(root, 'staging') }), (error: unknown) => {
                    assert.ok(error instanceof PackagingError);
                    assert.deepEqual(error.problems, [`${TASK_FOLDER}/task.json: /execution must NOT have additional properties 'Node20'`]);
                    return true;
                });
                assert.deepEqual(fs.readdirSync(outputDir), ['older.vsix']);
                assert.equal(fs.existsSync(path.join(root, 'staging')), false);
            } finally {
                fs.rmSync(root, { recursive: true, force: true });
            }
        });
    });

    describe('the publisher', () => {
        it('comes from --publisher NAME or --publisher=NAME, ahead of VSIX_PUBLISHER', () => {
            assert.deepEqual(parsePackageArguments(['--publisher', 'fabrikam'], {}), { publisher: 'fabrikam' });
            assert.deepEqual(parsePackageArguments(['--publisher=fabrikam-tools'], { VSIX_PUBLISHER: 'other' }), { publisher: 'fabrikam-tools' });
        });

        it('comes from VSIX_PUBLISHER when no argument names it', () => {
            assert.deepEqual(parsePackageArguments([], { VSIX_PUBLISHER: 'contoso' }), { publisher: 'contoso' });
        });

        it('is required, and the placeholder in vss-extension.json does not count', () => {
            assert.throws(() => parsePackageArguments([], {}), /No publisher.*\n.*npm run package -- --publisher/);
            assert.throws(() => parsePackageArguments(['--publisher', PUBLISHER_PLACEHOLDER], {}), /No publisher/);
            assert.throws(() => parsePackageArguments(['--publisher'], {}), /No publisher/);
        });

        it('must look like a Marketplace publisher ID, and unknown arguments are refused', () => {
            assert.throws(() => parsePackageArguments(['--publisher', 'my publisher'], {}), /is not a Marketplace publisher ID/);
            assert.throws(() => parsePackageArguments(['--publisher', 'x', '--share-with', 'org'], {}), /Unknown argument '--share-with'/);
        });
    });

    describe('the task-lib marker the bundle check counts', () => {
        it('occurs once in task-lib, in internal.js, so each copy of task-lib in a bundle adds one', () => {
            const taskLib = path.dirname(require.resolve('azure-pipelines-task-lib/package.json'));
            const counts = fs
                .readdirSync(taskLib)
                .filter((name) => name.endsWith('.js'))
                .map((name) => [name, countOccurrences(fs.readFileSync(path.join(taskLib, name), 'utf8'), TASK_LIB_MARKER)] as const)
                .filter(([, count]) => count > 0);
            assert.deepEqual(counts, [['internal.js', 1]]);
        });
    });
});
