import * as path from 'path';
import { packageExtension } from './packageExtension';
import { PUBLISHER_PLACEHOLDER, REPO_ROOT } from './project';

const USAGE = 'Usage: npm run package -- --publisher <publisher ID>   (or set VSIX_PUBLISHER)';
/** Marketplace publisher IDs: letters, digits, hyphens and underscores. */
const PUBLISHER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

export interface PackageArguments {
    readonly publisher: string;
}

/** `--publisher NAME` or `--publisher=NAME`, else VSIX_PUBLISHER; the placeholder in vss-extension.json is refused. */
export function parsePackageArguments(argv: readonly string[], env: NodeJS.ProcessEnv): PackageArguments {
    let publisher = env.VSIX_PUBLISHER;
    for (let index = 0; index < argv.length; index++) {
        const argument = argv[index];
        if (argument === '--publisher') {
            publisher = argv[++index];
        } else if (argument.startsWith('--publisher=')) {
            publisher = argument.slice('--publisher='.length);
        } else {
            throw new Error(`Unknown argument '${argument}'.\n${USAGE}`);
        }
    }
    if (!publisher || publisher === PUBLISHER_PLACEHOLDER) {
        throw new Error(`No publisher: the VSIX is published under your Marketplace publisher ID.\n${USAGE}`);
    }
    if (!PUBLISHER_ID.test(publisher)) {
        throw new Error(`Publisher '${publisher}' is not a Marketplace publisher ID (letters, digits, - and _).\n${USAGE}`);
    }
    return { publisher };
}

async function main(): Promise<void> {
    const { publisher } = parsePackageArguments(process.argv.slice(2), process.env);
    const result = await packageExtension({ publisher });
    const warnings = result.tfxOutput.split(/\r?\n/).filter((line) => /warn/i.test(line));
    warnings.forEach((line) => console.warn(line));
    console.log(`Packaged ${path.relative(REPO_ROOT, result.vsixFile)}: ${(result.vsixBytes / 1024).toFixed(1)} KiB, ${result.vsixEntries} files.`);
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
