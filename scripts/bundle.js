// Bundles the task into one file per handler target, so the VSIX ships no node_modules and exactly one copy of task-lib.
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');
const { legacyUrlForVsoClient } = require('./legacyUrlPlugin');

const taskFolder = path.join(__dirname, '..', 'tasks', 'UploadWorkItemAttachmentsV1');

async function bundle() {
    const result = await esbuild.build({
        entryPoints: [path.join(taskFolder, 'src', 'index.ts')],
        outfile: path.join(taskFolder, 'dist', 'index.js'),
        bundle: true,
        platform: 'node',
        // Node20_1 is the oldest handler the task lists; ES2022 runs on Node24 as well.
        target: 'node20',
        format: 'cjs',
        // Readable stack traces from the shipped bundle: names as written, and each module's code under a
        // `// engine/...ts` comment, so a line of a stack names its file too. Syntax is still minified; the VSIX stays
        // far below 1 MiB (a test checks). No keepNames: it wraps every closure the code creates in a call, per request.
        minifySyntax: true,
        minifyWhitespace: false,
        minifyIdentifiers: false,
        legalComments: 'external',
        logLevel: 'warning',
        // task-lib loads task.json and Strings/*.resjson with a computed require(); those stay runtime requires.
        logOverride: { 'unsupported-require-call': 'silent' },
        // Which packages went into the bundle: packaging checks task-lib is there once and writes their license notices.
        metafile: true,
        // Metafile paths are relative to this folder: the repository root, whatever the current directory.
        absWorkingDir: path.join(__dirname, '..'),
        // node-api's url.parse()/url.resolve() print a DeprecationWarning on Node 24 from a bundle: see the plugin.
        plugins: [legacyUrlForVsoClient],
    });
    if (result.errors.length > 0) {
        process.exitCode = 1;
        return;
    }
    const metafile = path.join(__dirname, '..', 'build', 'bundle', `${path.basename(taskFolder)}.meta.json`);
    fs.mkdirSync(path.dirname(metafile), { recursive: true });
    fs.writeFileSync(metafile, JSON.stringify(result.metafile));
}

bundle().catch((error) => {
    console.error(error);
    process.exitCode = 1;
});
