import * as assert from 'assert/strict';
import { mapConcurrently } from '../../engine/concurrently';

describe('mapConcurrently', () => {
    it('returns the results in the items\' order, whatever order they finish in', async () => {
        const delays = [30, 5, 20, 0, 10];
        const results = await mapConcurrently(delays, 3, (ms) => new Promise<number>((resolve) => setTimeout(() => resolve(ms * 2), ms)));
        assert.deepEqual(results, [60, 10, 40, 0, 20]);
    });

    it('never runs more than the limit at once, and runs that many when it can', async () => {
        let running = 0;
        let most = 0;
        await mapConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async () => {
            running++;
            most = Math.max(most, running);
            await new Promise((resolve) => setTimeout(resolve, 5));
            running--;
        });
        assert.equal(most, 3);
    });

    it('handles no items, and a limit larger than the items', async () => {
        assert.deepEqual(await mapConcurrently([], 4, async (x: number) => x), []);
        assert.deepEqual(await mapConcurrently([1, 2], 10, async (x) => x + 1), [2, 3]);
    });
});
