import * as assert from 'assert/strict';
import { formatBytes, formatDuration, formatSeconds, formatSize, formatSpeed } from '../../engine/text/format';

describe('format', () => {
    it('gives small sizes in bytes, and larger ones rounded with the exact count', () => {
        assert.equal(formatBytes(0), '0 bytes');
        assert.equal(formatBytes(1023), '1,023 bytes');
        assert.equal(formatBytes(1024), '1.00 KiB (1,024 bytes)');
        assert.equal(formatBytes(1_572_864), '1.50 MiB (1,572,864 bytes)');
        assert.equal(formatBytes(3 * 1024 ** 3 + 1), '3.00 GiB (3,221,225,473 bytes)');
    });

    it('gives the rounded size alone, with no brackets, for lines that are already in brackets', () => {
        assert.equal(formatSize(1023), '1,023 bytes');
        assert.equal(formatSize(150_000), '146.48 KiB');
        assert.equal(formatSize(1_572_864), '1.50 MiB');
    });

    it('gives seconds with two decimals', () => {
        assert.equal(formatSeconds(1234), '1.23 s');
    });

    it('gives durations in milliseconds below a second and in minutes past one', () => {
        assert.equal(formatDuration(0), '0 ms');
        assert.equal(formatDuration(4.4), '4 ms');
        assert.equal(formatDuration(999), '999 ms');
        assert.equal(formatDuration(1234), '1.23 s');
        assert.equal(formatDuration(125_000), '2 min 05 s');
    });

    it('gives rates with three significant digits in the unit that suits them, never 0.00 MiB/s', () => {
        assert.equal(formatSpeed(10 * 1024 * 1024, 2000), '5.00 MiB/s');
        assert.equal(formatSpeed(10_000, 3), '3.18 MiB/s');
        assert.equal(formatSpeed(10_000, 40), '244 KiB/s');
        assert.equal(formatSpeed(100, 1000), '100 bytes/s');
        assert.equal(formatSpeed(10_000, 0), '9.54 MiB/s');
        assert.equal(formatSpeed(2 * 1024 ** 3, 1000), '2.00 GiB/s');
    });
});
