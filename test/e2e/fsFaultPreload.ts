/*
 * Loaded into the task's child process with `NODE_OPTIONS=--require <this file>`: it makes `fs` fail for the
 * paths named in UWIA_FS_FAULTS the way Windows does for a locked file (EBUSY on open or mid-read) or a folder
 * the agent may not read (EACCES), which chmod cannot show when the tests run as root. The bundle calls every
 * `fs` function through the `fs` module object, so patching that object reaches it.
 */
// The module object itself, not an `import * as` copy of it: the patches must land where the bundle looks.
import fs = require('fs');
import * as path from 'path';

export interface FsFault {
    readonly path: string;
    readonly operation: 'open' | 'read' | 'readdir';
    readonly code: string;
    /** 1-based: the first call (of this operation on this path) that fails. Default 1. */
    readonly from?: number;
    /** How many calls fail from there. Default: all of them. */
    readonly times?: number;
}

export const FS_FAULTS_VARIABLE = 'UWIA_FS_FAULTS';

/** The environment that loads this preload with `faults`. */
export function fsFaultEnvironment(faults: FsFault[]): Record<string, string> {
    return { NODE_OPTIONS: `--require ${JSON.stringify(__filename)}`, [FS_FAULTS_VARIABLE]: JSON.stringify(faults) };
}

function install(faults: FsFault[]): void {
    const calls = faults.map(() => 0);
    const pathOfDescriptor = new Map<number, string>();
    const failure = (operation: FsFault['operation'], target: string | undefined): NodeJS.ErrnoException | undefined => {
        if (target === undefined) {
            return undefined;
        }
        const resolved = path.resolve(target);
        for (const [index, fault] of faults.entries()) {
            if (fault.operation !== operation || path.resolve(fault.path) !== resolved) {
                continue;
            }
            calls[index] += 1;
            const first = fault.from ?? 1;
            if (calls[index] >= first && (fault.times === undefined || calls[index] < first + fault.times)) {
                return Object.assign(new Error(`${fault.code}: injected ${operation} failure, '${target}'`), { code: fault.code, syscall: operation, path: target });
            }
        }
        return undefined;
    };
    const mutable = fs as unknown as Record<string, (...args: unknown[]) => unknown>;

    const openSync = mutable.openSync;
    mutable.openSync = (...args: unknown[]) => {
        const error = failure('open', String(args[0]));
        if (error) {
            throw error;
        }
        const fd = openSync(...args) as number;
        pathOfDescriptor.set(fd, String(args[0]));
        return fd;
    };
    const open = mutable.open;
    mutable.open = (...args: unknown[]) => {
        const callback = args[args.length - 1] as (error: Error | null, fd?: number) => void;
        const error = failure('open', String(args[0]));
        if (error) {
            process.nextTick(() => callback(error));
            return;
        }
        open(...args.slice(0, -1), (openError: Error | null, fd: number) => {
            if (!openError) {
                pathOfDescriptor.set(fd, String(args[0]));
            }
            callback(openError, fd);
        });
    };
    const readSync = mutable.readSync;
    mutable.readSync = (...args: unknown[]) => {
        const error = failure('read', pathOfDescriptor.get(args[0] as number));
        if (error) {
            throw error;
        }
        return readSync(...args);
    };
    const read = mutable.read;
    mutable.read = (...args: unknown[]) => {
        const callback = args[args.length - 1] as (error: Error | null) => void;
        const error = failure('read', pathOfDescriptor.get(args[0] as number));
        if (error) {
            process.nextTick(() => callback(error));
            return;
        }
        read(...args);
    };
    const readdirSync = mutable.readdirSync;
    mutable.readdirSync = (...args: unknown[]) => {
        const error = failure('readdir', String(args[0]));
        if (error) {
            throw error;
        }
        return readdirSync(...args);
    };
}

const configured = process.env[FS_FAULTS_VARIABLE];
if (configured) {
    install(JSON.parse(configured) as FsFault[]);
}
