import type { PlatformPath } from 'path';
import { Minimatch, type IOptions as MinimatchOptions } from 'minimatch';

/*
 * The path logic of finding files, free of the file system: it takes a `path` module (path.posix or path.win32),
 * so that Windows drive letters, UNC shares and case-insensitive comparisons are covered on any machine.
 * Patterns and the paths matched against them are spelled with `/` on every platform.
 */

/** True for path.win32: `\` separates, `/` does too, and names compare without regard to case. */
export function isWindowsPath(pathModule: PlatformPath): boolean {
    return pathModule.sep === '\\';
}

/** `tl.findMatch`'s defaults: dotfiles match, braces are literal, Windows ignores case. */
export function matchOptions(pathModule: PlatformPath): MinimatchOptions {
    return { dot: true, nobrace: true, nocase: isWindowsPath(pathModule), nocomment: true, nonegate: true };
}

export function toForwardSlashes(p: string, pathModule: PlatformPath): string {
    return isWindowsPath(pathModule) ? p.replace(/\\/g, '/') : p;
}

/** `/x` on Linux; `C:`, `C:/x`, `/x` and `//server/share` on Windows (as task-lib's `_isRooted`). */
export function isRootedPattern(pattern: string, pathModule: PlatformPath): boolean {
    const forward = toForwardSlashes(pattern, pathModule);
    return isWindowsPath(pathModule) ? forward.startsWith('/') || /^[A-Z]:/i.test(forward) : forward.startsWith('/');
}

/** The root as a literal pattern prefix: its glob characters escaped (task-lib's `_ensurePatternRooted`). */
export function escapeRootForPattern(root: string, pathModule: PlatformPath): string {
    const forward = toForwardSlashes(root, pathModule);
    // On Linux `\` is a character of names, and an escape in patterns; Windows has turned it into `/` already.
    return (isWindowsPath(pathModule) ? forward : forward.replace(/\\/g, '\\\\'))
        .replace(/(\[)(?=[^/]+\])/g, '[[]')
        .replace(/\?/g, '[?]')
        .replace(/\*/g, '[*]')
        .replace(/\+\(/g, '[+](')
        .replace(/@\(/g, '[@](')
        .replace(/!\(/g, '[!](');
}

/**
 * `./x` and `x/./y` name what `x` and `x/y` name. tl.findMatch keeps the `.` in the pattern, and no path it finds has
 * one, so there `./**` finds nothing and `!./obj/**` excludes nothing; without it, an exclude spelled either way
 * applies to a file found either way. A `.` that names the folder itself (`x/.`, `./`) stays, and so does the `.` of
 * a Windows device path (`//./pipe`), which is no folder.
 */
export function withoutDotSegments(forwardPattern: string): string {
    const segments = forwardPattern.split('/');
    const dropped = (segment: string, index: number) =>
        segment === '.' && (segments[index + 1] ?? '') !== '' && (index === 0 || segments.slice(0, index).some((before) => before !== ''));
    return segments.filter((segment, index) => !dropped(segment, index)).join('/');
}

function joinForward(base: string, rest: string): string {
    return base.endsWith('/') ? base + rest : `${base}/${rest}`;
}

/** Where to look for one include pattern, and the pattern to match what is found there against. */
export interface PatternSearch {
    /** The pattern, rooted at rootFolder when relative, with `/`. */
    readonly pattern: string;
    /** The folder the pattern's literal leading segments name (or the file, when `literal`), with `/`. */
    readonly searchPath: string;
    /** The whole pattern is literal: stat one path instead of walking a folder. */
    readonly literal: boolean;
}

/**
 * task-lib's `_getFindInfoFromPattern`: the leading segments without glob characters name the folder to walk.
 * Those are read from the pattern before it is rooted, so that glob characters in rootFolder stay literal.
 */
export function patternSearch(rootFolder: string, pattern: string, pathModule: PlatformPath): PatternSearch {
    const forwardPattern = withoutDotSegments(toForwardSlashes(pattern, pathModule));
    const forwardRoot = toForwardSlashes(rootFolder, pathModule);
    const segments = new Minimatch(forwardPattern, { ...matchOptions(pathModule), nocase: false }).set[0];
    const literalSegments: string[] = [];
    for (const segment of segments) {
        if (typeof segment !== 'string') {
            break;
        }
        literalSegments.push(segment);
    }
    let joined = literalSegments.join('/');
    if (joined && isWindowsPath(pathModule) && forwardPattern.startsWith('//')) {
        joined = `/${joined}`; // minimatch squashes the two slashes of a UNC path
    }
    const rooted = isRootedPattern(forwardPattern, pathModule);
    let searchPath = rooted ? joined || '/' : joined ? joinForward(forwardRoot, joined) : forwardRoot;
    if (searchPath.length > 1 && searchPath.endsWith('/') && !/^[A-Z]:\/$/i.test(searchPath)) {
        searchPath = searchPath.slice(0, -1);
    }
    return {
        pattern: rooted ? forwardPattern : joinForward(escapeRootForPattern(rootFolder, pathModule), forwardPattern),
        searchPath,
        literal: literalSegments.length === segments.length,
    };
}

/** An exclude pattern (`!` taken off), rooted at rootFolder when relative. */
export function rootedExclude(rootFolder: string, pattern: string, pathModule: PlatformPath): string {
    const forwardPattern = withoutDotSegments(toForwardSlashes(pattern, pathModule));
    return isRootedPattern(forwardPattern, pathModule) ? forwardPattern : joinForward(escapeRootForPattern(rootFolder, pathModule), forwardPattern);
}

/** True when `target` is `root` or lies under it; on Windows without regard to case, across drives and shares. */
export function isInsideRoot(root: string, target: string, pathModule: PlatformPath): boolean {
    const relative = pathModule.relative(root, target);
    return relative === '' || (relative !== '..' && !relative.startsWith(`..${pathModule.sep}`) && !pathModule.isAbsolute(relative));
}

/**
 * The path a file is reported under: relative to rootFolder with `/` (as spelled through links inside it), or, for a
 * file whose real path lies outside rootFolder (uploaded only with allowFilesOutsideRoot), its absolute real path
 * with `/`, which says where the bytes came from.
 */
export function reportedPath(root: string, realRoot: string, spelledPath: string, realPath: string, pathModule: PlatformPath): string {
    if (!isInsideRoot(realRoot, realPath, pathModule)) {
        return toForwardSlashes(pathModule.resolve(realPath), pathModule);
    }
    const spelled = pathModule.resolve(spelledPath);
    const relative = isInsideRoot(root, spelled, pathModule) ? pathModule.relative(root, spelled) : pathModule.relative(realRoot, realPath);
    return toForwardSlashes(relative, pathModule);
}

/**
 * One character of a name, upper-cased as NTFS compares names: character by character, so that `ß` (whose Unicode
 * upper case is the two letters `SS`) stays itself and never equals `SS`.
 */
function upperCharacter(character: string): string {
    const upper = character.toUpperCase();
    return upper.length === character.length ? upper : character;
}

/** Whether two names denote the same entry of a folder: exactly, or on Windows without regard to case (one to one). */
export function sameEntryName(a: string, b: string, pathModule: PlatformPath): boolean {
    if (a === b) {
        return true;
    }
    if (!isWindowsPath(pathModule) || a.length !== b.length) {
        return false;
    }
    const left = [...a];
    const right = [...b];
    return left.length === right.length && left.every((character, index) => upperCharacter(character) === upperCharacter(right[index]));
}

/**
 * `searchPath` with each segment spelled as the folder lists it (on Windows, `DROP/App.LOG` may name `drop/app.log`):
 * the attachment's name and reported path are what is on disk, not the pattern's spelling. A folder that cannot
 * be listed keeps the given spelling.
 */
export function spellAsOnDisk(searchPath: string, pathModule: PlatformPath, listFolder: (folder: string) => string[] | undefined): string {
    if (!isWindowsPath(pathModule)) {
        return searchPath; // case-sensitive: the path exists only as spelled
    }
    const root = toForwardSlashes(pathModule.parse(searchPath).root, pathModule);
    const segments = searchPath.slice(root.length).split('/');
    let current = root;
    for (const segment of segments) {
        let spelled = segment;
        if (segment !== '' && segment !== '.' && segment !== '..') {
            const names = listFolder(current === '' ? '.' : current) ?? [];
            spelled = names.includes(segment) ? segment : names.find((name) => sameEntryName(name, segment, pathModule)) ?? segment;
        }
        current = current === '' ? spelled : joinForward(current, spelled);
    }
    return current;
}
