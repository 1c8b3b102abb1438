import { HttpError, ThrottleBudgetSpentError, isRetryable, retryAfterMs } from './errors';

export interface RetryTiming {
    /** The first backoff; each further retry doubles it. */
    readonly baseDelayMs: number;
    /** The longest backoff the task chooses itself. */
    readonly maxDelayMs: number;
    /** The longest single wait the task grants a `Retry-After`: an hour-long one must not put the job to sleep. */
    readonly maxRequestedDelayMs: number;
    /** How long throttling may hold the run back in all; past it, a 429 fails its request at once. */
    readonly throttleBudgetMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxRequestedDelayMs: 60_000, throttleBudgetMs: 600_000 };

export interface Clock {
    now(): number;
    sleep(ms: number): Promise<void>;
    random(): number;
}

export const systemClock: Clock = {
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: () => Math.random(),
};

export interface RetryNotice {
    readonly operation: string;
    /** The attempt that failed, from 1. */
    readonly attempt: number;
    readonly maxAttempts: number;
    readonly delayMs: number;
    readonly error: unknown;
}

/**
 * Retries throttled, failed-on-the-server and broken requests with exponential backoff and jitter.
 * One policy serves every upload of a run: a server that throttles one request is throttling the
 * identity, so every request that starts afterwards waits too. The waits throttling causes are
 * bounded twice: one wait by `maxRequestedDelayMs`, all of them together by `throttleBudgetMs`.
 */
export class RetryPolicy {
    private resumeAt = 0;
    private throttledMs = 0;
    private retried = 0;
    /** Failures that have used up the retries of an inner operation (the API negotiation inside an upload). */
    private readonly exhausted = new WeakSet<object>();

    constructor(
        readonly retries: number,
        private readonly clock: Clock,
        private readonly onRetry: (notice: RetryNotice) => void,
        private readonly timing: RetryTiming = DEFAULT_RETRY_TIMING,
    ) {
        if (!Number.isInteger(retries) || retries < 0) {
            throw new RangeError(`retries must be a non-negative integer, got ${retries}`);
        }
    }

    /** How many attempts failed and were tried again, so far. */
    get retryCount(): number {
        return this.retried;
    }

    /** How long throttling has held the run back so far. */
    get throttledForMs(): number {
        return this.throttledMs;
    }

    async run<T>(operation: string, attemptOnce: () => Promise<T>): Promise<T> {
        const maxAttempts = this.retries + 1;
        for (let attempt = 1; ; attempt++) {
            await this.waitWhileSlowedDown();
            try {
                return await attemptOnce();
            } catch (error) {
                // Retrying what an inner operation already gave up on would multiply the attempts: 6 x 6 instead of 6.
                if (!isRetryable(error) || this.exhausted.has(error as object)) {
                    throw error;
                }
                if (attempt >= maxAttempts) {
                    this.exhausted.add(error as object);
                    throw error;
                }
                if (isThrottled(error) && this.budgetLeftMs() === 0) {
                    const spent = new ThrottleBudgetSpentError(error as HttpError, this.timing.throttleBudgetMs);
                    this.exhausted.add(spent);
                    throw spent;
                }
                const delayMs = this.delayBeforeRetry(attempt, error);
                this.retried++;
                this.onRetry(Object.freeze({ operation, attempt, maxAttempts, delayMs, error }));
                await this.clock.sleep(delayMs);
            }
        }
    }

    /** Honours a `Retry-After` that came on a successful response: later requests start no earlier, within the budget. */
    slowDown(delayMs: number): void {
        this.holdBack(delayMs);
    }

    /**
     * The server's `Retry-After` when it sent one, else exponential backoff with jitter. After a 429 the wait holds
     * back every request of the run; it counts against the throttling budget, and so does any `Retry-After`.
     */
    delayBeforeRetry(failedAttempt: number, error: unknown): number {
        const requested = error instanceof HttpError ? retryAfterMs(error.headers, this.clock.now()) : undefined;
        if (isThrottled(error)) {
            return this.holdBack(requested ?? this.backoffMs(failedAttempt));
        }
        if (requested !== undefined && this.budgetLeftMs() > 0) {
            return this.holdBack(requested);
        }
        return this.backoffMs(failedAttempt);
    }

    /** "Equal jitter": half of the exponential step is fixed, half random, so retries spread out but never collapse to zero. */
    backoffMs(failedAttempt: number): number {
        const step = Math.min(this.timing.maxDelayMs, this.timing.baseDelayMs * 2 ** (failedAttempt - 1));
        return Math.round(step / 2 + (this.clock.random() * step) / 2);
    }

    /**
     * Holds every request back until `delayMs` (at most `maxRequestedDelayMs`) from now. Only the part that lies
     * beyond an earlier hold counts against the budget, so concurrent 429s of one window count once.
     * Returns how long the caller now has to wait.
     */
    private holdBack(delayMs: number): number {
        const now = this.clock.now();
        const heldUntil = Math.max(this.resumeAt, now);
        const extension = Math.max(0, now + Math.min(delayMs, this.timing.maxRequestedDelayMs) - heldUntil);
        const granted = Math.min(extension, this.budgetLeftMs());
        this.throttledMs += granted;
        this.resumeAt = heldUntil + granted;
        return this.resumeAt - now;
    }

    private budgetLeftMs(): number {
        return Math.max(0, this.timing.throttleBudgetMs - this.throttledMs);
    }

    private async waitWhileSlowedDown(): Promise<void> {
        let remaining = this.resumeAt - this.clock.now();
        while (remaining > 0) {
            await this.clock.sleep(remaining);
            remaining = this.resumeAt - this.clock.now();
        }
    }
}

function isThrottled(error: unknown): boolean {
    return error instanceof HttpError && error.status === 429;
}
