import type { CallOptions } from '@exai/router/spec';

/** The time limit of one call: the shorter of the call's `timeoutMs` and the provider's. */
export function callTimeoutMs(providerTimeoutMs: number | undefined, options: CallOptions | undefined): number | undefined {
  const call = options?.timeoutMs;
  if (call === undefined || !(call > 0)) return providerTimeoutMs;
  return providerTimeoutMs === undefined ? call : Math.min(call, providerTimeoutMs);
}

/** A per-request time limit combined with the caller's signal. */
export interface Deadline {
  /** Aborts on the caller's abort or when the time is up; undefined when neither can happen. */
  readonly signal: AbortSignal | undefined;
  /** True once the time limit (not the caller) aborted the request. */
  expired(): boolean;
  /** Stops the clock (the response arrived). */
  clear(): void;
}

/**
 * Starts the clock of one HTTP request. exai enforces `timeoutMs` itself instead of through the
 * SDK's `timeout`: the SDK reports its own timeout only by recognising an `AbortError` by class,
 * which fails across realms (jest's VM, workers), and then reports a plain connection error.
 */
export function startDeadline(caller: AbortSignal | undefined, timeoutMs: number | undefined): Deadline {
  if (timeoutMs === undefined) return { signal: caller, expired: () => false, clear: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  return {
    signal: caller ? AbortSignal.any([caller, controller.signal]) : controller.signal,
    expired: () => controller.signal.aborted && !caller?.aborted,
    clear: () => clearTimeout(timer),
  };
}
