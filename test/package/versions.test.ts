import * as assert from 'assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bumpVersions } from '../../scripts/package/bump';
import { checkProject, createTaskValidator } from '../../scripts/package/validate';
import { REPO_ROOT, loadProject, taskVersionText } from '../../scripts/package/project';
import { nextVersion, withManifestVersion, withTaskVersion } from '../../scripts/package/versions';

const TASK_JSON = 'tasks/UploadWorkItemAttachmentsV1/task.json';

/** Lines of `after` that differ from `before`, which must have as many lines. */
function changedLines(before: string, after: string): string[] {
    const old = before.split('\n');
    const updated = after.split('\n');
    assert.equal(updated.length, old.length, 'the edit keeps the number of lines');
    return updated.filter((line, index) => line !== old[index]).map((line) => line.trim());
}

describe('packaging: one version for the extension and its tasks', () => {
    describe('nextVersion', () => {
        it('counts up patch, minor and major, resetting the parts after the one bumped', () => {
            assert.equal(nextVersion('1.4.9', 'patch'), '1.4.10');
            assert.equal(nextVersion('1.4.9', 'minor'), '1.5.0');
            assert.equal(nextVersion('1.4.9', 'major'), '2.0.0');
        });

        it('takes an explicit version as it is, without leading zeros', () => {
            assert.equal(nextVersion('1.4.9', '1.2.03'), '1.2.3');
        });

        it('refuses anything else', () => {
            assert.throws(() => nextVersion('1.0.0', 'next'), /'next' is not a version bump/);
            assert.throws(() => nextVersion('1.0.0', '1.2'), /'1.2' is not a version bump/);
            assert.throws(() => nextVersion('1.0', 'patch'), /'1.0' is not a version of the form Major.Minor.Patch/);
        });
    });

    describe('editing the files in place', () => {
        it('changes only the Major, Minor and Patch lines of task.json', () => {
            const text = fs.readFileSync(path.join(REPO_ROOT, TASK_JSON), 'utf8');

            const edited = withTaskVersion(text, '7.8.9');

            assert.deepEqual(JSON.parse(edited).version, { Major: 7, Minor: 8, Patch: 9 });
            assert.deepEqual(changedLines(text, edited), ['"Major": 7,', '"Minor": 8,', '"Patch": 9']);
        });

        it('changes only the version line of vss-extension.json', () => {
            const text = fs.readFileSync(path.join(REPO_ROOT, 'vss-extension.json'), 'utf8');

            const edited = withManifestVersion(text, '7.8.9');

            assert.deepEqual(changedLines(text, edited), ['"version": "7.8.9",']);
        });

        it('skips a nested object that looks like the version', () => {
            const text = '{ "inputs": [{ "version": { "Major": 1, "Minor": 0, "Patch": 0 } }], "version": { "Major": 1, "Minor": 0, "Patch": 0 } }';

            const edited = JSON.parse(withTaskVersion(text, '2.0.0'));

            assert.deepEqual(edited.version, { Major: 2, Minor: 0, Patch: 0 });
            assert.deepEqual(edited.inputs[0].version, { Major: 1, Minor: 0, Patch: 0 });
        });

        it('refuses to write an edit it cannot make exactly', () => {
            const text = '{ "version": { "Major": 1, "Minor": 0 } }';
            assert.throws(() => withTaskVersion(text, '2.0.0'), /Could not set the version/);
        });
    });

    describe('npm run version:bump', () => {
        let root: string;

        beforeEach(() => {
            root = fs.mkdtempSync(path.join(os.tmpdir(), 'uwia-bump-'));
            for (const file of ['vss-extension.json', 'package.json', 'package-lock.json', TASK_JSON]) {
                fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
                fs.copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
            }
        });

        afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

        it('sets the extension and every task to the same next version', () => {
            const current = loadProject(root).manifest.version;

            const { after: version } = bumpVersions('minor', root);

            assert.equal(version, nextVersion(current, 'minor'));
            const project = loadProject(root);
            assert.equal(project.manifest.version, version);
            assert.deepEqual(project.tasks.map((task) => taskVersionText(task.taskJson.version)), [version]);
        });

        it('needs an explicit version when the extension and a task disagree, and then sets both', () => {
            const taskFile = path.join(root, TASK_JSON);
            fs.writeFileSync(taskFile, withTaskVersion(fs.readFileSync(taskFile, 'utf8'), '1.0.5'));

            assert.throws(() => bumpVersions('patch', root), /The versions disagree .*give the new version explicitly/);
            assert.throws(() => bumpVersions('1.0.3', root), /1\.0\.3 is lower than the current version 1\.0\.5/);
            bumpVersions('1.1.0', root);

            const project = loadProject(root);
            assert.equal(project.manifest.version, '1.1.0');
            assert.equal(taskVersionText(project.tasks[0].taskJson.version), '1.1.0');
        });

        const packageVersions = () => {
            const lock = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8'));
            return [JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version, lock.version, lock.packages[''].version];
        };

        it('keeps package.json and package-lock.json in step, changing only their version lines', () => {
            const before = ['package.json', 'package-lock.json'].map((file) => fs.readFileSync(path.join(root, file), 'utf8'));
            const current = loadProject(root).manifest.version;

            const { after, files } = bumpVersions('patch', root);

            assert.equal(after, nextVersion(current, 'patch'));
            assert.deepEqual(packageVersions(), [after, after, after]);
            assert.deepEqual(files, ['vss-extension.json', 'package.json', 'package-lock.json', TASK_JSON]);
            assert.deepEqual(changedLines(before[0], fs.readFileSync(path.join(root, 'package.json'), 'utf8')), [`"version": "${after}",`]);
            assert.deepEqual(changedLines(before[1], fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')), [`"version": "${after}",`, `"version": "${after}",`]);
        });

        it('refuses a version lower than the current one, or the same one, and changes nothing', () => {
            bumpVersions('1.4.0', root);
            const snapshot = () => ['vss-extension.json', 'package.json', TASK_JSON].map((file) => fs.readFileSync(path.join(root, file), 'utf8'));
            const before = snapshot();

            assert.throws(() => bumpVersions('1.3.9', root), /^Error: 1\.3\.9 is lower than the current version 1\.4\.0/);
            assert.throws(() => bumpVersions('1.4.0', root), /^Error: 1\.4\.0 is already the version/);
            assert.deepEqual(snapshot(), before);
        });

        it('explains that a new major version is a new task folder, with the steps, and changes nothing while there is none', () => {
            const before = fs.readFileSync(path.join(root, TASK_JSON), 'utf8');

            for (const bump of ['major', '2.0.0']) {
                assert.throws(() => bumpVersions(bump, root), (error: Error) => {
                    assert.match(error.message, /^A new major version \(1 -> 2\) is a new task folder, shipped beside the old one/);
                    assert.match(error.message, /1\. Copy tasks\/UploadWorkItemAttachmentsV1 to tasks\/UploadWorkItemAttachmentsV2/);
                    assert.match(error.message, /vss-extension\.json add \{ "path": "tasks\/UploadWorkItemAttachmentsV2" \}/);
                    assert.match(error.message, /leaves tasks\/UploadWorkItemAttachmentsV1 at its version, so @1 pipelines keep working/);
                    return true;
                });
            }
            assert.equal(fs.readFileSync(path.join(root, TASK_JSON), 'utf8'), before);
            assert.equal(loadProject(root).manifest.version, '1.0.0');
        });

        it('with a V2 folder beside V1, sets 2.0.0 on the extension and V2, keeps V1 at 1.x, and packaging accepts both', () => {
            const v2 = TASK_JSON.replace('V1/', 'V2/');
            fs.mkdirSync(path.dirname(path.join(root, v2)), { recursive: true });
            fs.copyFileSync(path.join(root, TASK_JSON), path.join(root, v2));
            const manifestFile = path.join(root, 'vss-extension.json');
            const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
            manifest.files.push({ path: 'tasks/UploadWorkItemAttachmentsV2' });
            manifest.contributions.push({ ...manifest.contributions[0], id: 'v2', properties: { name: 'tasks/UploadWorkItemAttachmentsV2' } });
            fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));

            bumpVersions('major', root);
            bumpVersions('patch', root);

            const project = loadProject(root);
            assert.equal(project.manifest.version, '2.0.1');
            assert.deepEqual(project.tasks.map((task) => [task.folder, taskVersionText(task.taskJson.version)]), [
                ['tasks/UploadWorkItemAttachmentsV1', '1.0.0'],
                ['tasks/UploadWorkItemAttachmentsV2', '2.0.1'],
            ]);
            assert.deepEqual(packageVersions(), ['2.0.1', '2.0.1', '2.0.1']);
            const versionProblems = checkProject(project, createTaskValidator()).filter((problem) => /version/.test(problem));
            assert.deepEqual(versionProblems, []);
        });
    });
});
