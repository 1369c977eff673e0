import { CapacityExceededError, createBulkhead, type Bulkhead } from '@exai/resilience';
import { OverCapacityError, type CapacityScope } from './router-errors.js';
import { routerDefaults, type RouterLimits } from './router-options.js';

/** One bulkhead's load, for `router.status()`. */
export interface BulkheadStatus {
  scope: CapacityScope;
  /** `global`, the session id, or the provider id. */
  name: string;
  limit: number;
  inFlight: number;
  queued: number;
  queueLimit: number;
}

const settingNames: Record<CapacityScope, (name: string) => string> = {
  global: () => 'EXAI_WS_GLOBAL_MAX_INFLIGHT',
  session: () => 'EXAI_WS_SESSION_MAX_INFLIGHT',
  provider: (name) => `EXAI_WS_${name.toUpperCase()}_MAX_INFLIGHT`,
};

/** The router's bulkheads: global, per session (created on demand, dropped when idle) and per provider. */
export class CallLimits {
  readonly global: Bulkhead;
  private readonly providers = new Map<string, Bulkhead>();
  private readonly sessions = new Map<string, Bulkhead>();
  private readonly sessionLimit: number;
  private readonly queue: number;
  private readonly queueTimeoutMs: number;

  constructor(
    limits: RouterLimits,
    providerIds: readonly string[],
  ) {
    const defaults = routerDefaults.limits;
    this.queue = limits.queue ?? defaults.queue;
    this.queueTimeoutMs = limits.queueTimeoutMs ?? defaults.queueTimeoutMs;
    this.sessionLimit = limits.sessionInFlight ?? defaults.sessionInFlight;
    this.global = this.bulkhead('global', limits.globalInFlight ?? defaults.globalInFlight);
    for (const id of providerIds) {
      this.providers.set(id, this.bulkhead(`provider:${id}`, limits.providerInFlight?.[id] ?? defaults.providerInFlight[id] ?? defaults.otherProviderInFlight));
    }
  }

  /** The bulkhead of a provider. */
  provider(id: string): Bulkhead {
    return this.providers.get(id) as Bulkhead;
  }

  /** The bulkhead of a session, created on first use. */
  session(id: string): Bulkhead {
    let bulkhead = this.sessions.get(id);
    if (!bulkhead) {
      bulkhead = this.bulkhead(`session:${id}`, this.sessionLimit);
      this.sessions.set(id, bulkhead);
    }
    return bulkhead;
  }

  /** Forgets a session's bulkhead once nothing runs or waits in it (sessions come and go). */
  releaseSession(id: string): void {
    const bulkhead = this.sessions.get(id);
    if (bulkhead && bulkhead.inFlight === 0 && bulkhead.queued === 0) this.sessions.delete(id);
  }

  /** Every bulkhead's load. */
  status(): BulkheadStatus[] {
    const entry = (scope: CapacityScope, name: string, bulkhead: Bulkhead): BulkheadStatus => ({
      scope,
      name,
      limit: bulkhead.limit,
      inFlight: bulkhead.inFlight,
      queued: bulkhead.queued,
      queueLimit: bulkhead.queueLimit,
    });
    const result = [entry('global', 'global', this.global)];
    for (const [id, bulkhead] of this.providers) result.push(entry('provider', id, bulkhead));
    for (const [id, bulkhead] of this.sessions) result.push(entry('session', id, bulkhead));
    return result;
  }

  private bulkhead(name: string, limit: number): Bulkhead {
    return createBulkhead({ name, limit, queue: this.queue, queueTimeoutMs: this.queueTimeoutMs });
  }
}

/** Converts resilience's `CapacityExceededError` into the router's `OverCapacityError`; other errors pass. */
export function toOverCapacity(error: unknown, scope: CapacityScope, name: string): unknown {
  if (!CapacityExceededError.isInstance(error)) return error;
  return new OverCapacityError({ scope, limitName: name, limit: error.limit, retryAfterMs: error.retryAfterMs, setting: settingNames[scope](name), cause: error });
}
