import * as fs from 'fs';
import * as path from 'path';
import type { RunWorkItemsScope } from '../../../engine/link/workItems';
import { MEBIBYTE, type TransferSettings } from '../../../engine/settings';
import type { Localize } from '../../../engine/text/localize';

export type IfNoFilesFound = 'warn' | 'error' | 'ignore';

export interface TaskSettings extends TransferSettings {
    readonly rootFolder: string;
    readonly patterns: string[];
    readonly ifNoFilesFound: IfNoFilesFound;
    /** Upload files whose real path lies outside rootFolder (through a link or a pattern); default false: they are skipped. */
    readonly allowFilesOutsideRoot: boolean;
    /** Empty: the pipeline's own project, or collection level with a service connection. */
    readonly project?: string;
    /** The id of an "Azure Repos/Team Foundation Server" service connection; empty: the pipeline's own token. */
    readonly connection?: string;
    /** Work items named in `workItemIds`, each once, in the order given. */
    readonly workItemIds: number[];
    /** Also link to the work items associated with this run (the build's, or the classic release's). */
    readonly linkRunWorkItems: boolean;
    /** The relation comment; empty: one that describes the run. */
    readonly comment?: string;
    /** A WIQL query whose work items are targets too; undefined when empty. */
    readonly workItemQuery?: string;
    /** The most distinct work items one run may touch (1 to 1000). */
    readonly maxWorkItems: number;
    /** Which runs' work items `linkBuildWorkItems` means. */
    readonly runWorkItemsScope: RunWorkItemsScope;
    readonly replaceOlderVersions: boolean;
    readonly discussionComment: boolean;
}

/** What the agent hands the task: inputs by name, and the folder an empty `rootFolder` means. */
export interface InputSource {
    getInput(name: string): string | undefined;
    defaultWorkingDirectory(): string | undefined;
}

/** A bad input: nothing has been uploaded when this is thrown. */
export class InputError extends Error {
    override readonly name = 'InputError';
}

/** Reads and validates every input up front, so a bad value fails the task before the first request. */
export function readSettings(source: InputSource, loc: Localize): TaskSettings {
    const input = (name: string) => (source.getInput(name) ?? '').trim();
    const wholeNumber = (name: string, fallback: number, min: number, max: number) =>
        parseWholeNumber(name, input(name), fallback, min, max, loc);

    return {
        rootFolder: existingFolder(input('rootFolder') || source.defaultWorkingDirectory() || '', loc),
        patterns: matchPatterns(source.getInput('contents') ?? '', loc),
        areaPath: input('areaPath') || undefined,
        chunkSizeBytes: wholeNumber('chunkSizeMB', 8, 1, 128) * MEBIBYTE,
        uploadType: choice('uploadType', input('uploadType'), ['auto', 'simple', 'chunked'] as const, loc),
        ifNoFilesFound: choice('ifNoFilesFound', input('ifNoFilesFound'), ['warn', 'error', 'ignore'] as const, loc),
        concurrency: wholeNumber('concurrency', 4, 1, 32),
        retries: wholeNumber('retries', 5, 0, 10),
        stallTimeoutMs: wholeNumber('stallTimeoutSeconds', 120, 5, 3600) * 1000,
        allowFilesOutsideRoot: parseBoolean('allowFilesOutsideRoot', input('allowFilesOutsideRoot'), loc),
        project: input('project') || undefined,
        connection: input('connection') || undefined,
        workItemIds: parseWorkItemIds(input('workItemIds'), loc),
        linkRunWorkItems: parseBoolean('linkBuildWorkItems', input('linkBuildWorkItems'), loc),
        comment: input('comment') || undefined,
        workItemQuery: input('workItemQuery') || undefined,
        maxWorkItems: wholeNumber('maxWorkItems', 100, 1, 1000),
        runWorkItemsScope: scope(input('runWorkItemsScope'), loc),
        replaceOlderVersions: parseBoolean('replaceOlderVersions', input('replaceOlderVersions'), loc),
        discussionComment: parseBoolean('discussionComment', input('discussionComment'), loc),
    };
}

/** IDs separated by commas, semicolons, spaces or new lines; `#123` is accepted as the way people write them. */
export function parseWorkItemIds(raw: string, loc: Localize): number[] {
    const ids: number[] = [];
    for (const token of raw.split(/[\s,;]+/).filter((part) => part !== '')) {
        const match = /^#?(\d{1,10})$/.exec(token);
        const id = match ? Number(match[1]) : NaN;
        if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
            throw new InputError(loc('InputWorkItemIdInvalid', raw, token));
        }
        if (!ids.includes(id)) {
            ids.push(id);
        }
    }
    return ids;
}

function parseBoolean(name: string, raw: string, loc: Localize): boolean {
    if (raw === '') {
        return false;
    }
    const value = raw.toLowerCase();
    if (value !== 'true' && value !== 'false') {
        throw new InputError(loc('InputNotOneOf', name, raw, 'true, false'));
    }
    return value === 'true';
}

export function parseWholeNumber(name: string, raw: string, fallback: number, min: number, max: number, loc: Localize): number {
    if (raw === '') {
        return fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
        throw new InputError(loc('InputNotWholeNumberInRange', name, raw, min, max));
    }
    return value;
}

function choice<T extends string>(name: string, raw: string, allowed: readonly T[], loc: Localize): T {
    if (raw === '') {
        return allowed[0];
    }
    const match = allowed.find((option) => option === raw.toLowerCase());
    if (match === undefined) {
        throw new InputError(loc('InputNotOneOf', name, raw, allowed.join(', ')));
    }
    return match;
}

/** The names as task.json spells them (the agent passes the option's key as it is). */
function scope(raw: string, loc: Localize): RunWorkItemsScope {
    const allowed: RunWorkItemsScope[] = ['thisRun', 'sinceLastSuccessfulRun'];
    if (raw === '') {
        return 'thisRun';
    }
    const match = allowed.find((option) => option.toLowerCase() === raw.toLowerCase());
    if (match === undefined) {
        throw new InputError(loc('InputNotOneOf', 'runWorkItemsScope', raw, allowed.join(', ')));
    }
    return match;
}

function matchPatterns(raw: string, loc: Localize): string[] {
    const patterns = raw
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
    if (patterns.length === 0 || patterns.every((pattern) => pattern.startsWith('!'))) {
        throw new InputError(loc('InputContentsEmpty', raw.trim()));
    }
    return patterns;
}

function existingFolder(folder: string, loc: Localize): string {
    if (folder === '') {
        throw new InputError(loc('InputRootFolderMissing'));
    }
    const absolute = path.resolve(folder);
    let stats: fs.Stats;
    try {
        stats = fs.statSync(absolute);
    } catch {
        throw new InputError(loc('InputRootFolderNotFound', folder));
    }
    if (!stats.isDirectory()) {
        throw new InputError(loc('InputRootFolderNotFolder', folder));
    }
    return absolute;
}
