import { hasErrorMarker, markError } from './error-marker.js';

/** Fields of a {@link RateLimitStoreError}. */
export interface RateLimitStoreErrorOptions {
  /** Name of the limiter. */
  limiter: string;
  /** The key being checked. */
  key: string;
  /** The Redis error (or the store timeout). */
  cause: unknown;
}

/**
 * The rate limit store (Redis) could not be reached or did not answer in time. A limiter that fails
 * closed (`failOpen: false`) rejects with it; every limiter reports it to `onRedisError`.
 * Stable `code`: `rate_limit_store_unavailable`.
 */
export class RateLimitStoreError extends Error {
  /** Stable code: `rate_limit_store_unavailable`. */
  readonly code = 'rate_limit_store_unavailable' as const;
  readonly limiter: string;
  readonly key: string;

  constructor(options: RateLimitStoreErrorOptions) {
    const detail = options.cause instanceof Error ? options.cause.message : String(options.cause);
    super(`Rate limit "${options.limiter}" could not check "${options.key}" against its Redis store (${detail}). Try again shortly.`, { cause: options.cause });
    this.name = 'RateLimitStoreError';
    this.limiter = options.limiter;
    this.key = options.key;
    markError(this, 'RateLimitStoreError');
  }

  /** True for any `RateLimitStoreError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is RateLimitStoreError {
    return hasErrorMarker(error, 'RateLimitStoreError');
  }
}
