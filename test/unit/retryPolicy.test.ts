import * as assert from 'assert/strict';
import * as sinon from 'sinon';
import { FileChangedError, HttpError, NetworkError, ThrottleBudgetSpentError } from '../../engine/http/errors';
import { checkResponse } from '../../engine/upload/attachmentClient';
import { RetryPolicy, type Clock, type RetryNotice } from '../../engine/http/retryPolicy';

const timing = { baseDelayMs: 1_000, maxDelayMs: 8_000, maxRequestedDelayMs: 60_000, throttleBudgetMs: 600_000 };

function fakeClock(clock: sinon.SinonFakeTimers, random = () => 0.5): Clock {
    return {
        now: () => clock.now,
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
        random,
    };
}

function status(code: number, headers: Record<string, string> = {}): HttpError {
    return new HttpError(code, `status ${code}`, undefined, headers);
}

describe('RetryPolicy', () => {
    let clock: sinon.SinonFakeTimers;
    let notices: RetryNotice[];

    beforeEach(() => {
        clock = sinon.useFakeTimers();
        notices = [];
    });

    afterEach(() => {
        clock.restore();
    });

    function policy(retries: number, random?: () => number): RetryPolicy {
        return new RetryPolicy(retries, fakeClock(clock, random), (notice) => notices.push(notice), timing);
    }

    it('returns the first success without waiting', async () => {
        const attempt = sinon.stub().resolves('ok');
        assert.equal(await policy(3).run('op', attempt), 'ok');
        assert.equal(attempt.callCount, 1);
        assert.equal(clock.now, 0);
    });

    for (const code of [429, 500, 502, 503, 504]) {
        it(`retries HTTP ${code}`, async () => {
            const attempt = sinon.stub().onFirstCall().rejects(status(code)).onSecondCall().resolves('ok');
            const result = policy(2).run('op', attempt);
            await clock.runAllAsync();
            assert.equal(await result, 'ok');
            assert.equal(attempt.callCount, 2);
        });
    }

    for (const code of [400, 401, 403, 404, 409, 203]) {
        it(`does not retry HTTP ${code}`, async () => {
            const attempt = sinon.stub().rejects(status(code));
            await assert.rejects(policy(5).run('op', attempt), HttpError);
            assert.equal(attempt.callCount, 1);
            assert.deepEqual(notices, []);
        });
    }

    it('retries a connection reset and a stall, but not a certificate error or a changed file', async () => {
        for (const [error, retried] of [
            [new NetworkError('ECONNRESET', 'reset'), true],
            [new NetworkError('ESTALLED', 'stalled'), true],
            [new NetworkError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self signed'), false],
            [new FileChangedError('resized', 10, 5), false],
        ] as const) {
            const attempt = sinon.stub().onFirstCall().rejects(error).onSecondCall().resolves('ok');
            const result = policy(1).run('op', attempt).catch((failure: unknown) => failure);
            await clock.runAllAsync();
            assert.equal(await result, retried ? 'ok' : error, String(error));
        }
    });

    it('backs off exponentially with jitter, capped', async () => {
        const retries = 5;
        const attempt = sinon.stub().rejects(status(503));
        const result = policy(retries, () => 1).run('op', attempt).catch((failure: unknown) => failure);
        await clock.runAllAsync();
        assert.ok((await result) instanceof HttpError);
        // random() = 1 gives the full step: 1 s, 2 s, 4 s, then the 8 s cap.
        assert.deepEqual(notices.map((notice) => notice.delayMs), [1_000, 2_000, 4_000, 8_000, 8_000]);
        assert.equal(attempt.callCount, retries + 1);
    });

    it('never waits less than half the step, whatever the jitter', () => {
        const p = policy(3, () => 0);
        assert.deepEqual([1, 2, 3, 4, 5].map((n) => p.backoffMs(n)), [500, 1_000, 2_000, 4_000, 4_000]);
    });

    it('waits exactly Retry-After seconds instead of its own backoff', async () => {
        const attempt = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '7' })).onSecondCall().resolves('ok');
        const result = policy(1).run('op', attempt);
        await clock.tickAsync(6_999);
        assert.equal(attempt.callCount, 1, 'not before Retry-After');
        await clock.tickAsync(1);
        assert.equal(await result, 'ok');
        assert.equal(notices[0].delayMs, 7_000);
    });

    it('ignores X-RateLimit-Delay, which says how long the server already delayed the request: only Retry-After is a wait', async () => {
        const attempt = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '1', 'x-ratelimit-delay': '30' })).onSecondCall().resolves('ok');
        const result = policy(1).run('op', attempt);
        await clock.runAllAsync();
        await result;
        assert.equal(notices[0].delayMs, 1_000);
    });

    it('backs off on its own after a 429 that carries only X-RateLimit-Delay', async () => {
        const attempt = sinon.stub().onFirstCall().rejects(status(429, { 'x-ratelimit-delay': '30' })).onSecondCall().resolves('ok');
        const result = policy(1).run('op', attempt);
        await clock.runAllAsync();
        await result;
        assert.equal(notices[0].delayMs, 750, 'the first backoff step with random() = 0.5');
    });

    it('asks for no slow-down on a success that carries X-RateLimit-Delay, but does for Retry-After', () => {
        const slowDowns: number[] = [];
        const answer = (headers: Record<string, string>) => ({ status: 200, headers, body: '{}' });
        checkResponse(answer({ 'x-ratelimit-delay': '30' }), (ms) => slowDowns.push(ms));
        assert.equal(slowDowns.length, 0);
        checkResponse(answer({ 'x-ratelimit-delay': '30', 'retry-after': '2' }), (ms) => slowDowns.push(ms));
        assert.deepEqual(slowDowns, [2_000]);
    });

    it('caps a Retry-After of hours at 60 s', async () => {
        const p = new RetryPolicy(1, fakeClock(clock), (notice) => notices.push(notice));
        const attempt = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '7200' })).onSecondCall().resolves('ok');
        const result = p.run('op', attempt);
        await clock.tickAsync(59_999);
        assert.equal(attempt.callCount, 1, 'not before 60 s');
        await clock.tickAsync(1);
        assert.equal(await result, 'ok');
        assert.equal(notices[0].delayMs, 60_000);
    });

    it('caps a Retry-After of hours on a success at 60 s too', async () => {
        const p = new RetryPolicy(0, fakeClock(clock), (notice) => notices.push(notice));
        p.slowDown(7_200_000);
        const attempt = sinon.stub().resolves('ok');
        const result = p.run('op', attempt);
        await clock.tickAsync(60_000);
        assert.equal(await result, 'ok');
        assert.equal(clock.now, 60_000);
    });

    it('waits 10 minutes for throttling in all, then fails a 429 at once, and says so', async () => {
        const p = new RetryPolicy(100, fakeClock(clock), (notice) => notices.push(notice));
        const attempt = sinon.stub().rejects(status(429, { 'retry-after': '7200' }));
        const result = p.run('op', attempt).catch((failure: unknown) => failure);
        await clock.runAllAsync();
        const error = await result;
        assert.ok(error instanceof ThrottleBudgetSpentError, String(error));
        assert.equal(error.throttled.status, 429);
        assert.equal(clock.now, 600_000, 'ten waits of 60 s, not 100');
        assert.equal(attempt.callCount, 11);
        assert.equal(p.throttledForMs, 600_000);
    });

    it('counts concurrent 429s of one window once against the budget', async () => {
        const p = new RetryPolicy(1, fakeClock(clock), (notice) => notices.push(notice));
        const first = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '30' })).resolves('a');
        const second = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '30' })).resolves('b');
        const both = Promise.all([p.run('a', first), p.run('b', second)]);
        await clock.runAllAsync();
        assert.deepEqual(await both, ['a', 'b']);
        assert.equal(p.throttledForMs, 30_000);
        assert.equal(clock.now, 30_000);
    });

    it('grants the last wait only what is left of the budget', async () => {
        const p = new RetryPolicy(20, fakeClock(clock), (notice) => notices.push(notice), { ...timing, throttleBudgetMs: 90_000 });
        const attempt = sinon.stub().rejects(status(429, { 'retry-after': '60' }));
        const result = p.run('op', attempt).catch((failure: unknown) => failure);
        await clock.runAllAsync();
        assert.ok((await result) instanceof ThrottleBudgetSpentError);
        assert.deepEqual(notices.map((notice) => notice.delayMs), [60_000, 30_000]);
        assert.equal(clock.now, 90_000);
    });

    it('still retries a 503 with its own backoff once the throttling budget is spent', async () => {
        const p = new RetryPolicy(5, fakeClock(clock, () => 1), (notice) => notices.push(notice), { ...timing, throttleBudgetMs: 1_000 });
        const attempt = sinon.stub()
            .onFirstCall().rejects(status(503, { 'retry-after': '5' }))
            .onSecondCall().rejects(status(503, { 'retry-after': '5' }))
            .resolves('ok');
        const result = p.run('op', attempt);
        await clock.runAllAsync();
        assert.equal(await result, 'ok');
        assert.deepEqual(notices.map((notice) => notice.delayMs), [1_000, 2_000], 'the budget granted 1 s, then the backoff took over');
    });

    it('makes other operations wait out a 429 too, since throttling is per identity', async () => {
        const p = policy(1);
        const throttled = sinon.stub().onFirstCall().rejects(status(429, { 'retry-after': '5' })).onSecondCall().resolves('a');
        const first = p.run('a', throttled);
        await clock.tickAsync(0);
        const other = sinon.stub().resolves('b');
        const second = p.run('b', other);
        await clock.tickAsync(4_999);
        assert.equal(other.callCount, 0, 'the other operation waits');
        await clock.tickAsync(1);
        assert.deepEqual(await Promise.all([first, second]), ['a', 'b']);
    });

    it('delays later operations after a Retry-After on a success', async () => {
        const p = policy(0);
        p.slowDown(3_000);
        const attempt = sinon.stub().resolves('ok');
        const result = p.run('op', attempt);
        await clock.tickAsync(2_999);
        assert.equal(attempt.callCount, 0);
        await clock.tickAsync(1);
        assert.equal(await result, 'ok');
    });

    it('gives up after the last retry with the last error, and tells about each retry', async () => {
        const attempt = sinon.stub().rejects(status(429, { 'retry-after': '1' }));
        const result = policy(2).run('file.txt', attempt).catch((failure: unknown) => failure);
        await clock.runAllAsync();
        const error = await result;
        assert.ok(error instanceof HttpError && error.status === 429);
        assert.equal(attempt.callCount, 3);
        assert.deepEqual(notices.map(({ operation, attempt: n, maxAttempts }) => [operation, n, maxAttempts]), [
            ['file.txt', 1, 3],
            ['file.txt', 2, 3],
        ]);
        assert.ok(Object.isFrozen(notices[0]));
    });

    it('does not retry again what an inner operation has already given up on, so attempts never multiply', async () => {
        const retries = policy(2);
        const negotiate = sinon.stub().rejects(new NetworkError('ECONNREFUSED', 'connect ECONNREFUSED'));
        const result = retries.run('upload', () => retries.run('negotiation', negotiate)).catch((failure: unknown) => failure);
        await clock.runAllAsync();
        assert.ok((await result) instanceof NetworkError);
        assert.equal(negotiate.callCount, 3);
        assert.deepEqual(notices.map(({ operation }) => operation), ['negotiation', 'negotiation']);
    });

    it('does not retry a proxy that refused the credentials, but does retry one that could not reach the server', async () => {
        const refused = sinon.stub().rejects(new NetworkError('ECONNRESET', 'tunneling socket could not be established, statusCode=407'));
        await assert.rejects(policy(3).run('op', refused), NetworkError);
        assert.equal(refused.callCount, 1);

        const unreachable = sinon.stub().onFirstCall().rejects(new NetworkError('ECONNRESET', 'tunneling socket could not be established, statusCode=502')).resolves('ok');
        const result = policy(3).run('op', unreachable);
        await clock.runAllAsync();
        assert.equal(await result, 'ok');
    });

    it('with 0 retries makes exactly one attempt', async () => {
        const attempt = sinon.stub().rejects(status(503));
        await assert.rejects(policy(0).run('op', attempt));
        assert.equal(attempt.callCount, 1);
    });

    it('rejects a negative retry count up front', () => {
        assert.throws(() => policy(-1), RangeError);
    });
});
