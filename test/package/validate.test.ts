import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TASK_LIB_MARKER, countOccurrences } from '../../scripts/package/bundle';
import { parsePackageArguments } from '../../scripts/package/cli';
import { PackagingError, packageExtension } from '../../scripts/package/packageExtension';
import { PUBLISHER_PLACEHOLDER, REPO_ROOT, loadProject, type Project, type TaskJson } from '../../scripts/package/project';
import { REPOSITORY_PLACEHOLDER, repositoryLinks } from '../../scripts/package/repository';
import { SHARED_TASK_SCHEMA_FILE, TASK_SCHEMA_FILE, checkOverviewPictures, checkProject, createTaskValidator, missingSharedSchemaFailure } from '../../scripts/package/validate';

const TASK_FOLDER = 'tasks/UploadWorkItemAttachmentsV1';
const REPOSITORY = 'https://github.com/fabrikam/upload-work-item-attachments';

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

        it('fails, rather than skips, the comparison when ../shared is missing under CI=true', () => {
            assert.match(missingSharedSchemaFailure({ CI: 'true' }) ?? '', /tasks\.schema\.json is missing and CI=true/);
            assert.match(missingSharedSchemaFailure({ CI: 'TRUE' }) ?? '', /CI=true/);
            assert.equal(missingSharedSchemaFailure({}), undefined);
            assert.equal(missingSharedSchemaFailure({ CI: 'false' }), undefined);
        });

        it('rejects something that is not an object', () => {
            assert.deepEqual(validate([]), ['(root) must be object']);
        });

        it('uses a schema identical to ../shared/reference/tasks.schema.json (which CI must provide)', function () {
            if (!fs.existsSync(SHARED_TASK_SCHEMA_FILE)) {
                const failure = missingSharedSchemaFailure(process.env);
                if (failure) {
                    assert.fail(failure);
                }
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
                `overview.md: shows 'images/summary.png', but vss-extension.json has no files entry { "path": "images/summary.png", "addressable": true }, so the page would show a broken picture.`,
                "vss-extension.json: contribution 'ghost' names 'tasks/GhostV1', which is not a task folder.",
            ]);
        });

        it('fails packaging on an invalid task.json before writing or deleting any VSIX', async () => {
            const root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-broken-project-'));
            try {
                for (const file of ['vss-extension.json', 'overview.md', 'images/summary.png']) {
                    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                    fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
                }
                const taskJson = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, TASK_FOLDER, 'task.json'), 'utf8'));
                taskJson.execution = { Node20: { target: 'dist/index.js' } };
                fs.mkdirSync(path.join(root, TASK_FOLDER), { recursive: true });
                fs.writeFileSync(path.join(root, TASK_FOLDER, 'task.json'), JSON.stringify(taskJson, null, 2));
                const outputDir = path.join(root, 'dist');
                fs.mkdirSync(outputDir);
                fs.writeFileSync(path.join(outputDir, 'older.vsix'), 'older');

                await assert.rejects(packageExtension({ publisher: 'test-publisher', repository: REPOSITORY, root, outputDir, stagingDir: path.join(root, 'staging') }), (error: unknown) => {
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
        const repo = { VSIX_REPOSITORY: REPOSITORY };

        it('comes from --publisher NAME or --publisher=NAME, ahead of VSIX_PUBLISHER', () => {
            assert.equal(parsePackageArguments(['--publisher', 'fabrikam'], repo).publisher, 'fabrikam');
            assert.equal(parsePackageArguments(['--publisher=fabrikam-tools'], { ...repo, VSIX_PUBLISHER: 'other' }).publisher, 'fabrikam-tools');
        });

        it('comes from VSIX_PUBLISHER when no argument names it', () => {
            assert.equal(parsePackageArguments([], { ...repo, VSIX_PUBLISHER: 'contoso' }).publisher, 'contoso');
        });

        it('is required, naming the flag and the variable', () => {
            assert.throws(() => parsePackageArguments([], repo), /^Error: No publisher: .*--publisher <id> or VSIX_PUBLISHER=<id>\.\nUsage: npm run package -- --publisher/);
            assert.throws(() => parsePackageArguments(['--publisher'], repo), /^Error: No publisher/);
        });

        it('is refused as the placeholder, in those words, when it is the one in vss-extension.json', () => {
            for (const [argv, env] of [[['--publisher', PUBLISHER_PLACEHOLDER], repo], [[], { ...repo, VSIX_PUBLISHER: PUBLISHER_PLACEHOLDER }]] as const) {
                assert.throws(
                    () => parsePackageArguments(argv, env),
                    /^Error: Publisher 'your-publisher-id' is the placeholder in vss-extension\.json, not a publisher\. .*--publisher <id> or VSIX_PUBLISHER=<id>/,
                );
            }
        });

        it('must look like a Marketplace publisher ID, and unknown arguments are refused', () => {
            assert.throws(() => parsePackageArguments(['--publisher', 'my publisher'], repo), /is not a Marketplace publisher ID/);
            assert.throws(() => parsePackageArguments(['--publisher', 'x', '--share-with', 'org'], repo), /Unknown argument '--share-with'/);
        });
    });

    describe('the repository', () => {
        const publisher = { VSIX_PUBLISHER: 'fabrikam' };

        it('comes from --repository, ahead of VSIX_REPOSITORY, ahead of package.json, as a web address', () => {
            const fromPackageJson = 'git+https://github.com/from/package-json.git';
            assert.equal(parsePackageArguments(['--repository', `${REPOSITORY}.git`], { ...publisher, VSIX_REPOSITORY: 'https://github.com/env/x' }, fromPackageJson).repository, REPOSITORY);
            assert.equal(parsePackageArguments([`--repository=${REPOSITORY}/`], publisher, fromPackageJson).repository, REPOSITORY);
            assert.equal(parsePackageArguments([], { ...publisher, VSIX_REPOSITORY: 'https://github.com/env/x' }, fromPackageJson).repository, 'https://github.com/env/x');
            assert.equal(parsePackageArguments([], publisher, fromPackageJson).repository, 'https://github.com/from/package-json');
            assert.equal(parsePackageArguments([], publisher, 'github:owner/name').repository, 'https://github.com/owner/name');
        });

        it("drops a user name from an Azure Repos address, as Build.Repository.Uri has it", () => {
            const uri = 'https://fabrikam@dev.azure.com/fabrikam/Tools/_git/upload-work-item-attachments';
            assert.equal(parsePackageArguments([], { ...publisher, VSIX_REPOSITORY: uri }).repository, 'https://dev.azure.com/fabrikam/Tools/_git/upload-work-item-attachments');
        });

        it('is required, naming the flag, the variable and package.json', () => {
            assert.throws(() => parsePackageArguments([], publisher), /^Error: No repository: .*--repository <url> or VSIX_REPOSITORY=<url>, or set "repository" in package\.json/);
        });

        it('is refused as the placeholder, in those words, wherever it comes from', () => {
            const placeholder = loadProject().manifest as unknown as { repository: { uri: string } };
            assert.equal(placeholder.repository.uri, REPOSITORY_PLACEHOLDER, 'vss-extension.json holds the placeholder this test refuses');
            for (const [argv, env, packageJson] of [
                [['--repository', REPOSITORY_PLACEHOLDER], publisher, undefined],
                [[], { ...publisher, VSIX_REPOSITORY: `${REPOSITORY_PLACEHOLDER}.git` }, undefined],
                [[], publisher, `git+${REPOSITORY_PLACEHOLDER}.git`],
            ] as const) {
                assert.throws(
                    () => parsePackageArguments(argv, env, packageJson),
                    /^Error: Repository '.*' is the placeholder in vss-extension\.json, not a repository\. .*--repository <url> or VSIX_REPOSITORY=<url>/,
                );
            }
        });

        it('must be an https web address', () => {
            assert.throws(() => parsePackageArguments(['--repository', 'git@github.com:fabrikam/x.git'], publisher), /is not a URL/);
            assert.throws(() => parsePackageArguments(['--repository', 'http://github.com/fabrikam/x'], publisher), /is not an https web address/);
        });

        it('gives a GitHub repository its issues and license links, and any other host the repository link only', () => {
            assert.deepEqual(repositoryLinks(REPOSITORY), { repository: REPOSITORY, issues: `${REPOSITORY}/issues`, license: `${REPOSITORY}/blob/main/LICENSE` });
            assert.deepEqual(repositoryLinks('https://dev.azure.com/f/T/_git/x'), { repository: 'https://dev.azure.com/f/T/_git/x' });
        });

        it('is refused by packaging itself when it is the placeholder, before anything is written', async () => {
            const outputDir = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-placeholder-'));
            try {
                await assert.rejects(packageExtension({ publisher: 'fabrikam', repository: REPOSITORY_PLACEHOLDER, outputDir, stagingDir: path.join(outputDir, 'staging') }), (error: unknown) => {
                    assert.ok(error instanceof PackagingError);
                    assert.deepEqual(error.problems, [`repository '${REPOSITORY_PLACEHOLDER}' is the placeholder; give your repository's web address.`]);
                    return true;
                });
                assert.deepEqual(fs.readdirSync(outputDir), []);
            } finally {
                fs.rmSync(outputDir, { recursive: true, force: true });
            }
        });
    });

    describe("the overview's pictures", () => {
        it('are each shipped as an addressable file', () => {
            assert.deepEqual(checkOverviewPictures(loadProject()), []);
        });

        it('are named when the manifest does not ship them, or they do not exist', () => {
            const project = loadProject();
            const shipped = (project.manifest.files ?? []).filter((entry) => entry.addressable);
            assert.ok(shipped.length > 0, 'the overview shows at least one picture');
            const manifest = { ...project.manifest, files: (project.manifest.files ?? []).filter((entry) => !entry.addressable) };

            const problems = checkOverviewPictures({ ...project, manifest });

            assert.deepEqual(
                problems,
                shipped.map((entry) => `overview.md: shows '${entry.path}', but vss-extension.json has no files entry { "path": "${entry.path}", "addressable": true }, so the page would show a broken picture.`),
            );
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
