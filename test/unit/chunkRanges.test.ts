import * as assert from 'assert/strict';
import { chunkRanges, contentRangeHeader, rangeLength } from '../../engine/upload/chunkRanges';

describe('chunkRanges', () => {
    it('has no ranges for an empty file', () => {
        assert.deepEqual(chunkRanges(0, 4), []);
    });

    it('has one one-byte range for a one-byte file', () => {
        assert.deepEqual(chunkRanges(1, 4), [{ first: 0, last: 0, total: 1 }]);
    });

    it('splits an exact multiple of the chunk size into full chunks', () => {
        assert.deepEqual(chunkRanges(12, 4), [
            { first: 0, last: 3, total: 12 },
            { first: 4, last: 7, total: 12 },
            { first: 8, last: 11, total: 12 },
        ]);
    });

    it('puts the extra byte of a multiple + 1 into a last one-byte chunk', () => {
        const ranges = chunkRanges(13, 4);
        assert.equal(ranges.length, 4);
        assert.deepEqual(ranges[3], { first: 12, last: 12, total: 13 });
    });

    it('covers every byte once, in order, with a constant total', () => {
        const total = 10 * 1024 * 1024 + 17;
        const ranges = chunkRanges(total, 1024 * 1024);
        let expectedFirst = 0;
        for (const range of ranges) {
            assert.equal(range.first, expectedFirst);
            assert.equal(range.total, total);
            assert.ok(rangeLength(range) <= 1024 * 1024);
            expectedFirst = range.last + 1;
        }
        assert.equal(expectedFirst, total);
    });

    it('formats the Content-Range header with inclusive offsets', () => {
        assert.equal(contentRangeHeader({ first: 8, last: 11, total: 13 }), 'bytes 8-11/13');
    });

    it('rejects a chunk size below one byte and a negative size', () => {
        assert.throws(() => chunkRanges(10, 0), RangeError);
        assert.throws(() => chunkRanges(-1, 4), RangeError);
    });
});
