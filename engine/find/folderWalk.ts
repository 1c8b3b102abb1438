import * as fs from 'fs';

/** The last symbolic link (or junction) on the way to an entry, and the real path it leads to. */
export interface LinkHop {
    readonly path: string;
    readonly target: string;
}

export type WalkEntry =
    /** `stats`: the entry's own lstat, when no link led to it (then it is the file's stat too, and no second one is needed). */
    | { readonly kind: 'file'; readonly path: string; readonly link?: LinkHop; readonly stats?: fs.BigIntStats }
    /** A link whose target does not exist (or loops on itself): never fatal, reported by name when it matches. */
    | { readonly kind: 'brokenLink'; readonly path: string; readonly target: string };

export type WalkProblem =
    /** A folder or entry that could not be read (EACCES, EPERM, an unreachable junction): skipped with all it holds. */
    | { readonly kind: 'unreadable'; readonly path: string; readonly code: string }
    /** A link back to a folder already being walked: not walked again, so the walk ends. */
    | { readonly kind: 'loop'; readonly path: string; readonly target: string }
    /** A link to a folder the walk was told not to enter (`mayEnter`): not walked at all. */
    | { readonly kind: 'notEntered'; readonly path: string; readonly target: string };

interface Pending {
    readonly path: string;
    readonly depth: number;
    readonly link?: LinkHop;
}

const BROKEN_LINK_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP']);
/** No such path: not a problem to report (a pattern may name what is not there), and not a permission to check. */
const ABSENT_CODES = new Set(['ENOENT', 'ENOTDIR']);

/**
 * Every file under `start` (or `start` itself), following links as CopyFilesV2 does, with paths spelled from
 * `start` and the names the folders list, joined by `/`. Unlike `tl.find`, nothing it meets fails the walk:
 * broken links come back as entries, unreadable folders and loops as problems.
 */
export function walkFiles(
    start: string,
    onEntry: (entry: WalkEntry) => void,
    onProblem: (problem: WalkProblem) => void,
    descend = true,
    /** Asked before a folder reached through this link is walked: a contributor's link to `/` must not walk the whole disk. */
    mayEnter: (link: LinkHop) => boolean = () => true,
): void {
    const stack: Pending[] = [{ path: start, depth: 0 }];
    // Real paths of the folders from `start` down to the current one: a link to any of them is a loop.
    const chain: string[] = [];
    while (stack.length > 0) {
        const item = stack.pop() as Pending;
        const entry = inspect(item, onProblem);
        if (!entry) {
            continue;
        }
        if (entry.kind === 'brokenLink') {
            onEntry(entry);
            continue;
        }
        const { stats, link } = entry;
        if (stats.isFile()) {
            onEntry({ kind: 'file', path: item.path, link, stats: link ? undefined : (stats as fs.BigIntStats) });
            continue;
        }
        if (!stats.isDirectory() || (!descend && item.depth === 0)) {
            continue; // a socket or a FIFO (reading one could block forever), or a folder not to search
        }
        let realFolder: string;
        let names: string[];
        try {
            realFolder = link?.path === item.path ? link.target : fs.realpathSync(item.path);
            chain.length = Math.min(chain.length, item.depth);
            if (chain.includes(realFolder)) {
                onProblem({ kind: 'loop', path: item.path, target: realFolder });
                continue;
            }
            if (link?.path === item.path && !mayEnter(link)) {
                onProblem({ kind: 'notEntered', path: item.path, target: realFolder });
                continue;
            }
            names = fs.readdirSync(item.path);
        } catch (error) {
            onProblem({ kind: 'unreadable', path: item.path, code: codeOf(error) });
            continue;
        }
        chain.push(realFolder);
        for (let index = names.length - 1; index >= 0; index--) {
            stack.push({ path: joinForward(item.path, names[index]), depth: item.depth + 1, link });
        }
    }
}

/** The entry's stats (through a link), or a broken link, or nothing when it vanished or cannot be read. */
function inspect(
    item: Pending,
    onProblem: (problem: WalkProblem) => void,
): { kind: 'stats'; stats: fs.Stats | fs.BigIntStats; link?: LinkHop } | Extract<WalkEntry, { kind: 'brokenLink' }> | undefined {
    let own: fs.BigIntStats;
    try {
        // BigInt, as the fingerprint needs (NTFS file IDs pass 2^53): for a file reached without a link it is the fingerprint.
        own = fs.lstatSync(item.path, { bigint: true });
    } catch (error) {
        if (!ABSENT_CODES.has(codeOf(error))) {
            onProblem({ kind: 'unreadable', path: item.path, code: codeOf(error) });
        }
        return undefined; // ENOENT: deleted since its folder was listed; ENOTDIR: a pattern's path through a file (`app.zip/x`), nothing there
    }
    if (!own.isSymbolicLink()) {
        return { kind: 'stats', stats: own, link: item.link };
    }
    try {
        const stats = fs.statSync(item.path);
        return { kind: 'stats', stats, link: { path: item.path, target: fs.realpathSync(item.path) } };
    } catch (error) {
        if (BROKEN_LINK_CODES.has(codeOf(error))) {
            return { kind: 'brokenLink', path: item.path, target: linkTarget(item.path) };
        }
        onProblem({ kind: 'unreadable', path: item.path, code: codeOf(error) });
        return undefined;
    }
}

/** What a link says it points to, for the message; a junction or link that cannot be read says so. */
export function linkTarget(link: string): string {
    try {
        return fs.readlinkSync(link);
    } catch {
        return '?'; // only words for a message: the link is reported as broken either way
    }
}

function joinForward(folder: string, name: string): string {
    return folder.endsWith('/') ? folder + name : `${folder}/${name}`;
}

export function codeOf(error: unknown): string {
    return String((error as NodeJS.ErrnoException | null)?.code ?? (error instanceof Error ? error.message : error));
}
