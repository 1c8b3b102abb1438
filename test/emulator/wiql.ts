import type { Exchange } from './exchange';
import type { WiqlAnswer } from './types';

/** A WIQL body is one query; anything much bigger is not a client of this task. */
const maxWiqlBytes = 256 * 1024;

/** FACTS.md: a WIQL result holds at most 20,000 items. */
export const maxWiqlItems = 20_000;

/**
 * "Wiql - Query By Wiql": the emulator does not parse WIQL; the test's `answer` decides what a query finds (or that
 * the server rejects it), and the emulator shapes the reply as the service does: a flat query's `workItems`, a link
 * query's `workItemRelations` (a row with no source for each top-level item), `$top` applied to the rows.
 */
export async function answerWiql(ex: Exchange, collectionUrl: string, answer: ((query: string) => WiqlAnswer) | undefined, queries: string[]): Promise<void> {
    if (ex.method !== 'POST') {
        return ex.fail({ status: 405, message: `The HTTP method '${ex.method}' is not supported by this route.`, typeKey: 'MethodNotAllowed' });
    }
    const parts: Buffer[] = [];
    let size = 0;
    await ex.body.read((chunk) => {
        size += chunk.length;
        if (size <= maxWiqlBytes) {
            parts.push(chunk);
        }
    });
    let query: unknown;
    try {
        query = (JSON.parse(Buffer.concat(parts).toString('utf8')) as { query?: unknown }).query;
    } catch {
        query = undefined;
    }
    if (typeof query !== 'string' || query.trim() === '') {
        return ex.fail({ status: 400, message: 'VS402330: The query is missing or empty.', typeKey: 'ArgumentNullException' });
    }
    queries.push(query);
    const rawTop = ex.q('$top');
    // FACTS.md: the result is capped at 20,000 items, whatever `$top` asks for.
    const top = Math.min(rawTop !== undefined && /^\d+$/.test(rawTop) ? Number(rawTop) : maxWiqlItems, maxWiqlItems);
    const result = answer ? answer(query) : { workItems: [] };
    const ref = (id: number) => ({ id, url: `${collectionUrl}_apis/wit/workItems/${id}` });
    const common = { asOf: new Date().toISOString(), columns: [{ referenceName: 'System.Id', name: 'ID', url: `${collectionUrl}_apis/wit/fields/System.Id` }] };
    if ('error' in result) {
        return ex.fail({ status: 400, message: result.error, typeKey: 'WorkItemTrackingQueryException' });
    }
    if ('links' in result) {
        const workItemRelations = result.links.slice(0, top).map(({ source, target, rel }) => ({
            rel: source === undefined ? null : rel ?? 'System.LinkTypes.Hierarchy-Forward',
            source: source === undefined ? null : ref(source),
            target: ref(target),
        }));
        return ex.json(200, { queryType: 'oneHop', queryResultType: 'workItemLink', ...common, workItemRelations });
    }
    return ex.json(200, { queryType: 'flat', queryResultType: 'workItem', ...common, workItems: result.workItems.slice(0, top).map(ref) });
}
