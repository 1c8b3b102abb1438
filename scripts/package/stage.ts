import * as fs from 'fs';
import * as path from 'path';
import { TASK_LIB_MARKER, TASK_LIB_PACKAGE, bundledPackages, countOccurrences, readMetafile } from './bundle';
import { thirdPartyNotices } from './notices';
import { MANIFEST_FILE, readJson, type Project, type TaskFolder } from './project';
import { withRepositoryLinks, type RepositoryLinks } from './repository';

export const NOTICES_FILE = 'ThirdPartyNotices.txt';

export interface StagedTask {
    readonly task: TaskFolder;
    /** The copy in the staging folder. */
    readonly directory: string;
}

/**
 * Copies into `stagingRoot` exactly what the VSIX holds: the manifest (with the repository's links) and the files it
 * names, and of each task folder only task.json, icon.png, Strings/ and the bundled handler targets, plus a
 * ThirdPartyNotices.txt. tfx then packs the staging folder, so src/, node_modules, maps and a stray .taskkey can never
 * reach the VSIX. A `files` entry that is not a task folder (the overview's pictures) is copied as it is.
 */
export function stageExtension(project: Project, stagingRoot: string, links: RepositoryLinks): StagedTask[] {
    const { root, manifest } = project;
    fs.rmSync(stagingRoot, { recursive: true, force: true });
    fs.mkdirSync(stagingRoot, { recursive: true });
    const copy = (relative: string) => {
        const target = path.join(stagingRoot, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(root, relative), target);
    };
    const manifestJson = withRepositoryLinks(readJson(path.join(root, MANIFEST_FILE)) as Record<string, unknown>, links);
    fs.writeFileSync(path.join(stagingRoot, MANIFEST_FILE), `${JSON.stringify(manifestJson, null, 2)}\n`);
    Object.values(manifest.icons ?? {}).forEach(copy);
    Object.values(manifest.content ?? {}).forEach((entry) => copy(entry.path));

    const staged: StagedTask[] = [];
    for (const file of manifest.files ?? []) {
        const task = project.tasks.find((candidate) => candidate.folder === file.path);
        if (task) {
            staged.push(stageTask(project, task, path.join(stagingRoot, task.folder)));
        } else if (fs.existsSync(path.join(root, file.path)) && fs.statSync(path.join(root, file.path)).isFile()) {
            copy(file.path);
        } else {
            throw new Error(`vss-extension.json: files entry '${file.path}' is neither a task folder nor a file.`);
        }
    }
    return staged;
}

function stageTask(project: Project, task: TaskFolder, directory: string): StagedTask {
    const source = path.join(project.root, task.folder);
    const copy = (relative: string) => {
        const target = path.join(directory, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(source, relative), target);
    };
    copy('task.json');
    copy('icon.png');
    resourceFiles(source).forEach(copy);
    const targets = handlerTargets(task);
    for (const target of targets) {
        if (!fs.existsSync(path.join(source, target))) {
            throw new Error(`${task.folder}/${target} is missing: it is a handler target in task.json; run \`npm run build\` first.`);
        }
        copy(target);
    }

    const metafile = readMetafile(project.root, task);
    const legal = Object.keys(metafile.outputs).find((output) => output.endsWith('.LEGAL.txt'));
    const legalComments = legal && fs.existsSync(path.join(project.root, legal)) ? fs.readFileSync(path.join(project.root, legal), 'utf8') : '';
    fs.writeFileSync(path.join(directory, NOTICES_FILE), thirdPartyNotices(project.root, task.taskJson.name, bundledPackages(project.root, metafile), legalComments));
    return { task, directory };
}

/** `Strings/resources.resjson/<culture>/resources.resjson`, the only files task-lib reads from Strings/. */
function resourceFiles(taskDirectory: string): string[] {
    const strings = path.join('Strings', 'resources.resjson');
    if (!fs.existsSync(path.join(taskDirectory, strings))) {
        return [];
    }
    return fs
        .readdirSync(path.join(taskDirectory, strings))
        .map((culture) => path.join(strings, culture, 'resources.resjson'))
        .filter((file) => fs.existsSync(path.join(taskDirectory, file)));
}

/** Each handler's `target`, once: Node20_1 and Node24 share dist/index.js. */
export function handlerTargets(task: TaskFolder): string[] {
    return [...new Set(Object.values(task.taskJson.execution ?? {}).map((handler) => path.normalize(handler.target)))];
}

/**
 * What the agent needs to find in the staged task, checked on the copy that ships: every handler target, one
 * JavaScript file per target and nothing else to load, no node_modules, no .taskkey, and task-lib exactly once
 * (two copies break the vault that holds the inputs and secrets).
 */
export function checkStagedTask(project: Project, staged: StagedTask): string[] {
    const { task, directory } = staged;
    const problems: string[] = [];
    const files = listFiles(directory);
    const targets = handlerTargets(task);
    if (targets.length === 0) {
        problems.push(`${task.folder}/task.json: execution lists no handler.`);
    }
    for (const target of targets) {
        if (!files.includes(target)) {
            problems.push(`${task.folder}/${target}: a handler target, is not in the package.`);
        }
    }
    for (const file of files) {
        const segments = file.split(path.sep);
        if (/\.(c|m)?js$/i.test(file) && !targets.includes(file)) {
            problems.push(`${task.folder}/${file}: a JavaScript file that no handler targets; the bundle should be one file per target.`);
        }
        if (segments.includes('node_modules') || segments.includes('.taskkey') || /\.(map|ts)$/i.test(file)) {
            problems.push(`${task.folder}/${file}: must not be packaged.`);
        }
    }

    const metafile = readMetafile(project.root, task);
    const taskLibCopies = bundledPackages(project.root, metafile).filter((bundled) => bundled.name === TASK_LIB_PACKAGE);
    if (taskLibCopies.length !== 1) {
        problems.push(`${task.folder}: the bundle holds ${taskLibCopies.length} copies of ${TASK_LIB_PACKAGE} (${taskLibCopies.map((copy) => copy.directory).join(', ')}); it needs exactly one.`);
    }
    for (const target of targets.filter((candidate) => files.includes(candidate))) {
        const code = fs.readFileSync(path.join(directory, target), 'utf8');
        const copies = countOccurrences(code, TASK_LIB_MARKER);
        if (copies !== 1) {
            problems.push(`${task.folder}/${target}: holds ${TASK_LIB_PACKAGE} ${copies} times; it needs exactly one.`);
        }
        const built = metafile.outputs[`${task.folder}/${target.split(path.sep).join('/')}`];
        if (!built || built.bytes !== Buffer.byteLength(code)) {
            problems.push(`${task.folder}/${target}: is not the file the last \`npm run build\` bundled; run it again.`);
        }
    }
    return problems;
}

/** Every file under `directory`, relative to it, sorted. */
export function listFiles(directory: string): string[] {
    return fs
        .readdirSync(directory, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
        .sort();
}
