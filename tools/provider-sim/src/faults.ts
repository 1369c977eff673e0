import type { FaultRule, Vendor } from './types.js';

/** What the markers, the `x-sim-fault` header and the fault rules ask of one request. */
export interface FaultPlan {
  /** Vendor error code (GLM numeric string, Kimi `error.type`). */
  error?: string;
  /** Bare HTTP status with the vendor's generic error body. */
  status?: number;
  /** Seconds for rate-limit texts and the `retry-after` header. */
  retryAfter?: number;
  latencyMs?: number;
  hang?: boolean;
  /** Destroy the socket after this many stream chunks. */
  resetAfter?: number;
  streamError?: boolean;
  sensitive?: boolean;
  /** Answer with about this many tokens. */
  long?: number;
  /** Kimi `$web_search` rounds before answering. */
  searchRounds?: number;
}

const markerPattern = /\[\[sim:([a-z-]+)(?::([^\]]*))?\]\]/g;

function toCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** Applies one `name[:value]` directive to `plan`; unknown names are ignored. */
export function applyDirective(plan: FaultPlan, name: string, value: string | undefined): void {
  switch (name) {
    case 'error':
      if (value) plan.error = value.trim();
      break;
    case 'status':
      plan.status = toCount(value);
      break;
    case 'retry-after':
      plan.retryAfter = toCount(value);
      break;
    case 'latency':
      plan.latencyMs = toCount(value);
      break;
    case 'hang':
      plan.hang = true;
      break;
    case 'reset-after':
      plan.resetAfter = toCount(value) ?? 0;
      break;
    case 'stream-error':
      plan.streamError = true;
      break;
    case 'sensitive':
      plan.sensitive = true;
      break;
    case 'long':
      plan.long = toCount(value);
      break;
    case 'search-rounds':
      plan.searchRounds = toCount(value);
      break;
  }
}

/** Reads `[[sim:…]]` markers out of a message text into `plan`. */
export function applyMarkers(plan: FaultPlan, text: string): void {
  if (!text.includes('[[sim:')) return;
  for (const match of text.matchAll(markerPattern)) applyDirective(plan, match[1] ?? '', match[2]);
}

/** Reads directives without brackets (`"error:1113"`, several separated by commas or spaces). */
export function applyDirectives(plan: FaultPlan, spec: string): void {
  for (const part of spec.split(/[\s,]+/)) {
    if (!part) continue;
    const colon = part.indexOf(':');
    if (colon < 0) applyDirective(plan, part, undefined);
    else applyDirective(plan, part.slice(0, colon), part.slice(colon + 1));
  }
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

/** The programmatic fault rules, consumed as requests match them. */
export class FaultRules {
  #rules: ActiveRule[] = [];

  constructor(initial: readonly FaultRule[] = []) {
    for (const rule of initial) this.add(rule);
  }

  add(rule: FaultRule): void {
    this.#rules.push({ rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.#rules = [];
  }

  /** Applies (and consumes) every rule matching the request. */
  apply(plan: FaultPlan, request: { vendor: Vendor; path: string; model: string | undefined }): void {
    if (this.#rules.length === 0) return;
    for (const active of this.#rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.vendor && rule.vendor !== request.vendor) continue;
      if (rule.path && !request.path.endsWith(rule.path)) continue;
      if (rule.model && rule.model !== request.model) continue;
      active.remaining -= 1;
      applyDirectives(plan, rule.fault);
    }
    this.#rules = this.#rules.filter((active) => active.remaining > 0);
  }
}
