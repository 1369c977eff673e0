import type { KeyStatus, RouterStatus } from '@exai/router';

type BreakerSnapshot = KeyStatus['breaker'];

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)} s`;

/** A breaker in words: `closed`, `open (retry in 12 s)`, `half-open`, `isolated`. */
export function describeBreaker(breaker: BreakerSnapshot): string {
  return breaker.state === 'open' && breaker.retryAfterMs !== undefined ? `open (retry in ${seconds(breaker.retryAfterMs)})` : breaker.state;
}

/** Whether the router may pick this key now (half-open lets a probe through). */
export function keyUsable(key: KeyStatus): boolean {
  return (key.breaker.state === 'closed' || key.breaker.state === 'half-open') && key.isolatedBy === undefined && key.rateLimitedForMs === undefined;
}

/** A key in words, by its label (`glm#1: isolated (quota_exhausted)`); never the key itself. */
export function describeKey(key: KeyStatus): string {
  const notes: string[] = [describeBreaker(key.breaker)];
  if (key.isolatedBy !== undefined) notes.push(`out of rotation: ${key.isolatedBy}`);
  if (key.rateLimitedForMs !== undefined) notes.push(`rate-limited for ${seconds(key.rateLimitedForMs)}`);
  return `${key.label}: ${notes.join(', ')}`;
}

/**
 * Why a model that is configured cannot be served right now, or undefined when it can: its breaker
 * is open, or every key of its provider is out of rotation.
 */
export function currentTrouble(status: RouterStatus, model: { id: string; provider: string }): string | undefined {
  const breaker = status.models.find((snapshot) => snapshot.name === model.id);
  if (breaker && breaker.state !== 'closed' && breaker.state !== 'half-open') return `breaker ${describeBreaker(breaker)}`;
  const keys = status.keys.filter((key) => key.provider === model.provider);
  if (keys.length > 0 && !keys.some(keyUsable)) return `every ${model.provider} key is out of rotation (${keys.map(describeKey).join('; ')})`;
  return undefined;
}
