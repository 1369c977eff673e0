import { hasErrorMarker, markError } from './error-marker.js';

/** Fields of a {@link RateLimitExceededError}. */
export interface RateLimitExceededErrorOptions {
  /** Name of the limiter, such as `global` or `user`. */
  limiter: string;
  /** The key that ran out of tokens (a user id, an IP address). */
  key: string;
  /** Milliseconds until the key has tokens again. */
  retryAfterMs: number;
}

/**
 * A rate limiter refused a call (thrown by `consumeOrThrow`). Stable `code`: `over_rate_limit`. Not a
 * vendor's 429 (that is the contract's `RateLimitedError`): this is our own limit on our callers.
 */
export class RateLimitExceededError extends Error {
  /** Stable code: `over_rate_limit`. */
  readonly code = 'over_rate_limit' as const;
  readonly limiter: string;
  readonly key: string;
  /** Milliseconds until the key has tokens again. */
  readonly retryAfterMs: number;

  constructor(options: RateLimitExceededErrorOptions) {
    super(`Rate limit "${options.limiter}" exceeded for ${options.key}; try again in ${options.retryAfterMs} ms.`);
    this.name = 'RateLimitExceededError';
    this.limiter = options.limiter;
    this.key = options.key;
    this.retryAfterMs = options.retryAfterMs;
    markError(this, 'RateLimitExceededError');
  }

  /** True for any `RateLimitExceededError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is RateLimitExceededError {
    return hasErrorMarker(error, 'RateLimitExceededError');
  }
}
