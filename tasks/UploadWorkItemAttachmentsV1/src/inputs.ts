import {
    CHOICE_RULES,
    existingFolder,
    matchPatterns,
    parseChoice,
    parseWholeNumber,
    parseWorkItemIds,
    WHOLE_NUMBER_RULES,
    type ChoiceRule,
    type IfNoFilesFound,
    type WholeNumberRule,
} from '../../../engine/inputRules';
import type { RunWorkItemsScope } from '../../../engine/link/workItems';
import { MEBIBYTE, type TransferSettings } from '../../../engine/settings';
import type { Localize } from '../../../engine/text/localize';

export type { IfNoFilesFound };

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

/**
 * Reads and validates every input up front, so a bad value fails the task before the first request. The ranges,
 * defaults and allowed values are the engine's (inputRules.ts), shared with the command line; the words are task.json's.
 */
export function readSettings(source: InputSource, loc: Localize): TaskSettings {
    /** The agent gives an input left empty as ''; the rules call that left out. */
    const input = (name: string) => (source.getInput(name) ?? '').trim();
    const given = (name: string) => input(name) || undefined;
    const refuse = (key: string, ...params: (string | number)[]) => new InputError(loc(key, ...params));
    const wholeNumber = (name: string, rule: WholeNumberRule) =>
        parseWholeNumber(given(name), rule, (raw) => refuse('InputNotWholeNumberInRange', name, raw, rule.min, rule.max));
    const choice = <T extends string>(name: string, rule: ChoiceRule<T>) =>
        parseChoice(given(name), rule, (raw) => refuse('InputNotOneOf', name, raw, rule.allowed.join(', ')));
    const flag = (name: string) => choice(name, CHOICE_RULES.flag) === 'true';

    return {
        rootFolder: rootFolder(input('rootFolder') || source.defaultWorkingDirectory() || '', refuse),
        patterns: contents(source.getInput('contents') ?? '', refuse),
        areaPath: given('areaPath'),
        chunkSizeBytes: wholeNumber('chunkSizeMB', WHOLE_NUMBER_RULES.chunkSize) * MEBIBYTE,
        uploadType: choice('uploadType', CHOICE_RULES.uploadType),
        ifNoFilesFound: choice('ifNoFilesFound', CHOICE_RULES.ifNoFilesFound),
        concurrency: wholeNumber('concurrency', WHOLE_NUMBER_RULES.concurrency),
        retries: wholeNumber('retries', WHOLE_NUMBER_RULES.retries),
        stallTimeoutMs: wholeNumber('stallTimeoutSeconds', WHOLE_NUMBER_RULES.stallTimeout) * 1000,
        allowFilesOutsideRoot: flag('allowFilesOutsideRoot'),
        project: given('project'),
        connection: given('connection'),
        workItemIds: parseWorkItemIds([input('workItemIds')], { badId: (value, token) => refuse('InputWorkItemIdInvalid', value, token) }),
        linkRunWorkItems: flag('linkBuildWorkItems'),
        comment: given('comment'),
        workItemQuery: given('workItemQuery'),
        maxWorkItems: wholeNumber('maxWorkItems', WHOLE_NUMBER_RULES.maxWorkItems),
        runWorkItemsScope: choice('runWorkItemsScope', CHOICE_RULES.runWorkItemsScope),
        replaceOlderVersions: flag('replaceOlderVersions'),
        discussionComment: flag('discussionComment'),
    };
}

type Refuse = (key: string, ...params: (string | number)[]) => InputError;

/** Relative to the agent's working folder, as the agent resolves any path input. */
function rootFolder(folder: string, refuse: Refuse): string {
    return existingFolder(folder, process.cwd(), {
        missing: () => refuse('InputRootFolderMissing'),
        notFound: (given) => refuse('InputRootFolderNotFound', given),
        notAFolder: (given) => refuse('InputRootFolderNotFolder', given),
    });
}

/** One pattern a line; a line that starts with # is a comment. */
function contents(raw: string, refuse: Refuse): string[] {
    const lines = raw.split(/\r?\n/).filter((line) => !line.trim().startsWith('#'));
    const empty = () => refuse('InputContentsEmpty', raw.trim());
    return matchPatterns(lines, { none: empty, onlyExcludes: empty });
}
