import * as fs from 'fs';
import * as path from 'path';
import type { RunWorkItemsScope } from './link/workItems';
import type { UploadType } from './settings';

/**
 * The rules both front doors hold a user's values to: one table of ranges, defaults and allowed values, and the
 * parsers that apply them. The task and the command line word a refused value differently (task.json `messages`
 * against the CLI's own sentences) and throw their own errors, so every parser takes the refusal from its caller:
 * a function that builds the Error to throw. Nothing here prints.
 */

export type IfNoFilesFound = 'warn' | 'error' | 'ignore';

/** A whole number in `min`..`max`; an absent value means `fallback`. */
export interface WholeNumberRule {
    readonly min: number;
    readonly max: number;
    readonly fallback: number;
}

/** One of `allowed`, compared without case, answered as spelled here; an absent value means `fallback`. */
export interface ChoiceRule<T extends string> {
    readonly allowed: readonly T[];
    readonly fallback: T;
}

export const WHOLE_NUMBER_RULES = {
    /** In MiB. */
    chunkSize: { min: 1, max: 128, fallback: 8 },
    /** Files uploaded at once. */
    concurrency: { min: 1, max: 32, fallback: 4 },
    /** Retries per request. */
    retries: { min: 0, max: 10, fallback: 5 },
    /** In seconds. */
    stallTimeout: { min: 5, max: 3600, fallback: 120 },
    /** The most distinct work items one run may touch: a broad selection never sprays files over thousands. */
    maxWorkItems: { min: 1, max: 1000, fallback: 100 },
} as const satisfies Record<string, WholeNumberRule>;

export const CHOICE_RULES: {
    readonly uploadType: ChoiceRule<UploadType>;
    readonly ifNoFilesFound: ChoiceRule<IfNoFilesFound>;
    readonly runWorkItemsScope: ChoiceRule<RunWorkItemsScope>;
    readonly flag: ChoiceRule<'true' | 'false'>;
} = {
    uploadType: { allowed: ['auto', 'simple', 'chunked'], fallback: 'auto' },
    ifNoFilesFound: { allowed: ['warn', 'error', 'ignore'], fallback: 'warn' },
    runWorkItemsScope: { allowed: ['thisRun', 'sinceLastSuccessfulRun'], fallback: 'thisRun' },
    /** A yes/no value given as text (the task's boolean inputs; the CLI's flags need none). */
    flag: { allowed: ['true', 'false'], fallback: 'false' },
};

/** Work item IDs are positive 32-bit integers on the service. */
export const WORK_ITEM_ID_RANGE = { min: 1, max: 2_147_483_647 } as const;

/** Digits only: no sign, no fraction, no unit, no hex; `raw` undefined is the value left out. */
export function parseWholeNumber(raw: string | undefined, rule: WholeNumberRule, refuse: (raw: string) => Error): number {
    if (raw === undefined) {
        return rule.fallback;
    }
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < rule.min || value > rule.max) {
        throw refuse(raw);
    }
    return value;
}

/** `raw` undefined is the value left out; surrounding blanks and case do not matter. */
export function parseChoice<T extends string>(raw: string | undefined, rule: ChoiceRule<T>, refuse: (raw: string) => Error): T {
    if (raw === undefined) {
        return rule.fallback;
    }
    const wanted = raw.trim().toLowerCase();
    const match = rule.allowed.find((option) => option.toLowerCase() === wanted);
    if (match === undefined) {
        throw refuse(raw);
    }
    return match;
}

export interface WorkItemIdRefusals {
    /** `token` of `value` is not a work item ID. */
    readonly badId: (value: string, token: string) => Error;
    /** `value` holds no ID at all; without it, such a value simply adds none. */
    readonly noId?: (value: string) => Error;
}

/**
 * IDs separated by commas, semicolons, spaces or new lines, in one value or several; `#123` is accepted as the way
 * people write them. Each ID once, in the order given.
 */
export function parseWorkItemIds(values: readonly string[], refuse: WorkItemIdRefusals): number[] {
    const ids: number[] = [];
    for (const value of values) {
        const tokens = value.split(/[\s,;]+/).filter((part) => part !== '');
        if (tokens.length === 0 && refuse.noId !== undefined) {
            throw refuse.noId(value);
        }
        for (const token of tokens) {
            const match = /^#?(\d{1,10})$/.exec(token);
            const id = match ? Number(match[1]) : NaN;
            if (!Number.isSafeInteger(id) || id < WORK_ITEM_ID_RANGE.min || id > WORK_ITEM_ID_RANGE.max) {
                throw refuse.badId(value, token);
            }
            if (!ids.includes(id)) {
                ids.push(id);
            }
        }
    }
    return ids;
}

export interface FolderRefusals {
    /** No folder was given and there is no default either. */
    readonly missing: () => Error;
    readonly notFound: (folder: string) => Error;
    readonly notAFolder: (folder: string) => Error;
}

/** The absolute path of `folder` (resolved against `relativeTo`), which must be an existing folder. */
export function existingFolder(folder: string, relativeTo: string, refuse: FolderRefusals): string {
    if (folder === '') {
        throw refuse.missing();
    }
    const absolute = path.resolve(relativeTo, folder);
    let stats: fs.Stats;
    try {
        stats = fs.statSync(absolute);
    } catch {
        throw refuse.notFound(folder);
    }
    if (!stats.isDirectory()) {
        throw refuse.notAFolder(folder);
    }
    return absolute;
}

export interface PatternRefusals {
    readonly none: () => Error;
    /** Every pattern starts with `!`: nothing would ever match. */
    readonly onlyExcludes: (patterns: readonly string[]) => Error;
}

/** The patterns trimmed, blanks dropped; at least one must name files rather than exclude them. */
export function matchPatterns(given: readonly string[], refuse: PatternRefusals): string[] {
    const patterns = given.map((pattern) => pattern.trim()).filter((pattern) => pattern !== '');
    if (patterns.length === 0) {
        throw refuse.none();
    }
    if (patterns.every(isExclude)) {
        throw refuse.onlyExcludes(patterns);
    }
    return patterns;
}

/** As `tl.findMatch` reads a pattern: an odd number of leading `!` excludes, an even number (`!!a.txt`) includes. */
function isExclude(pattern: string): boolean {
    return (/^!*/.exec(pattern)?.[0].length ?? 0) % 2 === 1;
}
