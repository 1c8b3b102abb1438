import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_FILE, REPO_ROOT, loadProject, taskVersionText, type TaskFolder } from './project';
import { compareVersions, nextVersion, parseVersion, withManifestVersion, withTaskVersion } from './versions';

const USAGE = 'Usage: npm run version:bump -- major|minor|patch|<x.y.z>';

export interface BumpResult {
    readonly before: string;
    readonly after: string;
    /** Every file rewritten, relative to the repository root, with forward slashes. */
    readonly files: string[];
}

/** The major version a task folder is for, from its name (`...V2` is 2); undefined for a folder without one. */
export function folderMajor(task: TaskFolder): number | undefined {
    const match = /V(\d+)$/.exec(task.folder);
    return match ? Number(match[1]) : undefined;
}

/**
 * Sets one new version on vss-extension.json, package.json (and package-lock.json) and every task.json of the current
 * major version. A task folder of an older major (`...V1` beside `...V2`) keeps its version: pipelines that still name
 * `@1` run it. A version lower than the current one is refused, and so is a new major version without a task folder
 * for it (the error says how to make one).
 */
export function bumpVersions(bump: string, root: string = REPO_ROOT): BumpResult {
    const project = loadProject(root);
    const current = project.manifest.version;
    const [currentMajor] = parseVersion(current);
    const currentLine = project.tasks.filter((task) => (folderMajor(task) ?? currentMajor) >= currentMajor);
    const disagreeing = currentLine.filter((task) => taskVersionText(task.taskJson.version) !== current);
    const explicit = /^\d+\.\d+\.\d+$/.test(bump.trim());
    if (disagreeing.length > 0 && !explicit) {
        const versions = disagreeing.map((task) => `${task.folder} is ${taskVersionText(task.taskJson.version)}`).join(', ');
        throw new Error(`The versions disagree (vss-extension.json is ${current}; ${versions}): give the new version explicitly, as x.y.z.`);
    }
    const version = nextVersion(current, bump);
    const highest = [current, ...currentLine.map((task) => taskVersionText(task.taskJson.version))].sort(compareVersions).pop() ?? current;
    if (compareVersions(version, highest) < 0) {
        throw new Error(`${version} is lower than the current version ${highest}: the Marketplace and the agents only take a higher one.`);
    }
    if (compareVersions(version, current) === 0 && disagreeing.length === 0) {
        throw new Error(`${version} is already the version: the Marketplace does not take the same version twice. Bump patch, minor or major.`);
    }

    const [major] = parseVersion(version);
    let tasks = currentLine;
    if (major > currentMajor) {
        tasks = project.tasks.filter((task) => folderMajor(task) === major);
        if (tasks.length === 0) {
            throw new Error(newMajorSteps(project.tasks, currentMajor, major));
        }
    }

    const files: string[] = [];
    const rewrite = (file: string, edit: (text: string) => string) => {
        const full = path.join(root, file);
        fs.writeFileSync(full, edit(fs.readFileSync(full, 'utf8')));
        files.push(file);
    };
    rewrite(MANIFEST_FILE, (text) => withManifestVersion(text, version));
    if (fs.existsSync(path.join(root, 'package.json'))) {
        rewrite('package.json', (text) => withManifestVersion(text, version));
    }
    if (fs.existsSync(path.join(root, 'package-lock.json'))) {
        // npm writes its lock file as 2-space JSON, so writing it back that way changes only the two version lines.
        rewrite('package-lock.json', (text) => {
            const lock = JSON.parse(text) as { version?: string; packages?: Record<string, { version?: string }> };
            lock.version = version;
            if (lock.packages?.['']) {
                lock.packages[''].version = version;
            }
            return `${JSON.stringify(lock, null, 2)}\n`;
        });
    }
    tasks.forEach((task) => rewrite(`${task.folder}/task.json`, (text) => withTaskVersion(text, version)));
    return { before: current, after: version, files };
}

/**
 * Why a new major version needs a new task folder, and how to make one. Pipelines name a task by its major version
 * (`@1`); an installed extension replaces every task it ships, so a task folder moved to 2.0.0 would break every
 * pipeline that still says `@1`. Microsoft's own tasks ship `...V1` and `...V2` side by side for that reason.
 */
export function newMajorSteps(tasks: readonly TaskFolder[], from: number, to: number): string {
    const old = tasks.find((task) => folderMajor(task) === from)?.folder ?? `tasks/<Task>V${from}`;
    const next = old.replace(/V\d+$/, `V${to}`);
    return [
        `A new major version (${from} -> ${to}) is a new task folder, shipped beside the old one:`,
        `pipelines name the task by its major version (@${from}), and moving ${old} to ${to}.0.0 would break every pipeline`,
        `that still says @${from} as soon as the extension is updated. No file was changed. To ship @${to}:`,
        `  1. Copy ${old} to ${next} (keep the task id: the agent tells the two apart by their major version),`,
        `     and make the breaking change there only.`,
        `  2. In vss-extension.json add { "path": "${next}" } to files and a ms.vss-distributed-task.task contribution`,
        `     whose properties.name is "${next}".`,
        `  3. Bundle ${next}/src/index.ts to ${next}/dist/index.js in scripts/bundle.js, as for ${old}.`,
        `  4. Run npm run version:bump -- major again: it sets ${to}.0.0 on the extension, package.json and ${next}, and`,
        `     leaves ${old} at its version, so @${from} pipelines keep working until their authors move to @${to}.`,
        '  5. Add a changelog for the new major version that says what changed and how to move.',
    ].join('\n');
}

if (require.main === module) {
    try {
        const [bump, ...rest] = process.argv.slice(2);
        if (!bump || rest.length > 0) {
            throw new Error(USAGE);
        }
        const { before, after, files } = bumpVersions(bump);
        console.log(`Version ${before} -> ${after}: ${files.join(', ')}.`);
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    }
}
