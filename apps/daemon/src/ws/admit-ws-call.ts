import type { DaemonContext, Principal } from '../daemon-context.js';
import type { LimitExceeded } from '../limits/limit-exceeded.js';

/** How long a client refused while the server drains should wait (another replica, or this one restarted). */
const DRAINING_RETRY_AFTER_MS = 5_000;

/**
 * Admits one tool call over a WebSocket: refused while the daemon drains (limit `draining`),
 * otherwise by the shared rate limits (global, per user, per IP).
 */
export async function admitWsCall(context: Pick<DaemonContext, 'draining' | 'limits' | 'metrics'>, principal: Principal, ip: string): Promise<LimitExceeded | undefined> {
  if (context.draining) {
    context.metrics.refused.inc({ limit: 'draining' });
    return { limit: 'draining', message: 'the server is shutting down and takes no new calls; retry shortly', retryAfterMs: DRAINING_RETRY_AFTER_MS };
  }
  return context.limits.admitCall(principal, ip);
}
