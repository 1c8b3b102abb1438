#!/usr/bin/env node
import * as os from 'os';
import { neutralise } from '../engine/text/safeText';
import { version } from '../package.json';
import { runCli } from './run';

/*
 * A reader that stops early (`ado-attach ... | head -1`) closes the pipe. What is left to print then has nowhere to go,
 * but the uploads and links under way must still finish: a closed pipe is no reason to stop half-way with a stack trace.
 */
for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') {
            throw error;
        }
    });
}

/** The entry of `ado-attach`: hands the process to the flow in run.ts and exits with its code. */
runCli({
    args: process.argv.slice(2),
    environment: process.env,
    cwd: process.cwd(),
    hostname: os.hostname(),
    version,
    stdin: process.stdin,
    stdinIsTTY: process.stdin.isTTY === true,
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    columns: process.stderr.columns,
}).then(
    (code) => {
        process.exitCode = code;
    },
    (error: unknown) => {
        // Through the same rule as every other line: a message may carry a file name, whose control characters are escaped.
        process.stderr.write(`error: ${neutralise(error instanceof Error ? error.message : String(error))}\n`);
        process.exitCode = 1;
    },
);
