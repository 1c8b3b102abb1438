import * as assert from 'assert/strict';
import type { BigIntStats } from 'fs';
import * as sinon from 'sinon';
import { FileChangedError, FileLockedError, FileUnreadableError } from '../../engine/http/errors';
import { LOCK_RETRIES, LOCK_RETRY_DELAY_MS, assertSameFile, fingerprintOf, retryWhileLocked } from '../../engine/files/fileFingerprint';

/** An NTFS file ID past 2^53: a Number would round it, and two files would look like one. */
const BIG_ID = 2n ** 53n + 1n;

function stats(overrides: Partial<Record<'dev' | 'ino' | 'size' | 'mtimeNs' | 'ctimeNs', bigint>> = {}): BigIntStats {
    return { dev: 7n, ino: BIG_ID, size: 100n, mtimeNs: 1_700_000_000_000_000_000n, ctimeNs: 1_700_000_000_123_456_789n, ...overrides } as BigIntStats;
}

const file = { size: 100, fingerprint: fingerprintOf(stats()) };

function errno(code: string): NodeJS.ErrnoException {
    return Object.assign(new Error(`${code}: test`), { code });
}

describe('fileFingerprint', () => {
    describe('assertSameFile', () => {
        it('accepts the file as it matched', () => {
            assert.doesNotThrow(() => assertSameFile(file, stats()));
        });

        const cases: [string, Parameters<typeof stats>[0], FileChangedError['reason']][] = [
            ['another file under the name (a rename over it), even one ID apart past 2^53', { ino: BIG_ID + 1n }, 'replaced'],
            ['the same ID on another volume', { dev: 8n }, 'replaced'],
            ['another size', { size: 99n }, 'resized'],
            ['a rewrite whose time was set back: only the change time tells', { ctimeNs: 1_700_000_001_000_000_000n }, 'modified'],
            ['another modification time', { mtimeNs: 1n }, 'modified'],
        ];
        for (const [what, change, reason] of cases) {
            it(`refuses ${what} (${reason})`, () => {
                assert.throws(() => assertSameFile(file, stats(change), 'hashing'), (error: unknown) => error instanceof FileChangedError && error.reason === reason && error.during === 'hashing');
            });
        }
    });

    describe('retryWhileLocked', () => {
        let clock: sinon.SinonFakeTimers;

        beforeEach(() => {
            clock = sinon.useFakeTimers();
        });

        afterEach(() => {
            clock.restore();
        });

        it(`tries a locked file ${LOCK_RETRIES} more times, ${LOCK_RETRY_DELAY_MS} ms apart, and succeeds once the lock is gone`, async () => {
            const operation = sinon.stub();
            operation.onCall(0).rejects(errno('EBUSY'));
            operation.onCall(1).rejects(errno('EPERM'));
            operation.onCall(2).resolves('bytes');
            const result = retryWhileLocked(operation, file, 'upload');
            await clock.tickAsync(LOCK_RETRY_DELAY_MS - 1);
            assert.equal(operation.callCount, 1, "no second try before the delay");
            await clock.tickAsync(LOCK_RETRY_DELAY_MS * 2);
            assert.equal(await result, 'bytes');
            assert.equal(operation.callCount, 3);
        });

        it('gives up with a locked-file error that counts the attempts', async () => {
            const operation = sinon.stub().rejects(errno('EACCES'));
            const result = retryWhileLocked(operation, file, 'hashing');
            await clock.tickAsync(LOCK_RETRY_DELAY_MS * (LOCK_RETRIES + 1));
            await assert.rejects(result, (error: unknown) => error instanceof FileLockedError && error.code === 'EACCES' && error.attempts === LOCK_RETRIES + 1 && error.during === 'hashing');
            assert.equal(operation.callCount, LOCK_RETRIES + 1);
        });

        it('does not retry a deleted or otherwise unreadable file, and says which', async () => {
            await assert.rejects(retryWhileLocked(sinon.stub().rejects(errno('ENOENT')), file, 'upload'), (error: unknown) => error instanceof FileChangedError && error.reason === 'deleted');
            const failing = sinon.stub().rejects(errno('EIO'));
            await assert.rejects(retryWhileLocked(failing, file, 'upload'), (error: unknown) => error instanceof FileUnreadableError && error.code === 'EIO');
            assert.equal(failing.callCount, 1);
        });
    });
});
