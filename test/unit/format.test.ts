import * as assert from 'assert/strict';
import { formatBytes, formatSeconds, formatSpeed } from '../../engine/text/format';

describe('format', () => {
    it('gives small sizes in bytes, and larger ones rounded with the exact count', () => {
        assert.equal(formatBytes(0), '0 bytes');
        assert.equal(formatBytes(1023), '1,023 bytes');
        assert.equal(formatBytes(1024), '1.00 KiB (1,024 bytes)');
        assert.equal(formatBytes(1_572_864), '1.50 MiB (1,572,864 bytes)');
        assert.equal(formatBytes(3 * 1024 ** 3 + 1), '3.00 GiB (3,221,225,473 bytes)');
    });

    it('gives seconds and MiB/s with two decimals', () => {
        assert.equal(formatSeconds(1234), '1.23 s');
        assert.equal(formatSpeed(10 * 1024 * 1024, 2000), '5.00 MiB/s');
    });
});
