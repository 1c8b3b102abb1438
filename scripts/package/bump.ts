import * as fs from 'fs';
import * as path from 'path';
import { MANIFEST_FILE, REPO_ROOT, loadProject, taskVersionText } from './project';
import { nextVersion, withManifestVersion, withTaskVersion } from './versions';

const USAGE = 'Usage: npm run version:bump -- major|minor|patch|<x.y.z>';

/** Sets vss-extension.json's version and every task.json's version to one new value; returns it. */
export function bumpVersions(bump: string, root: string = REPO_ROOT): string {
    const project = loadProject(root);
    const current = project.manifest.version;
    const disagreeing = project.tasks.filter((task) => taskVersionText(task.taskJson.version) !== current);
    if (disagreeing.length > 0 && !/^\d+\.\d+\.\d+$/.test(bump)) {
        const versions = disagreeing.map((task) => `${task.folder} is ${taskVersionText(task.taskJson.version)}`).join(', ');
        throw new Error(`The versions disagree (vss-extension.json is ${current}; ${versions}): give the new version explicitly, as x.y.z.`);
    }
    const version = nextVersion(current, bump);
    const rewrite = (file: string, edit: (text: string, version: string) => string) => {
        const full = path.join(root, file);
        fs.writeFileSync(full, edit(fs.readFileSync(full, 'utf8'), version));
    };
    rewrite(MANIFEST_FILE, withManifestVersion);
    project.tasks.forEach((task) => rewrite(`${task.folder}/task.json`, withTaskVersion));
    return version;
}

if (require.main === module) {
    try {
        const [bump, ...rest] = process.argv.slice(2);
        if (!bump || rest.length > 0) {
            throw new Error(USAGE);
        }
        const before = loadProject().manifest.version;
        const after = bumpVersions(bump);
        console.log(`Version ${before} -> ${after}: ${MANIFEST_FILE} and every tasks/*/task.json.`);
        if (after.split('.')[0] !== before.split('.')[0]) {
            console.warn(
                `A new major version changes how pipelines reference the task (@${before.split('.')[0]} -> @${after.split('.')[0]}): ` +
                    'once it is installed, pipelines that still name the old major fail until they are updated.',
            );
        }
    } catch (error) {
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    }
}
