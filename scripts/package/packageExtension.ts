import * as fs from 'fs';
import * as path from 'path';
import AdmZip from 'adm-zip';
import { REPO_ROOT, loadProject } from './project';
import { checkStagedTask, listFiles, stageExtension } from './stage';
import { isRepositoryPlaceholder, normalizeRepositoryUrl, repositoryLinks } from './repository';
import { tfxCreate } from './tfx';
import { createTaskValidator, checkProject } from './validate';

export interface PackageOptions {
    readonly publisher: string;
    /** The repository's https web address; the Marketplace page's repository, issues and license links follow from it. */
    readonly repository: string;
    /** Default: this repository. */
    readonly root?: string;
    /** Where the one .vsix goes; any older .vsix there is deleted first. Default: dist/. */
    readonly outputDir?: string;
    /** Rebuilt from scratch on each run. Default: build/vsix/. */
    readonly stagingDir?: string;
}

export interface PackagedTask {
    readonly folder: string;
    readonly files: string[];
}

export interface PackageResult {
    readonly vsixFile: string;
    readonly vsixBytes: number;
    readonly vsixEntries: number;
    readonly tasks: PackagedTask[];
    /** tfx's own output, warnings included. */
    readonly tfxOutput: string;
}

/** Every reason the project cannot be packaged, one a line. */
export class PackagingError extends Error {
    override readonly name = 'PackagingError';

    constructor(readonly problems: string[]) {
        super(`Cannot package the extension:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    }
}

/** Validate → stage → check the staged tasks → tfx → measure. Expects `npm run build` to have run. */
export async function packageExtension(options: PackageOptions): Promise<PackageResult> {
    const root = options.root ?? REPO_ROOT;
    const outputDir = options.outputDir ?? path.join(root, 'dist');
    const stagingRoot = options.stagingDir ?? path.join(root, 'build', 'vsix');

    const project = loadProject(root);
    const repository = normalizeRepositoryUrl(options.repository);
    const problems = [
        ...checkProject(project, createTaskValidator()),
        ...(isRepositoryPlaceholder(repository) ? [`repository '${repository}' is the placeholder; give your repository's web address.`] : []),
    ];
    if (problems.length > 0) {
        throw new PackagingError(problems);
    }
    const staged = stageExtension(project, stagingRoot, repositoryLinks(repository));
    const stagedProblems = staged.flatMap((task) => checkStagedTask(project, task));
    if (stagedProblems.length > 0) {
        throw new PackagingError(stagedProblems);
    }

    fs.mkdirSync(outputDir, { recursive: true });
    for (const old of fs.readdirSync(outputDir).filter((name) => name.toLowerCase().endsWith('.vsix'))) {
        fs.rmSync(path.join(outputDir, old), { force: true });
    }
    const { id, version } = project.manifest;
    const vsixFile = path.join(outputDir, `${options.publisher}.${id}-${version}.vsix`);
    const tfxOutput = await tfxCreate({ stagingRoot, outputFile: vsixFile, publisher: options.publisher });

    return {
        vsixFile,
        vsixBytes: fs.statSync(vsixFile).size,
        vsixEntries: new AdmZip(vsixFile).getEntries().filter((entry) => !entry.isDirectory).length,
        tasks: staged.map(({ task, directory }) => ({ folder: task.folder, files: listFiles(directory) })),
        tfxOutput,
    };
}
