import * as fs from 'fs';
import * as path from 'path';
import type * as TaskLib from 'azure-pipelines-task-lib/task';

/**
 * What `tl.findMatch` returns for the patterns (files only, relative to `root` with `/`, sorted): the semantics our
 * finder keeps, or departs from on purpose. When it fails, `fails: <its message>`. Its debug lines (from loading on) go nowhere.
 */
export function taskLibFiles(root: string, patterns: string[]): string[] | string {
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof write;
    try {
        const tl = require('azure-pipelines-task-lib/task') as typeof TaskLib;
        return tl
            .findMatch(root, patterns)
            .filter((match) => fs.statSync(match).isFile())
            .map((match) => path.relative(root, match).split(path.sep).join('/'))
            .sort();
    } catch (error) {
        return `fails: ${(error as Error).message}`;
    } finally {
        process.stdout.write = write;
    }
}
