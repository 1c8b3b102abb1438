import { HttpError, isRetryable, requestedDelayMs } from './errors';

export interface RetryTiming {
    /** The first backoff; each further retry doubles it. */
    readonly baseDelayMs: number;
    /** The longest backoff the task chooses itself. */
    readonly maxDelayMs: number;
    /** The longest wait the task accepts from a `Retry-After` header before it gives up waiting longer. */
    readonly maxRequestedDelayMs: number;
}

export const DEFAULT_RETRY_TIMING: RetryTiming = { baseDelayMs: 1_000, maxDelayMs: 30_000, maxRequestedDelayMs: 300_000 };

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
 * One policy serves every upload of a run: a server that asks one request to wait is throttling the
 * identity, so every request that starts afterwards waits too.
 */
export class RetryPolicy {
    private resumeAt = 0;
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
                const delayMs = this.delayBeforeRetry(attempt, error);
                this.onRetry(Object.freeze({ operation, attempt, maxAttempts, delayMs, error }));
                await this.clock.sleep(delayMs);
            }
        }
    }

    /** Honours a `Retry-After` that came on a successful response: later requests start no earlier. */
    slowDown(delayMs: number): void {
        const capped = Math.min(delayMs, this.timing.maxRequestedDelayMs);
        this.resumeAt = Math.max(this.resumeAt, this.clock.now() + capped);
    }

    /** The server's requested wait when it sent one, else exponential backoff with jitter. */
    delayBeforeRetry(failedAttempt: number, error: unknown): number {
        const requested = error instanceof HttpError ? requestedDelayMs(error.headers, this.clock.now()) : undefined;
        if (requested !== undefined) {
            this.slowDown(requested);
            return Math.min(requested, this.timing.maxRequestedDelayMs);
        }
        return this.backoffMs(failedAttempt);
    }

    /** "Equal jitter": half of the exponential step is fixed, half random, so retries spread out but never collapse to zero. */
    backoffMs(failedAttempt: number): number {
        const step = Math.min(this.timing.maxDelayMs, this.timing.baseDelayMs * 2 ** (failedAttempt - 1));
        return Math.round(step / 2 + (this.clock.random() * step) / 2);
    }

    private async waitWhileSlowedDown(): Promise<void> {
        let remaining = this.resumeAt - this.clock.now();
        while (remaining > 0) {
            await this.clock.sleep(remaining);
            remaining = this.resumeAt - this.clock.now();
        }
    }
}
