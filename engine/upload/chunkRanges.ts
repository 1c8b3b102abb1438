/** One `Content-Range` of a chunked upload: `first` and `last` are inclusive byte offsets. */
export interface ChunkRange {
    readonly first: number;
    readonly last: number;
    readonly total: number;
}

export function rangeLength(range: ChunkRange): number {
    return range.last - range.first + 1;
}

export function contentRangeHeader(range: ChunkRange): string {
    return `bytes ${range.first}-${range.last}/${range.total}`;
}

/**
 * Splits a file of `totalBytes` into consecutive ranges of at most `chunkBytes`.
 * An empty file has no ranges: the chunked protocol cannot describe zero bytes, so callers upload it simply.
 */
export function chunkRanges(totalBytes: number, chunkBytes: number): ChunkRange[] {
    if (!Number.isSafeInteger(totalBytes) || totalBytes < 0) {
        throw new RangeError(`totalBytes must be a non-negative integer, got ${totalBytes}`);
    }
    if (!Number.isSafeInteger(chunkBytes) || chunkBytes < 1) {
        throw new RangeError(`chunkBytes must be a positive integer, got ${chunkBytes}`);
    }
    const ranges: ChunkRange[] = [];
    for (let first = 0; first < totalBytes; first += chunkBytes) {
        ranges.push({ first, last: Math.min(first + chunkBytes, totalBytes) - 1, total: totalBytes });
    }
    return ranges;
}
