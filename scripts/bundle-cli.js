// Bundles the ado-attach command line into one file with its libraries, so the npm package has no dependencies.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { legacyUrlForVsoClient } = require('./legacyUrlPlugin');

const root = path.join(__dirname, '..');
const outputFolder = path.join(root, 'dist', 'cli');
const LICENSE_FILE = /^(licen[cs]e|copying)(\.(md|txt))?$/i;
const PACKAGE_DIRECTORY = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//;

async function bundle() {
    const result = await esbuild.build({
        // main.ts starts with `#!/usr/bin/env node`, which esbuild keeps as the bundle's first line.
        entryPoints: [path.join(root, 'cli', 'main.ts')],
        outfile: path.join(outputFolder, 'ado-attach.js'),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        minify: true,
        legalComments: 'none',
        logLevel: 'warning',
        metafile: true,
        absWorkingDir: root,
        // node-api's url.parse()/url.resolve() print a DeprecationWarning on Node 24 from a bundle: see the plugin.
        plugins: [legacyUrlForVsoClient],
    });
    if (result.errors.length > 0) {
        process.exitCode = 1;
        return;
    }
    // Minified code loses the licenses MIT and ISC code must carry in every copy: they travel beside it.
    fs.writeFileSync(path.join(outputFolder, 'THIRD-PARTY-NOTICES.txt'), notices(result.metafile));
}

function notices(metafile) {
    const directories = new Set();
    for (const input of Object.keys(metafile.inputs)) {
        const match = PACKAGE_DIRECTORY.exec(input.replace(/\\/g, '/'));
        if (match) {
            directories.add(match[1]);
        }
    }
    const sections = [...directories].sort().map((directory) => {
        const folder = path.join(root, directory);
        const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8'));
        const licenseFile = fs.readdirSync(folder).find((name) => LICENSE_FILE.test(name));
        const text = licenseFile ? fs.readFileSync(path.join(folder, licenseFile), 'utf8').trim() : `License: ${manifest.license ?? 'not stated'}.`;
        return `----- ${manifest.name} ${manifest.version ?? ''} (${manifest.license ?? 'license not stated'}) -----\n\n${text}\n`;
    });
    return ['Third-party notices for ado-attach.', 'Its ado-attach.js bundles the packages below; each is listed with its license.', '', ...sections].join('\n');
}

bundle().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
