/*
 * Loaded into the task's child process with `NODE_OPTIONS=--require <this file>`: when the task opens the file named
 * by UWIA_STACK_PROBE, the stack of that call is written to UWIA_STACK_FILE, and the open goes on as usual. It shows
 * what a stack trace from the shipped bundle looks like at that point.
 */
// The module object itself, not an `import * as` copy of it: the patch must land where the bundle looks.
import fs = require('fs');
import * as path from 'path';

export function stackProbeEnvironment(probedFile: string, stackFile: string): Record<string, string> {
    return { NODE_OPTIONS: `--require ${JSON.stringify(__filename)}`, UWIA_STACK_PROBE: probedFile, UWIA_STACK_FILE: stackFile };
}

const probed = process.env.UWIA_STACK_PROBE;
const stackFile = process.env.UWIA_STACK_FILE;
if (probed && stackFile) {
    const openSync = fs.openSync;
    fs.openSync = function (this: unknown, ...args: Parameters<typeof fs.openSync>) {
        if (typeof args[0] === 'string' && path.resolve(args[0]) === path.resolve(probed)) {
            const limit = Error.stackTraceLimit;
            Error.stackTraceLimit = 50;
            fs.writeFileSync(stackFile, new Error('stack probe').stack ?? '');
            Error.stackTraceLimit = limit;
        }
        return openSync.apply(this, args);
    } as typeof fs.openSync;
}
