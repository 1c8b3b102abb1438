import * as fs from 'fs';
import * as path from 'path';

/** The repository root: this file compiles to build/scripts/package/. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
export const MANIFEST_FILE = 'vss-extension.json';
/** The publisher written in vss-extension.json; `npm run package -- --publisher NAME` replaces it. */
export const PUBLISHER_PLACEHOLDER = 'your-publisher-id';
export const TASK_CONTRIBUTION_TYPE = 'ms.vss-distributed-task.task';

export interface TaskVersion {
    readonly Major: number;
    readonly Minor: number;
    readonly Patch: number;
}

export interface TaskJson {
    readonly name: string;
    readonly version: TaskVersion;
    readonly execution?: Record<string, { readonly target: string }>;
}

export interface ManifestFile {
    readonly path: string;
    readonly packagePath?: string;
    /** Served by the Marketplace, as a picture the overview shows must be. */
    readonly addressable?: boolean;
}

export interface Contribution {
    readonly id: string;
    readonly type: string;
    readonly properties?: { readonly name?: string };
}

export interface ExtensionManifest {
    readonly id: string;
    readonly publisher: string;
    readonly version: string;
    readonly icons?: Record<string, string>;
    readonly content?: Record<string, { readonly path: string }>;
    readonly files?: readonly ManifestFile[];
    readonly contributions?: readonly Contribution[];
}

export interface TaskFolder {
    /** Relative to the repository root, with forward slashes, as vss-extension.json names it: `tasks/UploadWorkItemAttachmentsV1`. */
    readonly folder: string;
    /** As parsed; not yet validated. */
    readonly taskJson: TaskJson;
}

export interface Project {
    readonly root: string;
    readonly manifest: ExtensionManifest;
    readonly tasks: readonly TaskFolder[];
}

/** vss-extension.json and every tasks/<folder>/task.json of the repository at `root`. */
export function loadProject(root: string = REPO_ROOT): Project {
    const manifest = readJson(path.join(root, MANIFEST_FILE)) as ExtensionManifest;
    const tasksRoot = path.join(root, 'tasks');
    const tasks = fs
        .readdirSync(tasksRoot, { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(tasksRoot, entry.name, 'task.json')))
        .map((entry) => entry.name)
        .sort()
        .map((name) => ({ folder: `tasks/${name}`, taskJson: readJson(path.join(tasksRoot, name, 'task.json')) as TaskJson }));
    return { root, manifest, tasks };
}

/** JSON as the agent and tfx read it: a UTF-8 byte order mark is allowed. */
export function readJson(file: string): unknown {
    const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
    try {
        return JSON.parse(text);
    } catch (error) {
        throw new Error(`${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
}

export function taskVersionText(version: TaskVersion): string {
    return `${version.Major}.${version.Minor}.${version.Patch}`;
}

/** Where `npm run build` leaves esbuild's metafile for a task folder (see scripts/bundle.js). */
export function bundleMetafilePath(root: string, task: TaskFolder): string {
    return path.join(root, 'build', 'bundle', `${path.basename(task.folder)}.meta.json`);
}
