import {
  CircuitState,
  ConsecutiveBreaker,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
  type IBreaker,
} from 'cockatiel';

/** Settings of {@link createCircuitBreaker}. Give `consecutiveFailures` or `samplingThreshold`, not both. */
export interface CircuitBreakerOptions {
  /** Opens after this many failures in a row. */
  consecutiveFailures?: number;
  /** Opens when more than this share (between 0 and 1, exclusive) of the calls in the sampling window failed. */
  samplingThreshold?: number;
  /** Length of the sampling window, in ms. Default 30000. */
  samplingDurationMs?: number;
  /** Fewest calls per second before the sampling breaker may open. Default 5 (cockatiel's). */
  minimumRps?: number;
  /** How long the breaker stays open before it lets one test call through (half-open). */
  halfOpenAfterMs: number;
  /** Which errors count against the breaker. Others pass through without counting. */
  isFailure: (error: unknown) => boolean;
  /** Called on every state change: `closed`, `open`, `half-open`, `isolated`. */
  onStateChange?: (state: CircuitStateName) => void;
}

/** Readable names of cockatiel's `CircuitState`. */
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

const stateNames: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** The readable name of a cockatiel `CircuitState`. */
export function circuitStateName(state: CircuitState): CircuitStateName {
  return stateNames[state];
}

/**
 * Creates a cockatiel circuit breaker. Share one instance across calls (one per provider, and per
 * model where it matters): a breaker learns only from the calls it sees. While open, `execute` rejects
 * at once with cockatiel's `BrokenCircuitError`.
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreakerPolicy {
  const policy = circuitBreaker(handleWhen(options.isFailure), {
    halfOpenAfter: options.halfOpenAfterMs,
    breaker: createBreaker(options),
  });
  const onStateChange = options.onStateChange;
  if (onStateChange) policy.onStateChange((state) => onStateChange(circuitStateName(state)));
  return policy;
}

function createBreaker(options: CircuitBreakerOptions): IBreaker {
  const { consecutiveFailures, samplingThreshold } = options;
  if ((consecutiveFailures === undefined) === (samplingThreshold === undefined)) {
    throw new RangeError('createCircuitBreaker needs exactly one of consecutiveFailures and samplingThreshold');
  }
  if (consecutiveFailures !== undefined) {
    if (!Number.isInteger(consecutiveFailures) || consecutiveFailures < 1) {
      throw new RangeError(`consecutiveFailures must be a positive integer, got ${consecutiveFailures}`);
    }
    return new ConsecutiveBreaker(consecutiveFailures);
  }
  const threshold = samplingThreshold as number;
  if (!(threshold > 0 && threshold < 1)) {
    throw new RangeError(`samplingThreshold must be between 0 and 1 (exclusive), got ${threshold}`);
  }
  return new SamplingBreaker({
    threshold,
    duration: options.samplingDurationMs ?? 30_000,
    ...(options.minimumRps === undefined ? {} : { minimumRps: options.minimumRps }),
  });
}
