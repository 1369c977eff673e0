import type { Exchange } from './exchange.js';
import { applyDirectives, applyMarkers, type FaultPlan } from './faults.js';
import type { WireError } from './glm-errors.js';
import { respondJson } from './http-io.js';
import type { SimState } from './state.js';

/** How a vendor turns a fault into its error body. */
export interface VendorErrors {
  /** The vendor error for a `[[sim:error:<code>]]` marker. */
  error(code: string, plan: FaultPlan, exchange: Exchange): WireError;
  /** The vendor's generic body for a bare `[[sim:status:<http>]]`. */
  status(status: number): WireError;
}

/**
 * Collects the request's faults: fault rules first, then the `x-sim-fault` header, then the markers in
 * `markerText` (later ones win). A marker latency replaces the default latency.
 */
export function planFaults(exchange: Exchange, state: SimState, markerText: string, model: string | undefined): void {
  const plan: FaultPlan = {};
  state.rules.apply(plan, { vendor: exchange.vendor, path: exchange.path, model });
  const header = exchange.req.headers['x-sim-fault'];
  if (typeof header === 'string') applyDirectives(plan, header);
  applyMarkers(plan, markerText);
  exchange.plan = plan;
  if (plan.latencyMs !== undefined) exchange.latencyMs = plan.latencyMs;
}

/**
 * Acts on the faults that replace the answer: `hang` (never answer; the socket stays open until the
 * client or `close()` ends it), `error` and `status`. Returns true when the request is handled.
 */
export async function runReplacingFaults(exchange: Exchange, errors: VendorErrors): Promise<boolean> {
  const { plan } = exchange;
  if (plan.hang) return true;
  const failure = plan.error !== undefined ? errors.error(plan.error, plan, exchange) : plan.status ? errors.status(plan.status) : undefined;
  if (!failure) return false;
  const headers = plan.retryAfter !== undefined ? { 'retry-after': String(plan.retryAfter) } : undefined;
  await respondJson(exchange, failure.status, failure.body, headers);
  return true;
}
