import { ExponentialBackoff, fullJitterGenerator, type IBackoff, type IBackoffFactory, type IRetryBackoffContext } from 'cockatiel';

/** Settings of {@link RetryAfterBackoff}. */
export interface RetryAfterBackoffOptions {
  /** Upper bound of the first delay (full jitter picks a delay in `[0, bound)`). */
  initialDelayMs: number;
  /** Cap of the exponential bound. A retry-after longer than this still wins. */
  maxDelayMs: number;
  /** Reads the wait the failed call asked for (a vendor's retry-after), if any. */
  retryAfterMs?: (error: unknown) => number | undefined;
}

type Context = IRetryBackoffContext<unknown>;

/**
 * A cockatiel backoff: exponential with full jitter (`random() * min(maxDelay, initial * 2^n)`, AWS's
 * "full jitter", so clients that failed together do not retry together), floored by the retry-after
 * of the error that caused the retry, so we never come back sooner than the vendor asked.
 */
export class RetryAfterBackoff implements IBackoffFactory<Context> {
  private readonly exponential: ExponentialBackoff<number>;

  constructor(private readonly options: RetryAfterBackoffOptions) {
    this.exponential = new ExponentialBackoff({
      generator: fullJitterGenerator,
      initialDelay: options.initialDelayMs,
      maxDelay: options.maxDelayMs,
    });
  }

  /** The first delay, for the context of the first failure. */
  next(context: Context): IBackoff<Context> {
    return this.step(this.exponential.next(), context);
  }

  private step(jittered: IBackoff<unknown>, context: Context): IBackoff<Context> {
    const requested = 'error' in context.result ? this.options.retryAfterMs?.(context.result.error) : undefined;
    return {
      duration: Math.max(jittered.duration, requested !== undefined && Number.isFinite(requested) ? requested : 0),
      next: (nextContext) => this.step(jittered.next(nextContext), nextContext),
    };
  }
}
