import {
  CircuitState,
  EventEmitter,
  type IDefaultPolicyContext,
  type IDisposable,
  type IFailureEvent,
  type IPolicy,
  type ISuccessEvent,
} from 'cockatiel';
import { CircuitOpenError } from './circuit-open-error.js';
import { RollingCounts } from './rolling-counts.js';

/** Readable breaker states. */
export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

/** Why a breaker changed state (stable strings, for logs and metrics). */
export type CircuitChangeReason =
  /** closed → open: `consecutiveFailures` failures in a row. */
  | 'consecutive_failures'
  /** closed → open: at least `samplingThreshold` of at least `minimumRequests` calls in the window failed. */
  | 'failure_rate'
  /** open → half-open: `halfOpenAfterMs` has passed; the next call is the probe. */
  | 'cooldown_elapsed'
  /** half-open → closed: the probe succeeded. */
  | 'probe_succeeded'
  /** half-open → open: the probe failed; the cooldown starts again. */
  | 'probe_failed'
  /** open or half-open → closed: a call forced through the open breaker succeeded. */
  | 'forced_call_succeeded'
  /** half-open → open: a call forced through the breaker failed. */
  | 'forced_call_failed'
  /** any → isolated: `isolate()` was called. */
  | 'isolated'
  /** isolated → closed: the last isolation handle was disposed. */
  | 'isolation_ended';

/** What `onStateChange` reports. */
export interface CircuitStateChange {
  /** The breaker's name. */
  name: string;
  from: CircuitStateName;
  to: CircuitStateName;
  reason: CircuitChangeReason;
  /** The error that opened the breaker (for `consecutive_failures`, `failure_rate`, `probe_failed`, `forced_call_failed`). */
  error?: unknown;
}

/**
 * Settings of {@link createCircuitBreaker}. Give `consecutiveFailures`, `samplingThreshold`, or both
 * (the breaker then opens on whichever trips first, like LiteLLM's `allowed_fails` plus its failure
 * percentage).
 */
export interface CircuitBreakerOptions {
  /** Name used in events and errors, such as `glm` or `kimi:kimi-k2`. Default `circuit`. */
  name?: string;
  /** Opens after this many counted failures in a row. */
  consecutiveFailures?: number;
  /**
   * Opens when at least this share (0 < share ≤ 1) of the calls in the sampling window failed, once
   * the window holds at least `minimumRequests` calls. LiteLLM's default is 0.5.
   */
  samplingThreshold?: number;
  /** Length of the sampling window, in ms. Default 60000 (LiteLLM samples one minute). */
  samplingDurationMs?: number;
  /** Fewest calls in the window before the failure rate may open the breaker. Default 5 (LiteLLM's). */
  minimumRequests?: number;
  /**
   * @deprecated Use `minimumRequests`. Fewest calls per second; converted to
   * `minimumRequests = ceil(minimumRps × samplingDurationMs / 1000)`.
   */
  minimumRps?: number;
  /** How long the breaker stays open before it lets one probe call through (half-open). */
  halfOpenAfterMs: number;
  /**
   * Which errors count against the target. Return false for the caller's own errors (aborts,
   * invalid requests, context too long): they pass through without counting. An error thrown after
   * the caller's signal aborted never counts, whatever this says.
   */
  isFailure: (error: unknown) => boolean;
  /** Called on every state change, in order. Same as subscribing with `breaker.onStateChange`. */
  onStateChange?: (change: CircuitStateChange) => void;
}

/** Defaults of the failure-rate settings of {@link createCircuitBreaker} (LiteLLM's). */
export const circuitBreakerDefaults = {
  samplingDurationMs: 60_000,
  minimumRequests: 5,
} as const;

/** What `snapshot()` reports, for a status tool. */
export interface CircuitBreakerSnapshot {
  name: string;
  state: CircuitStateName;
  /** Counted failures in a row (closed state). */
  consecutiveFailures: number;
  /** Calls counted in the sampling window (0 without `samplingThreshold`). */
  windowRequests: number;
  /** Failures among them. */
  windowFailures: number;
  /** While open: ms until a probe is allowed. */
  retryAfterMs: number | undefined;
}

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

type CallKind = 'normal' | 'probe' | 'forced';

/**
 * A call admitted by {@link CircuitBreaker.begin}, to be ended exactly once with
 * {@link CircuitBreaker.succeed} or {@link CircuitBreaker.fail}.
 */
export interface BreakerTicket {
  readonly kind: CallKind;
  readonly generation: number;
  readonly started: number;
}
type Outcome = { kind: 'success' } | { kind: 'failure'; error: unknown } | { kind: 'ignored' };

const neverAborted = new AbortController().signal;

/**
 * A circuit breaker that plugs into cockatiel (`IPolicy`, so {@link composePolicies} composes it with
 * retries, timeouts and bulkheads). Ours rather than cockatiel 4's `CircuitBreakerPolicy` because the
 * router needs three things cockatiel lacks:
 * - `isOpen()`: ask, without calling, whether a call would be rejected now (to skip open targets);
 * - `forceExecute()`: call the last target left even though its breaker is open (LiteLLM never
 *   cools down the last deployment of a group);
 * - calls arriving while the half-open probe is in flight are rejected at once; cockatiel makes
 *   them wait for the probe, ignoring their abort signal. Likewise a probe that ends with an error
 *   `isFailure` does not count (an abort) leaves the breaker half-open instead of closing it.
 *
 * State changes happen when the breaker is used or read (`execute`, `state`, `isOpen`, `snapshot`);
 * there are no timers. Share one instance across calls: it learns only from the calls it sees.
 */
export class CircuitBreaker implements IPolicy<IDefaultPolicyContext> {
  /** Type-level marker required by cockatiel's `IPolicy`; never set at run time. */
  declare readonly _altReturn: never;
  /** The breaker's name, as given in the options. */
  readonly name: string;
  private readonly successEmitter = new EventEmitter<ISuccessEvent>();
  private readonly failureEmitter = new EventEmitter<IFailureEvent>();
  private readonly stateEmitter = new EventEmitter<CircuitStateChange>();
  private readonly consecutiveLimit: number | undefined;
  private readonly threshold: number | undefined;
  private readonly minimumRequests: number;
  private readonly window: RollingCounts | undefined;
  private current: CircuitStateName = 'closed';
  /** Bumped on every state change, so calls started in an earlier state do not count. */
  private generation = 0;
  private openUntil = 0;
  private probing = false;
  private consecutive = 0;
  private isolations = 0;

  /** Fires when a call through the breaker succeeds. */
  readonly onSuccess = this.successEmitter.addListener;
  /** Fires when a call fails; `handled` says whether the failure counted against the breaker. */
  readonly onFailure = this.failureEmitter.addListener;
  /** Fires on every state change, in order. */
  readonly onStateChange = this.stateEmitter.addListener;

  /**
   * The same breaker as a policy whose `execute` is {@link forceExecute}, for a pipeline that must
   * call the last target left: `composePolicies(retry, breaker.forced, timeout)`.
   */
  readonly forced: IPolicy<IDefaultPolicyContext>;

  constructor(private readonly options: CircuitBreakerOptions) {
    const { consecutiveFailures, samplingThreshold, halfOpenAfterMs } = options;
    this.name = options.name ?? 'circuit';
    if (!(halfOpenAfterMs > 0)) throw new RangeError(`halfOpenAfterMs must be a positive number of ms, got ${halfOpenAfterMs}`);
    if (consecutiveFailures === undefined && samplingThreshold === undefined) {
      throw new RangeError('createCircuitBreaker needs consecutiveFailures, samplingThreshold, or both');
    }
    if (consecutiveFailures !== undefined && !(Number.isInteger(consecutiveFailures) && consecutiveFailures >= 1)) {
      throw new RangeError(`consecutiveFailures must be a positive integer, got ${consecutiveFailures}`);
    }
    this.consecutiveLimit = consecutiveFailures;
    const duration = options.samplingDurationMs ?? circuitBreakerDefaults.samplingDurationMs;
    this.minimumRequests =
      options.minimumRequests ??
      (options.minimumRps === undefined ? circuitBreakerDefaults.minimumRequests : Math.max(1, Math.ceil((options.minimumRps * duration) / 1000)));
    if (samplingThreshold !== undefined) {
      if (!(samplingThreshold > 0 && samplingThreshold <= 1)) {
        throw new RangeError(`samplingThreshold must be above 0 and at most 1, got ${samplingThreshold}`);
      }
      if (!(duration > 0)) throw new RangeError(`samplingDurationMs must be a positive number of ms, got ${duration}`);
      if (!(Number.isInteger(this.minimumRequests) && this.minimumRequests >= 1)) {
        throw new RangeError(`minimumRequests must be a positive integer, got ${this.minimumRequests}`);
      }
      this.threshold = samplingThreshold;
      this.window = new RollingCounts(duration);
    }
    if (options.onStateChange) this.onStateChange(options.onStateChange);
    this.forced = {
      _altReturn: undefined as never,
      onSuccess: this.onSuccess,
      onFailure: this.onFailure,
      execute: (fn, signal) => this.forceExecute(fn, signal),
    };
  }

  /** The current state (after applying an elapsed cooldown). */
  get state(): CircuitStateName {
    this.refresh();
    return this.current;
  }

  /**
   * True when `execute` would now reject without calling: open and cooling down, half-open with the
   * probe in flight, or isolated. False when closed, or when the next call would be the probe.
   */
  isOpen(): boolean {
    this.refresh();
    return this.current === 'open' || this.current === 'isolated' || (this.current === 'half-open' && this.probing);
  }

  /** Counters for a status report. */
  snapshot(): CircuitBreakerSnapshot {
    this.refresh();
    const totals = this.window?.totals() ?? { requests: 0, failures: 0 };
    return {
      name: this.name,
      state: this.current,
      consecutiveFailures: this.consecutive,
      windowRequests: totals.requests,
      windowFailures: totals.failures,
      retryAfterMs: this.current === 'open' ? Math.max(0, this.openUntil - Date.now()) : undefined,
    };
  }

  /**
   * Runs `fn` unless the breaker rejects the call with {@link CircuitOpenError} (open, half-open
   * with a probe in flight, or isolated). After the cooldown the first call is the probe: its success
   * closes the breaker, its failure opens it again. Rejects with the signal's reason, without calling,
   * if `signal` has already aborted.
   */
  async execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAborted): Promise<T> {
    if (signal.aborted) throw signal.reason;
    return this.run(fn, signal, this.begin(false));
  }

  /**
   * Admits one call without running it, for a caller that awaits the work itself (one async frame
   * fewer than `execute` on a hot path): throws {@link CircuitOpenError} where `execute` would reject;
   * `force` admits like {@link forceExecute}. End the call exactly once with {@link succeed} or
   * {@link fail}; a ticket never ended leaves a half-open breaker probing.
   */
  begin(force = false): BreakerTicket {
    this.refresh();
    const started = performance.now();
    const generation = this.generation;
    switch (this.current) {
      case 'closed':
        return { kind: 'normal', generation, started };
      case 'half-open':
        if (force) return { kind: 'forced', generation, started };
        if (this.probing) throw new CircuitOpenError({ breaker: this.name, state: 'half-open' });
        this.probing = true;
        return { kind: 'probe', generation, started };
      case 'open':
        if (force) return { kind: 'forced', generation, started };
        throw new CircuitOpenError({ breaker: this.name, state: 'open', retryAfterMs: Math.max(0, this.openUntil - Date.now()) });
      case 'isolated':
        throw new CircuitOpenError({ breaker: this.name, state: 'isolated' });
    }
  }

  /** Ends a call admitted by {@link begin} that succeeded. */
  succeed(ticket: BreakerTicket): void {
    this.successEmitter.emit({ duration: performance.now() - ticket.started });
    this.settle(ticket.kind, ticket.generation, { kind: 'success' });
  }

  /**
   * Ends a call admitted by {@link begin} that failed with `error`. It counts against the breaker when
   * `isFailure(error)` says so, unless `aborted` (the caller gave up: never the target's fault).
   */
  fail(ticket: BreakerTicket, error: unknown, aborted = false): void {
    const counted = !aborted && this.options.isFailure(error);
    this.failureEmitter.emit({ duration: performance.now() - ticket.started, handled: counted, reason: { error } });
    this.settle(ticket.kind, ticket.generation, counted ? { kind: 'failure', error } : { kind: 'ignored' });
  }

  /**
   * Runs `fn` even if the breaker is open or probing: for the last target left, which must be tried
   * rather than fail without a call. Its success closes the breaker; its failure re-opens a half-open
   * one (an open one stays open). Still rejects while isolated, which is an operator's decision.
   */
  async forceExecute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAborted): Promise<T> {
    if (signal.aborted) throw signal.reason;
    return this.run(fn, signal, this.begin(true));
  }

  /**
   * Holds the breaker open (state `isolated`) until every returned handle is disposed; then it
   * closes. For an operator taking a target out of rotation.
   */
  isolate(): IDisposable {
    if (this.current !== 'isolated') this.transition('isolated', 'isolated');
    this.isolations++;
    let disposed = false;
    return {
      dispose: () => {
        if (disposed) return;
        disposed = true;
        this.isolations--;
        if (this.isolations === 0 && this.current === 'isolated') this.transition('closed', 'isolation_ended');
      },
    };
  }

  private async run<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal, ticket: BreakerTicket): Promise<T> {
    let value: T;
    try {
      value = await fn({ signal });
    } catch (error) {
      this.fail(ticket, error, signal.aborted);
      throw error;
    }
    this.succeed(ticket);
    return value;
  }

  private settle(kind: CallKind, generation: number, outcome: Outcome): void {
    if (kind === 'forced' && outcome.kind !== 'ignored') {
      if (this.current === 'open' || this.current === 'half-open') {
        if (outcome.kind === 'success') this.transition('closed', 'forced_call_succeeded');
        else if (this.current === 'half-open') this.transition('open', 'forced_call_failed', outcome.error);
        return;
      }
      // The breaker closed meanwhile: count the call like any other made in this state.
      if (this.current === 'closed' && generation !== this.generation) this.record(outcome);
      return;
    }
    // A call started in an earlier state (before an open, a close, an isolation) says nothing now.
    if (generation !== this.generation) return;
    if (kind === 'probe') {
      if (outcome.kind === 'success') this.transition('closed', 'probe_succeeded');
      else if (outcome.kind === 'failure') this.transition('open', 'probe_failed', outcome.error);
      else this.probing = false; // inconclusive (an abort, a caller error): the next call probes
      return;
    }
    if (kind === 'normal' && this.current === 'closed') this.record(outcome);
  }

  private record(outcome: Outcome): void {
    if (outcome.kind === 'ignored') return;
    const failed = outcome.kind === 'failure';
    this.consecutive = failed ? this.consecutive + 1 : 0;
    this.window?.record(failed);
    if (!failed) return;
    if (this.consecutiveLimit !== undefined && this.consecutive >= this.consecutiveLimit) {
      this.transition('open', 'consecutive_failures', outcome.error);
      return;
    }
    if (this.window && this.threshold !== undefined) {
      const { requests, failures } = this.window.totals();
      if (requests >= this.minimumRequests && failures >= this.threshold * requests) {
        this.transition('open', 'failure_rate', outcome.error);
      }
    }
  }

  private refresh(): void {
    if (this.current === 'open' && Date.now() >= this.openUntil) this.transition('half-open', 'cooldown_elapsed');
  }

  private transition(to: CircuitStateName, reason: CircuitChangeReason, error?: unknown): void {
    const from = this.current;
    if (from === to) return;
    this.current = to;
    this.generation++;
    this.probing = false;
    if (to === 'open') this.openUntil = Date.now() + this.options.halfOpenAfterMs;
    if (to === 'open' || to === 'closed') {
      this.consecutive = 0;
      this.window?.reset();
    }
    const change: CircuitStateChange = { name: this.name, from, to, reason };
    if (error !== undefined) change.error = error;
    this.stateEmitter.emit(change);
  }
}

/**
 * Creates a circuit breaker. Share one instance per target (one per provider, and per model where it
 * matters). While it is open, `execute` rejects at once with {@link CircuitOpenError} (a cockatiel
 * `BrokenCircuitError`); `isOpen()` asks without calling; `forceExecute` calls anyway.
 *
 * @example
 * const breaker = createCircuitBreaker({
 *   name: 'glm',
 *   consecutiveFailures: 3,
 *   samplingThreshold: 0.5, // and/or: half of at least 5 calls in the last minute
 *   halfOpenAfterMs: 30_000,
 *   isFailure: (error) => ProviderError.isInstance(error) && error.retryable,
 *   onStateChange: ({ name, from, to, reason }) => logger.warn({ name, from, to, reason }, 'breaker'),
 * });
 * const answer = await breaker.execute(({ signal }) => model.generate(request, { signal }), callerSignal);
 */
export function createCircuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}
