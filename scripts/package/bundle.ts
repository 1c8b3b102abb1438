import * as fs from 'fs';
import * as path from 'path';
import { bundleMetafilePath, readJson, type TaskFolder } from './project';

/** The part of esbuild's metafile that packaging reads. */
export interface Metafile {
    readonly inputs: Record<string, { readonly bytes: number }>;
    readonly outputs: Record<string, { readonly bytes: number }>;
}

export interface BundledPackage {
    /** Relative to the repository root: `node_modules/azure-pipelines-task-lib`, or a nested `node_modules/a/node_modules/b`. */
    readonly directory: string;
    readonly name: string;
}

/** A string task-lib's internal.js holds once: each copy of task-lib in a bundle brings one. */
export const TASK_LIB_MARKER = "Resource file haven't been set, can't find loc string for key: ";
export const TASK_LIB_PACKAGE = 'azure-pipelines-task-lib';

const PACKAGE_DIRECTORY = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;

export function readMetafile(root: string, task: TaskFolder): Metafile {
    const file = bundleMetafilePath(root, task);
    if (!fs.existsSync(file)) {
        throw new Error(`${path.relative(root, file)} is missing: run \`npm run build\` first, which bundles the task and writes it.`);
    }
    return readJson(file) as Metafile;
}

/** Every package with code in the bundle; two copies of one package (nested node_modules) count as two. */
export function bundledPackages(root: string, metafile: Metafile): BundledPackage[] {
    const directories = new Set<string>();
    for (const input of Object.keys(metafile.inputs)) {
        const match = PACKAGE_DIRECTORY.exec(input.replace(/\\/g, '/'));
        if (match) {
            directories.add(match[1]);
        }
    }
    return [...directories].sort().map((directory) => ({ directory, name: packageNameOf(root, directory) }));
}

function packageNameOf(root: string, directory: string): string {
    const manifest = path.join(root, directory, 'package.json');
    const name = fs.existsSync(manifest) ? (readJson(manifest) as { name?: string }).name : undefined;
    return name ?? directory.slice(directory.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

export function countOccurrences(text: string, marker: string): number {
    return text.split(marker).length - 1;
}
