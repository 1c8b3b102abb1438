import * as fs from 'fs';

/*
 * Reads through a file descriptor, so that every byte and the final fstat come from one open file, whatever
 * happens to its name meanwhile. Each call goes through the `fs` module object at call time.
 */

export function openForReading(file: string): Promise<number> {
    return new Promise((resolve, reject) => fs.open(file, 'r', (error, fd) => (error ? reject(error) : resolve(fd))));
}

/** Reads into `buffer` from `position`; resolves the count read (0 at the end of the file). */
export function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
    return new Promise((resolve, reject) =>
        fs.read(fd, buffer, 0, buffer.length, position, (error, count) => (error ? reject(error) : resolve(count))),
    );
}

export function statOpen(fd: number): Promise<fs.BigIntStats> {
    return new Promise((resolve, reject) => fs.fstat(fd, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats))));
}

/** The stats of whatever the path names now (links followed). */
export function statPath(file: string): Promise<fs.BigIntStats> {
    return new Promise((resolve, reject) => fs.stat(file, { bigint: true }, (error, stats) => (error ? reject(error) : resolve(stats))));
}

export function closeDescriptor(fd: number): void {
    fs.close(fd, () => {
        // A descriptor opened only for reading holds nothing to flush: a failed close loses no data.
    });
}
