import * as path from 'path';
import { packageExtension } from './packageExtension';
import { PUBLISHER_PLACEHOLDER, REPO_ROOT } from './project';
import { isRepositoryPlaceholder, normalizeRepositoryUrl, packageJsonRepository } from './repository';

const USAGE = [
    'Usage: npm run package -- --publisher <publisher ID> --repository <https URL>',
    '   or: VSIX_PUBLISHER=<publisher ID> VSIX_REPOSITORY=<https URL> npm run package',
    '   (the repository may also come from the "repository" field of package.json)',
].join('\n');
/** Marketplace publisher IDs: letters, digits, hyphens and underscores. */
const PUBLISHER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export interface PackageArguments {
    readonly publisher: string;
    /** The repository's web address, normalized (no `.git`, no trailing `/`). */
    readonly repository: string;
}

/**
 * `--publisher NAME` (or `=NAME`), else VSIX_PUBLISHER; `--repository URL` (or `=URL`), else VSIX_REPOSITORY, else
 * package.json's `repository`. The placeholders in vss-extension.json are refused, each naming its flag and variable.
 */
export function parsePackageArguments(argv: readonly string[], env: NodeJS.ProcessEnv, repositoryInPackageJson?: string): PackageArguments {
    let publisher = env.VSIX_PUBLISHER;
    let repository = env.VSIX_REPOSITORY || repositoryInPackageJson;
    for (let index = 0; index < argv.length; index++) {
        const argument = argv[index];
        if (argument === '--publisher') {
            publisher = argv[++index];
        } else if (argument.startsWith('--publisher=')) {
            publisher = argument.slice('--publisher='.length);
        } else if (argument === '--repository') {
            repository = argv[++index];
        } else if (argument.startsWith('--repository=')) {
            repository = argument.slice('--repository='.length);
        } else {
            throw new Error(`Unknown argument '${argument}'.\n${USAGE}`);
        }
    }
    if (!publisher) {
        throw new Error(`No publisher: the VSIX is published under your Marketplace publisher ID. Give it with --publisher <id> or VSIX_PUBLISHER=<id>.\n${USAGE}`);
    }
    if (publisher === PUBLISHER_PLACEHOLDER) {
        throw new Error(
            `Publisher '${publisher}' is the placeholder in vss-extension.json, not a publisher. Give your Marketplace publisher ID with --publisher <id> or VSIX_PUBLISHER=<id>.\n${USAGE}`,
        );
    }
    if (!PUBLISHER_ID.test(publisher)) {
        throw new Error(`Publisher '${publisher}' is not a Marketplace publisher ID (letters, digits, - and _).\n${USAGE}`);
    }
    if (!repository) {
        throw new Error(
            'No repository: the Marketplace page links to its repository, issues and license. Give its web address with --repository <url> or VSIX_REPOSITORY=<url>, ' +
                `or set "repository" in package.json.\n${USAGE}`,
        );
    }
    const url = normalizeRepositoryUrl(repository);
    if (isRepositoryPlaceholder(url)) {
        throw new Error(
            `Repository '${repository}' is the placeholder in vss-extension.json, not a repository. Give your repository's web address with --repository <url> or VSIX_REPOSITORY=<url>, ` +
                `or set "repository" in package.json.\n${USAGE}`,
        );
    }
    return { publisher, repository: url };
}

async function main(): Promise<void> {
    const { publisher, repository } = parsePackageArguments(process.argv.slice(2), process.env, packageJsonRepository(REPO_ROOT));
    const result = await packageExtension({ publisher, repository });
    const warnings = result.tfxOutput.split(/\r?\n/).filter((line) => /warn/i.test(line));
    warnings.forEach((line) => console.warn(line));
    console.log(`Packaged ${path.relative(REPO_ROOT, result.vsixFile)}: ${(result.vsixBytes / 1024).toFixed(1)} KiB, ${result.vsixEntries} files, linking to ${repository}.`);
    for (const task of result.tasks) {
        console.log(`  ${task.folder}: ${task.files.length} files: ${task.files.join(', ')}`);
    }
}

if (require.main === module) {
    main().catch((error: unknown) => {
        // A PackagingError lists every problem found, one a line; anything else is one message.
        console.error(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
    });
}
