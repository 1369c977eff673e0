import type { ChatModel, Provider } from '@exai/router/spec';
import type { CircuitBreaker, IDisposable } from '@exai/resilience';

/**
 * One API key of a provider (one `Provider` instance per key), with its own breaker and in-flight
 * count. Its label (`glm#1`) is what logs, events and results show; the key itself never appears.
 */
export class ProviderKey {
  inFlight = 0;
  /** Until then (ms since epoch) the key is rate-limited: another key goes first. */
  rateLimitedUntil = 0;
  /** The error that took the key out of rotation (revoked, out of quota), while it is isolated. */
  isolatedBy: unknown = undefined;
  private isolation: IDisposable | undefined;
  private isolationTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly models = new Map<string, ChatModel>();

  constructor(
    readonly label: string,
    readonly providerId: string,
    readonly provider: Provider,
    readonly breaker: CircuitBreaker,
  ) {}

  /** The key's chat model for a vendor model id, created once (providers do no I/O here). */
  chatModel(modelId: string): ChatModel {
    let model = this.models.get(modelId);
    if (!model) {
      model = this.provider.chatModel(modelId);
      this.models.set(modelId, model);
    }
    return model;
  }

  /** Takes the key out of rotation for `ms` (its breaker is isolated), remembering why. */
  isolate(error: unknown, ms: number): void {
    this.isolatedBy = error;
    if (!this.isolation) this.isolation = this.breaker.isolate();
    clearTimeout(this.isolationTimer);
    // Unref'd: an isolated key must not keep a process alive.
    this.isolationTimer = setTimeout(() => this.restore(), ms);
    this.isolationTimer.unref?.();
  }

  /** Puts the key back into rotation. */
  restore(): void {
    clearTimeout(this.isolationTimer);
    this.isolationTimer = undefined;
    this.isolatedBy = undefined;
    const isolation = this.isolation;
    this.isolation = undefined;
    isolation?.dispose();
  }
}

/** The keys of one provider, balanced by in-flight count. */
export class ProviderKeyPool {
  private cursor = 0;

  constructor(
    readonly providerId: string,
    readonly keys: readonly ProviderKey[],
  ) {}

  /**
   * The key for the next attempt: among keys whose breaker lets a call through and that are not in
   * `exclude`, the one with the fewest calls in flight (keys still rate-limited go last); ties rotate,
   * so sequential calls spread over the keys. Undefined when no key can take a call.
   */
  pick(exclude: readonly ProviderKey[] | undefined, now: number): ProviderKey | undefined {
    const keys = this.keys;
    if (keys.length === 1) {
      const only = keys[0] as ProviderKey;
      return only.breaker.isOpen() || exclude?.includes(only) ? undefined : only;
    }
    let best: ProviderKey | undefined;
    let bestScore = Infinity;
    const start = this.cursor;
    for (let offset = 0; offset < keys.length; offset++) {
      const key = keys[(start + offset) % keys.length] as ProviderKey;
      if (exclude?.includes(key) || key.breaker.isOpen()) continue;
      const score = key.inFlight + (key.rateLimitedUntil > now ? 1_000_000 : 0);
      if (score < bestScore) {
        best = key;
        bestScore = score;
      }
    }
    if (best) this.cursor = (keys.indexOf(best) + 1) % keys.length;
    return best;
  }

  /**
   * Whether a key other than those in `exclude` can take a call now (without moving the rotation);
   * with `unlimited`, only keys that are not rate-limited count.
   */
  hasUsable(exclude: readonly ProviderKey[] | undefined, now: number, unlimited = false): boolean {
    for (const key of this.keys) {
      if (exclude?.includes(key) || key.breaker.isOpen()) continue;
      if (unlimited && key.rateLimitedUntil > now) continue;
      return true;
    }
    return false;
  }

  /** The key to force a call through when every breaker is open: the least busy one not excluded nor isolated. */
  lastResort(exclude: readonly ProviderKey[] | undefined): ProviderKey | undefined {
    let best: ProviderKey | undefined;
    for (const key of this.keys) {
      if (exclude?.includes(key) || key.breaker.state === 'isolated') continue;
      if (!best || key.inFlight < best.inFlight) best = key;
    }
    return best;
  }

  /** Whether some key can take a call now. */
  usable(): boolean {
    for (const key of this.keys) if (!key.breaker.isOpen()) return true;
    return false;
  }

  /** Why no key can take a call (for decisions), or undefined. */
  blockedReason(): string | undefined {
    if (this.usable()) return undefined;
    return `every ${this.providerId} key is out of rotation (${this.keys.map((key) => `${key.label}: ${describeKey(key)}`).join(', ')})`;
  }
}

function describeKey(key: ProviderKey): string {
  const code = (key.isolatedBy as { code?: unknown } | undefined)?.code;
  if (key.breaker.state === 'isolated') return typeof code === 'string' ? code.replace(/_/g, ' ') : 'isolated';
  return `breaker ${key.breaker.state}`;
}
