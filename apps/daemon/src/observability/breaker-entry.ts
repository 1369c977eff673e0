import type { RouterStatus } from '@exai/router';

/** One key's or model's circuit breaker as the health file and the dashboard show it. */
export interface BreakerEntry {
  name: string;
  /** `isolated` for a key out of rotation (see `isolated_by`). */
  state: 'closed' | 'open' | 'half-open' | 'isolated';
  /** Keys only: why the key is out of rotation (`authentication`, `quota_exhausted`). */
  isolated_by?: string;
  consecutive_failures: number;
  /** While open: ms until a probe is allowed. */
  retry_after_ms?: number;
}

/** A provider key's breaker (named by its label, never the key). */
export function keyBreakerEntry(key: RouterStatus['keys'][number]): BreakerEntry {
  return {
    name: key.label,
    state: key.isolatedBy ? 'isolated' : key.breaker.state,
    ...(key.isolatedBy ? { isolated_by: key.isolatedBy } : {}),
    consecutive_failures: key.breaker.consecutiveFailures,
    ...(key.breaker.retryAfterMs !== undefined ? { retry_after_ms: key.breaker.retryAfterMs } : {}),
  };
}

/** A model's breaker. */
export function modelBreakerEntry(model: RouterStatus['models'][number]): BreakerEntry {
  return {
    name: model.name,
    state: model.state,
    consecutive_failures: model.consecutiveFailures,
    ...(model.retryAfterMs !== undefined ? { retry_after_ms: model.retryAfterMs } : {}),
  };
}
