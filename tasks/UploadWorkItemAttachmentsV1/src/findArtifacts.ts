import * as fs from 'fs';
import * as path from 'path';

/** A file to upload, with the size and timestamp it had when it matched: the upload proves it still has them. */
export interface ArtifactFile {
    readonly absolutePath: string;
    /** Relative to `rootFolder`, with `/` separators: the name used in outputs and logs. */
    readonly relativePath: string;
    /** The attachment's name on the server. */
    readonly name: string;
    readonly size: number;
    readonly modifiedMs: number;
}

/** `tl.findMatch`'s shape: patterns relative to a root, `!` excludes, absolute paths out (files and folders alike). */
export type FindMatch = (rootFolder: string, patterns: string[]) => string[];

/** The files (not folders) the patterns match, each once, in path order so that outputs are stable run to run. */
export function findArtifacts(rootFolder: string, patterns: string[], findMatch: FindMatch): ArtifactFile[] {
    const files = new Map<string, ArtifactFile>();
    for (const match of findMatch(rootFolder, patterns)) {
        const absolutePath = path.resolve(match);
        const stats = fs.statSync(absolutePath);
        if (!stats.isFile() || files.has(absolutePath)) {
            continue;
        }
        files.set(absolutePath, {
            absolutePath,
            relativePath: path.relative(rootFolder, absolutePath).split(path.sep).join('/'),
            name: path.basename(absolutePath),
            size: stats.size,
            modifiedMs: stats.mtimeMs,
        });
    }
    return [...files.values()].sort((a, b) => compareOrdinal(a.relativePath, b.relativePath));
}

/** Code-unit order: the same on every agent, whatever its locale. */
export function compareOrdinal(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
