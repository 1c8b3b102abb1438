/** When a request arrived and when it was over, on one clock. */
export interface Interval {
    readonly start: number;
    readonly end: number;
}

/**
 * The most requests that ran strictly one after another (each arrived after the one before had ended), earliest end
 * first: how many round trips a client waited in a row, whatever ran beside them.
 */
export function requestsInSequence(intervals: readonly Interval[]): number {
    let count = 0;
    let endedAt = -Infinity;
    for (const interval of [...intervals].sort((a, b) => a.end - b.end)) {
        if (interval.start >= endedAt) {
            count++;
            endedAt = interval.end;
        }
    }
    return count;
}
