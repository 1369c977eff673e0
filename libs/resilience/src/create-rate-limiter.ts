import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitExceededError } from './rate-limit-exceeded-error.js';
import { RateLimitStoreError } from './rate-limit-store-error.js';

/** Settings of {@link createRateLimiter}. */
export interface RateLimiterOptions {
  /** Name used in keys, errors and logs, such as `global`, `user` or `ip`. */
  name: string;
  /** Sustained rate allowed per key. */
  ratePerSecond: number;
  /**
   * Tokens a key may spend at once (an integer ≥ `ratePerSecond`). Default: `ratePerSecond` rounded
   * up. The bucket refills in full every `ceil(burst / ratePerSecond)` seconds (see the README).
   */
  burst?: number;
  /** Prefix of the store keys. Default `exai:ratelimit:<name>`. Give each limiter its own. */
  keyPrefix?: string;
  /** An ioredis client: several processes sharing one Redis then enforce one limit. Absent: in memory. */
  redis?: Redis;
  /**
   * When Redis fails or does not answer within `storeTimeoutMs`: true (default) falls back to an
   * in-memory limit in this process; false rejects `consume` with `RateLimitStoreError`.
   */
  failOpen?: boolean;
  /** Called for every Redis failure, whether the limiter then fails open or closed. */
  onRedisError?: (error: RateLimitStoreError) => void;
  /** Longest wait for Redis, in ms, before treating it as down. Default 500. */
  storeTimeoutMs?: number;
}

/** The answer of {@link RateLimiter.consume}. */
export interface RateLimitDecision {
  /** Whether the call may go ahead (its tokens were taken). */
  allowed: boolean;
  /** 0 when allowed; otherwise milliseconds until the key's bucket refills. */
  retryAfterMs: number;
  /** Tokens the key has left in the current window. */
  remaining: number;
}

/** A token bucket per key; see {@link createRateLimiter}. */
export interface RateLimiter {
  readonly name: string;
  /** Tokens per window (the burst). */
  readonly burst: number;
  /** Length of a window, in ms. */
  readonly windowMs: number;
  /**
   * Takes `points` tokens (default 1) from `key`'s bucket. Resolves with a decision either way;
   * rejects only with `RateLimitStoreError` (Redis down and `failOpen: false`) or a `RangeError` for
   * `points` that are not an integer between 1 and `burst`.
   */
  consume(key: string, points?: number): Promise<RateLimitDecision>;
  /** Like `consume`, but rejects with {@link RateLimitExceededError} when the call is not allowed. */
  consumeOrThrow(key: string, points?: number): Promise<RateLimitDecision>;
}

/** The limits the apps apply by default, in requests per second (original-system.md §4 for IP). */
export const rateLimitDefaults = {
  /** All callers together. */
  globalPerSecond: 50,
  /** Per user (session or token). */
  userPerSecond: 20,
  /** Per client IP address (daemon transport). */
  ipPerSecond: 10,
  /** Longest wait for Redis before it counts as down. */
  storeTimeoutMs: 500,
} as const;

/**
 * Creates a per-key rate limiter on `rate-limiter-flexible`: `RateLimiterMemory` in this process, or
 * `RateLimiterRedis` shared by every process using the same Redis and key prefix (one atomic Lua
 * script per call). Each key has a bucket of `burst` tokens that refills in full once per window of
 * `ceil(burst / ratePerSecond)` whole seconds, starting at the key's first call (rate-limiter-flexible
 * counts fixed windows; Redis keys expire in whole seconds, hence the rounding). The sustained rate
 * never exceeds `ratePerSecond`, and equals it when `burst / ratePerSecond` is a whole number.
 *
 * @example
 * const perUser = createRateLimiter({ name: 'user', ratePerSecond: 20, redis, onRedisError: (error) => logger.warn({ err: error }) });
 * const decision = await perUser.consume(userId);
 * if (!decision.allowed) return tooManyRequests(decision.retryAfterMs);
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { name, ratePerSecond } = options;
  if (!(ratePerSecond > 0 && Number.isFinite(ratePerSecond))) {
    throw new RangeError(`rate limiter "${name}": ratePerSecond must be a positive number, got ${ratePerSecond}`);
  }
  const burst = options.burst ?? Math.ceil(ratePerSecond);
  if (!Number.isInteger(burst) || burst < ratePerSecond) {
    throw new RangeError(
      `rate limiter "${name}": burst must be an integer of at least ratePerSecond (${ratePerSecond}), got ${burst}; windows are whole seconds`,
    );
  }
  const storeTimeoutMs = options.storeTimeoutMs ?? rateLimitDefaults.storeTimeoutMs;
  if (!(storeTimeoutMs > 0)) throw new RangeError(`rate limiter "${name}": storeTimeoutMs must be positive, got ${storeTimeoutMs}`);
  // The tolerance keeps float noise (3 / 0.3 = 10.000000000000002) from adding a second.
  const windowSeconds = Math.max(1, Math.ceil(burst / ratePerSecond - 1e-9));
  const settings = { points: burst, duration: windowSeconds, keyPrefix: options.keyPrefix ?? `exai:ratelimit:${name}` };
  // The in-memory limiter is the whole limiter without Redis, and the fail-open fallback with it. We
  // catch Redis errors ourselves rather than using rate-limiter-flexible's `insuranceLimiter`, which
  // falls back silently: we want `onRedisError` and a store timeout.
  const memory = new RateLimiterMemory(settings);
  const store = options.redis ? new RateLimiterRedis({ ...settings, storeClient: options.redis }) : undefined;
  const failOpen = options.failOpen ?? true;

  const consume = async (key: string, points = 1): Promise<RateLimitDecision> => {
    if (!Number.isInteger(points) || points < 1 || points > burst) {
      throw new RangeError(`rate limiter "${name}": points must be an integer from 1 to the burst (${burst}), got ${points}`);
    }
    if (!store) return decide(memory, key, points);
    try {
      return await withTimeout(decide(store, key, points), storeTimeoutMs);
    } catch (cause) {
      const error = new RateLimitStoreError({ limiter: name, key, cause });
      options.onRedisError?.(error);
      if (failOpen) return decide(memory, key, points);
      throw error;
    }
  };

  return {
    name,
    burst,
    windowMs: windowSeconds * 1000,
    consume,
    async consumeOrThrow(key, points) {
      const decision = await consume(key, points);
      if (!decision.allowed) throw new RateLimitExceededError({ limiter: name, key, retryAfterMs: decision.retryAfterMs });
      return decision;
    },
  };
}

/** rate-limiter-flexible resolves when allowed and rejects with a `RateLimiterRes` when not (or with an Error when the store fails). */
async function decide(limiter: RateLimiterAbstract, key: string, points: number): Promise<RateLimitDecision> {
  try {
    const result = await limiter.consume(key, points);
    return { allowed: true, retryAfterMs: 0, remaining: result.remainingPoints };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      return { allowed: false, retryAfterMs: Math.max(1, rejection.msBeforeNext), remaining: rejection.remainingPoints };
    }
    throw rejection;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
