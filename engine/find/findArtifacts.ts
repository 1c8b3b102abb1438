import * as fs from 'fs';
import * as path from 'path';
import minimatch from 'minimatch';
import { matchOptions, patternSearch, reportedPath, rootedExclude, isInsideRoot, spellAsOnDisk, toForwardSlashes } from './artifactPaths';
import { fingerprintOf, type FileFingerprint } from '../files/fileFingerprint';
import { codeOf, walkFiles, type LinkHop, type WalkEntry, type WalkProblem } from './folderWalk';
import type { Localize } from '../text/localize';

/** A file to upload, with what it was when it matched: the upload and the hash prove they read that same file. */
export interface ArtifactFile {
    /** The file's real path (links resolved): what is read. */
    readonly absolutePath: string;
    /** Relative to `rootFolder`, with `/` separators (absolute, with `/`, for a file outside it): the name used in outputs and logs. */
    readonly relativePath: string;
    /** The attachment's name on the server: the name the folder lists, not the pattern's spelling. */
    readonly name: string;
    readonly size: number;
    readonly fingerprint: FileFingerprint;
}

export interface FindOptions {
    /** Upload files whose real path lies outside rootFolder (through a link or a pattern) instead of skipping them. */
    readonly allowFilesOutsideRoot: boolean;
}

/** Something the search met and skipped, or decided, that the user should know about. None of them fails the run. */
export type FindNotice =
    | { readonly kind: 'brokenLink'; readonly path: string; readonly target: string }
    | { readonly kind: 'unreadable'; readonly path: string; readonly code: string }
    | { readonly kind: 'loop'; readonly path: string; readonly target: string }
    | { readonly kind: 'outsideRootLink'; readonly link: string; readonly target: string; readonly files: number }
    /** A link to a folder outside the root, not searched (a pattern could have matched below it). */
    | { readonly kind: 'outsideRootFolderLink'; readonly link: string; readonly target: string }
    | { readonly kind: 'outsideRootPath'; readonly path: string; readonly target: string }
    | { readonly kind: 'sameFile'; readonly path: string; readonly keptPath: string };

export interface FoundArtifacts {
    readonly files: ArtifactFile[];
    readonly notices: FindNotice[];
}

interface Candidate {
    readonly entry: WalkEntry;
    /** The folder (or file) the walk started from, as spelled, and its real path: a file without links below it needs no realpath call. */
    readonly searchPath: string;
    readonly realSearchPath: string;
}

/**
 * The files (not folders) the patterns match, each once, in path order so that outputs are stable run to run.
 * The same patterns as `tl.findMatch` (relative to rootFolder, `#` comments, `!` excludes in order, dotfiles,
 * no braces, case-insensitive on Windows; `./x` names `x` there too), but nothing met on the way fails the run: see `FindNotice`.
 */
export function findArtifacts(rootFolder: string, patterns: readonly string[], options: FindOptions): FoundArtifacts {
    const notices: FindNotice[] = [];
    const realRoot = realPathOr(rootFolder);
    // A link to a folder outside the root is not walked at all unless files from outside are allowed: everything found
    // there would be skipped, and a link to `/` or `C:\` in a contributor's files would have the task walk the whole disk.
    const mayEnter = (link: LinkHop) => options.allowFilesOutsideRoot || isInsideRoot(realRoot, link.target, path);
    const candidates = matchCandidates(rootFolder, patterns, notices, mayEnter);
    const byIdentity = new Map<string, ArtifactFile>();
    const outsideByLink = new Map<string, { target: string; files: number }>();

    // Paths without links first: of two paths to one file, the direct one names it.
    const ordered = [...candidates.entries()].sort(([pathA, a], [pathB, b]) => Number(hasLink(a)) - Number(hasLink(b)) || compareOrdinal(pathA, pathB));
    for (const [spelledPath, candidate] of ordered) {
        const { entry } = candidate;
        if (entry.kind === 'brokenLink') {
            notices.push({ kind: 'brokenLink', path: displayPath(rootFolder, spelledPath), target: entry.target });
            continue;
        }
        let realPath: string;
        let stats: fs.BigIntStats;
        try {
            realPath = realPathOf(candidate, spelledPath);
            // The walk's own lstat is the file's stat when no link led there: one stat per file, not two.
            stats = entry.kind === 'file' && !entry.link && entry.stats ? entry.stats : fs.statSync(realPath, { bigint: true });
        } catch (error) {
            notices.push({ kind: 'unreadable', path: displayPath(rootFolder, spelledPath), code: codeOf(error) });
            continue;
        }
        if (!options.allowFilesOutsideRoot && !isInsideRoot(realRoot, realPath, path)) {
            if (entry.link) {
                const link = displayPath(rootFolder, entry.link.path);
                const counted = outsideByLink.get(link) ?? { target: entry.link.target, files: 0 };
                outsideByLink.set(link, { ...counted, files: counted.files + 1 });
            } else {
                // Relative, `../` and all: the user sees which pattern led there.
                const shown = toForwardSlashes(path.relative(rootFolder, path.resolve(spelledPath)), path);
                notices.push({ kind: 'outsideRootPath', path: shown, target: toForwardSlashes(realPath, path) });
            }
            continue;
        }
        const file: ArtifactFile = {
            absolutePath: realPath,
            relativePath: reportedPath(rootFolder, realRoot, spelledPath, realPath, path),
            name: spelledPath.slice(spelledPath.lastIndexOf('/') + 1),
            size: Number(stats.size),
            fingerprint: fingerprintOf(stats),
        };
        const identity = identityKey(stats, realPath);
        const kept = byIdentity.get(identity);
        if (kept) {
            notices.push({ kind: 'sameFile', path: file.relativePath, keptPath: kept.relativePath });
            continue;
        }
        byIdentity.set(identity, file);
    }
    for (const [link, { target, files }] of outsideByLink) {
        notices.push({ kind: 'outsideRootLink', link, target: toForwardSlashes(target, path), files });
    }
    const files = [...byIdentity.values()].sort((a, b) => compareOrdinal(a.relativePath, b.relativePath));
    // Each include pattern walks on its own: a folder two patterns meet is reported once.
    const unique = new Map(notices.map((notice) => [JSON.stringify(notice), notice]));
    return { files, notices: [...unique.values()] };
}

/** Applies the patterns in order: an include adds what it matches (files and broken links), an exclude takes away. */
function matchCandidates(rootFolder: string, patterns: readonly string[], notices: FindNotice[], mayEnter: (link: LinkHop) => boolean): Map<string, Candidate> {
    const options = matchOptions(path);
    const results = new Map<string, Candidate>();
    // What the walks could not read waits for the excludes after them: a folder excluded (as the words for it advise) is no news.
    let problems: { readonly path: string; readonly notice: FindNotice }[] = [];
    for (const raw of patterns) {
        let pattern = raw.trim();
        if (pattern === '' || pattern.startsWith('#')) {
            continue;
        }
        let negations = 0;
        while (pattern.charAt(negations) === '!') {
            negations++;
        }
        pattern = pattern.slice(negations).trim();
        if (pattern === '') {
            continue;
        }
        if (negations % 2 === 1) {
            const exclude = new minimatch.Minimatch(rootedExclude(rootFolder, pattern, path), options);
            for (const key of [...results.keys()]) {
                if (exclude.match(key)) {
                    results.delete(key);
                }
            }
            problems = problems.filter((problem) => !excludesFolder(exclude, problem.path));
            continue;
        }
        const search = patternSearch(rootFolder, pattern, path);
        const searchPath = spellAsOnDisk(search.searchPath, path, listFolder);
        const realSearchPath = realPathOr(searchPath);
        // Compiled once: minimatch(path, pattern) compiles the pattern again for every path.
        const include = new minimatch.Minimatch(search.pattern, options);
        const collect = (entry: WalkEntry) => {
            if (include.match(entry.path)) {
                results.set(entry.path, { entry, searchPath, realSearchPath });
            }
        };
        const onProblem = (problem: WalkProblem) => {
            // A folder left out that the pattern could not have matched anything in is no news (`*.zip` never reaches into `disk/`).
            if (problem.kind === 'notEntered' && !reachesInto(include, problem.path)) {
                return;
            }
            problems.push({ path: problem.path, notice: walkNotice(rootFolder, problem) });
        };
        // A literal pattern names one path: a folder it names is not a file, and is not searched.
        walkFiles(searchPath, collect, onProblem, !search.literal, mayEnter);
    }
    notices.push(...problems.map((problem) => problem.notice));
    return results;
}

function walkNotice(rootFolder: string, problem: WalkProblem): FindNotice {
    const shown = displayPath(rootFolder, problem.path);
    switch (problem.kind) {
        case 'loop':
            return { kind: 'loop', path: shown, target: toForwardSlashes(problem.target, path) };
        case 'notEntered':
            return { kind: 'outsideRootFolderLink', link: shown, target: toForwardSlashes(problem.target, path) };
        case 'unreadable':
            return { kind: 'unreadable', path: shown, code: problem.code };
    }
}

/** A name no file has (NUL is refused by every file system): only a wildcard that matches every name matches it. */
const ANY_NAME = '\0';

/**
 * The pattern could match something below the folder: it goes on past it (`disk/*.log`, `**`), rather than stopping
 * before it (`*.zip`) or at it (`drop/*`, which matches the folder's own name only).
 */
function reachesInto(include: minimatch.IMinimatch, folder: string): boolean {
    // minimatch 3's `match(path, partial)`: with `partial`, a path the pattern goes on past counts as a match. @types/minimatch leaves the argument out.
    const couldLeadTo = (include as unknown as { match(path: string, partial: boolean): boolean }).match(folder, true);
    return couldLeadTo && (!include.match(folder) || include.match(`${folder}/${ANY_NAME}`));
}

/** The exclude names the folder, or every name in it (`!private/**`): what the folder holds would not be uploaded anyway. */
function excludesFolder(exclude: minimatch.IMinimatch, folder: string): boolean {
    return exclude.match(folder) || exclude.match(`${folder}/${ANY_NAME}`);
}

/** A file without a link on its way is where its folder really is: no realpath call per file. */
function realPathOf(candidate: Candidate, spelledPath: string): string {
    const { entry, searchPath, realSearchPath } = candidate;
    if (entry.kind === 'file' && !entry.link) {
        return path.join(realSearchPath, path.relative(searchPath, spelledPath));
    }
    return fs.realpathSync(spelledPath);
}

function hasLink(candidate: Candidate): boolean {
    return candidate.entry.kind === 'file' && candidate.entry.link !== undefined;
}

/** Device and inode (NTFS file ID), read as BigInt: the same file through two paths is one file. A file system without inodes (0) falls back to the real path. */
function identityKey(stats: fs.BigIntStats, realPath: string): string {
    return stats.ino === 0n ? `path:${realPath}` : `${stats.dev}:${stats.ino}`;
}

function displayPath(rootFolder: string, spelledPath: string): string {
    const absolute = path.resolve(spelledPath);
    return toForwardSlashes(isInsideRoot(rootFolder, absolute, path) ? path.relative(rootFolder, absolute) || '.' : absolute, path);
}

function listFolder(folder: string): string[] | undefined {
    try {
        return fs.readdirSync(folder);
    } catch {
        return undefined; // the path keeps the pattern's spelling; the walk reports what it cannot read
    }
}

/** The real path, or the path itself when it cannot be resolved (it does not exist: nothing will be found there). */
function realPathOr(target: string): string {
    try {
        return fs.realpathSync(target);
    } catch {
        return target;
    }
}

/** The words for a notice, and whether it is a warning (something skipped) or information. */
export function describeFindNotice(notice: FindNotice, loc: Localize): { readonly warning: boolean; readonly text: string } {
    switch (notice.kind) {
        case 'brokenLink':
            return { warning: true, text: loc('FindBrokenLink', notice.path, notice.target) };
        case 'unreadable':
            return { warning: true, text: loc('FindUnreadable', notice.path, notice.code) };
        case 'loop':
            return { warning: false, text: loc('FindLinkLoop', notice.path, notice.target) };
        case 'outsideRootLink':
            return { warning: true, text: loc('FindOutsideRootLink', notice.link, notice.target, notice.files) };
        case 'outsideRootFolderLink':
            return { warning: true, text: loc('FindOutsideRootFolderLink', notice.link, notice.target) };
        case 'outsideRootPath':
            return { warning: true, text: loc('FindOutsideRootPath', notice.path, notice.target) };
        case 'sameFile':
            return { warning: false, text: loc('FindSameFile', notice.path, notice.keptPath) };
    }
}

/** Code-unit order: the same on every agent, whatever its locale. */
export function compareOrdinal(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
