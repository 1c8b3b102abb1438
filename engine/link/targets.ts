import { isRequestRefusal } from '../http/errors';
import { WHOLE_NUMBER_RULES } from '../inputRules';
import type { Localize, TaskLog } from '../text/localize';
import type { WorkItemFailure } from './linking';
import type { RunIdentity, WorkItemsClient } from './workItems';

/** `maxWorkItems` when the front door gives none: the default both front doors apply. */
export const DEFAULT_MAX_WORK_ITEMS = WHOLE_NUMBER_RULES.maxWorkItems.fallback;

/** What selects the target work items: the named ones, a WIQL query, the run's; at most `maxWorkItems` of them together. */
export interface TargetSelection {
    readonly workItemIds: readonly number[];
    readonly workItemQuery?: string;
    readonly runWorkItems?: RunIdentity;
    readonly maxWorkItems?: number;
}

/** Nothing may be uploaded: the targets cannot be known (a rejected query) or are too many. The message says why. */
export class TargetsRefusedError extends Error {
    override readonly name = 'TargetsRefusedError';
}

export interface TargetsContext {
    readonly workItems: WorkItemsClient;
    readonly log: TaskLog;
    readonly loc: Localize;
    describe(error: unknown): string;
}

export interface Targets {
    /** Each once, in the order: named, found by the query, the run's. */
    readonly ids: number[];
    /** A lookup of the run's work items that failed: the other targets still get the files. */
    readonly failures: WorkItemFailure[];
}

/**
 * Gathers every target before anything is read or uploaded. A query the server refuses, or more distinct work items
 * than `maxWorkItems`, throws TargetsRefusedError: a broad selection never sprays files over thousands of items.
 */
export async function gatherTargets(selection: TargetSelection, context: TargetsContext): Promise<Targets> {
    const { workItems, log, loc } = context;
    const limit = selection.maxWorkItems ?? DEFAULT_MAX_WORK_ITEMS;
    const ids = [...selection.workItemIds];
    const add = (found: readonly number[]) => ids.push(...found.filter((id) => !ids.includes(id)));
    const sources: string[] = [];
    if (selection.workItemIds.length > 0) {
        sources.push(loc('TargetsFromIds', selection.workItemIds.length));
    }
    let capped = false;
    const query = selection.workItemQuery?.trim();
    if (query) {
        // One row more than the limit tells "over it" apart from "exactly at it" without reading everything.
        const result = await workItems.query(query, limit + 1).catch((error: unknown) => {
            throw new TargetsRefusedError(describeQueryFailure(error, query, context));
        });
        capped = result.capped;
        sources.push(capped ? loc('TargetsFromQueryMore', limit) : loc('TargetsFromQuery', result.ids.length));
        log.info(loc('QueryFound', result.ids.length, firstLine(query)));
        add(result.ids);
    }
    const failures: WorkItemFailure[] = [];
    const run = selection.runWorkItems;
    if (run) {
        try {
            // One more than the limit, as for the query: "over it" is told apart from "exactly at it".
            const found = await workItems.runWorkItems(run, limit + 1);
            capped ||= found.capped === true;
            if (found.since === 'none') {
                log.info(loc(run.hostType === 'release' ? 'NoEarlierDeployment' : 'NoEarlierSuccessfulRun'));
            } else if (found.since) {
                log.info(loc(found.since.kind === 'release' ? 'SinceLastDeployment' : 'SinceLastSuccessfulRun', found.since.name, found.ids.length));
            }
            if (found.ids.length === 0) {
                log.warning(loc('NoRunWorkItems', run.hostType));
            } else {
                sources.push(found.capped ? loc('TargetsFromRunMore', limit) : loc('TargetsFromRun', found.ids.length));
            }
            add(found.ids);
        } catch (error) {
            failures.push({ subject: loc('RunWorkItemsSubject', run.hostType), reason: context.describe(error) });
        }
    }
    if (capped || ids.length > limit) {
        const count = capped ? loc('MoreThan', limit) : String(ids.length);
        throw new TargetsRefusedError(loc('TooManyWorkItems', count, sources.join(', '), limit));
    }
    return { ids, failures };
}

/** The server's words when it refused the query (a 4xx), else what went wrong; with the query's first line either way. */
function describeQueryFailure(error: unknown, query: string, context: TargetsContext): string {
    return isRequestRefusal(error) ? context.loc('QueryRejected', error.serverMessage, firstLine(query)) : context.loc('QueryFailed', context.describe(error), firstLine(query));
}

function firstLine(query: string): string {
    const line = query.split(/\r?\n/).find((part) => part.trim() !== '') ?? '';
    return line.trim().length > 120 ? `${line.trim().slice(0, 120)}…` : line.trim();
}
