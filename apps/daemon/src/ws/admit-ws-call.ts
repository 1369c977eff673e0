import type { DaemonContext, Principal } from '../daemon-context.js';
import type { LimitExceeded } from '../limits/limit-exceeded.js';

/**
 * Admits one tool call over a WebSocket: refused while the daemon drains (limit `draining`),
 * otherwise by the shared rate limits (global, per user, per IP).
 */
export async function admitWsCall(context: Pick<DaemonContext, 'draining' | 'limits'>, principal: Principal, ip: string): Promise<LimitExceeded | undefined> {
  if (context.draining) return context.limits.refuseDraining('calls');
  return context.limits.admitCall(principal, ip);
}
