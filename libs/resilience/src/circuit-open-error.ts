import { BrokenCircuitError } from 'cockatiel';
import { hasErrorMarker, markError } from './error-marker.js';

/** Fields of a {@link CircuitOpenError}. */
export interface CircuitOpenErrorOptions {
  /** Name of the breaker that rejected the call. */
  breaker: string;
  /** Why the call was rejected: the breaker is open, a half-open probe is in flight, or it is isolated. */
  state: 'open' | 'half-open' | 'isolated';
  /** How long until the breaker lets a probe through; undefined while probing or isolated. */
  retryAfterMs?: number;
}

/**
 * A circuit breaker rejected a call without running it. A subclass of cockatiel's
 * `BrokenCircuitError`, so `isBrokenCircuitError` (and `instanceof BrokenCircuitError`) still hold.
 */
export class CircuitOpenError extends BrokenCircuitError {
  /** Stable code: `circuit_open`. */
  readonly code = 'circuit_open' as const;
  /** Name of the breaker. */
  readonly breaker: string;
  /** State the breaker was in when it rejected the call. */
  readonly state: CircuitOpenErrorOptions['state'];
  /** Milliseconds until the breaker lets a probe call through; undefined while probing or isolated. */
  readonly retryAfterMs: number | undefined;

  constructor(options: CircuitOpenErrorOptions) {
    super(describe(options));
    this.name = 'CircuitOpenError';
    this.breaker = options.breaker;
    this.state = options.state;
    this.retryAfterMs = options.retryAfterMs;
    markError(this, 'CircuitOpenError');
  }

  /** True for any `CircuitOpenError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is CircuitOpenError {
    return hasErrorMarker(error, 'CircuitOpenError');
  }
}

function describe({ breaker, state, retryAfterMs }: CircuitOpenErrorOptions): string {
  if (state === 'isolated') return `Circuit breaker "${breaker}" is held open (isolated); the call was not made.`;
  if (state === 'half-open') return `Circuit breaker "${breaker}" is testing recovery with one probe call; the call was not made. Try again shortly.`;
  return `Circuit breaker "${breaker}" is open after repeated failures; the call was not made. A probe is allowed in ${retryAfterMs ?? 0} ms.`;
}
