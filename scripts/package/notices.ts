import * as fs from 'fs';
import * as path from 'path';
import { readJson } from './project';
import type { BundledPackage } from './bundle';

const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;

/**
 * The license of every package bundled into the task, which minification strips from the code, plus the notices
 * esbuild kept (its LEGAL.txt): MIT and Apache code must carry its notice in every copy, and the VSIX is a copy.
 */
export function thirdPartyNotices(root: string, taskName: string, packages: readonly BundledPackage[], legalComments: string): string {
    const sections = packages.map((bundled) => {
        const directory = path.join(root, bundled.directory);
        const manifest = readJson(path.join(directory, 'package.json')) as { version?: string; license?: string; author?: string | { name?: string } };
        const licenseFile = fs.readdirSync(directory).find((name) => LICENSE_FILE.test(name));
        const author = typeof manifest.author === 'string' ? manifest.author : manifest.author?.name;
        const text = licenseFile
            ? fs.readFileSync(path.join(directory, licenseFile), 'utf8').trim()
            : `License: ${manifest.license ?? 'not stated'}${author ? `, copyright ${author}` : ''}. The package ships no license file.`;
        return `----- ${bundled.name} ${manifest.version ?? ''} (${manifest.license ?? 'license not stated'}) -----\n\n${text}\n`;
    });
    const kept = legalComments.trim() === '' ? [] : [`----- Notices kept from the bundled source -----\n\n${legalComments.trim()}\n`];
    return [
        `Third-party notices for the ${taskName} task.`,
        'Its dist/index.js bundles the packages below; each is listed with its license.',
        '',
        ...sections,
        ...kept,
    ].join('\n');
}
