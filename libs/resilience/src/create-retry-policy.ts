import {
  EventEmitter,
  type FailureReason,
  type IBackoff,
  type IFailureEvent,
  type IPolicy,
  type IRetryBackoffContext,
  type IRetryContext,
  type ISuccessEvent,
} from 'cockatiel';
import { abortableDelay } from './abortable-delay.js';
import { RetryAfterBackoff } from './retry-after-backoff.js';

/** Defaults of {@link createRetryPolicy}. */
export const retryDefaults = {
  maxAttempts: 3,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 30_000,
} as const;

/** What {@link RetryPolicyOptions.onRetry} and `AbortableRetryPolicy.onRetry` report before each wait. */
export interface RetryEvent {
  /** The error of the attempt that failed. */
  error: unknown;
  /** Number of the retry about to happen, starting at 1. */
  attempt: number;
  /** How long the policy waits before that retry. */
  delayMs: number;
}

/** Settings of {@link createRetryPolicy}. */
export interface RetryPolicyOptions {
  /** Retries after the first attempt (so at most `maxAttempts + 1` calls). Default 3. */
  maxAttempts?: number;
  /** Upper bound of the first backoff delay, in ms. Default 500. */
  initialDelayMs?: number;
  /** Cap of the exponential backoff bound, in ms. Default 8000. A longer retry-after still wins. */
  maxDelayMs?: number;
  /** Whether an error may succeed if the call is made again. Nothing else is retried. */
  isRetryable: (error: unknown) => boolean;
  /** The wait an error asks for (a vendor's retry-after), in ms. The backoff never waits less. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /**
   * Longest retry-after worth waiting for, in ms. Default 30000. An error asking for longer is not
   * retried: it goes up at once, so the caller can fall back to another model instead of stalling.
   */
  maxRetryAfterMs?: number;
  /** Called before each backoff wait (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
}

const neverAborted = new AbortController().signal;

/**
 * A retry policy that plugs into cockatiel (`IPolicy`, so `wrap`/{@link composePolicies} compose it with
 * timeouts, breakers and bulkheads) and differs from cockatiel 4's `RetryPolicy` in one way that
 * matters to us: the backoff wait ends the moment the caller's signal aborts. Cockatiel's wait ignores
 * the signal, which would keep a cancelled tool call alive for up to `maxRetryAfterMs`.
 */
export class AbortableRetryPolicy implements IPolicy<IRetryContext> {
  /** Type-level marker required by cockatiel's `IPolicy`; never set at run time. */
  declare readonly _altReturn: never;
  private readonly successEmitter = new EventEmitter<ISuccessEvent>();
  private readonly failureEmitter = new EventEmitter<IFailureEvent>();
  private readonly retryEmitter = new EventEmitter<RetryEvent>();
  private readonly giveUpEmitter = new EventEmitter<FailureReason<unknown>>();
  private readonly backoff: RetryAfterBackoff;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;

  /** Fires when a call succeeds (once per `execute`, however many attempts it took). */
  readonly onSuccess = this.successEmitter.addListener;
  /** Fires for every failed attempt; `handled` says whether the error was retryable. */
  readonly onFailure = this.failureEmitter.addListener;
  /** Fires before each backoff wait. */
  readonly onRetry = this.retryEmitter.addListener;
  /** Fires when the policy stops retrying and rethrows. */
  readonly onGiveUp = this.giveUpEmitter.addListener;

  constructor(private readonly options: RetryPolicyOptions) {
    this.maxAttempts = options.maxAttempts ?? retryDefaults.maxAttempts;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? retryDefaults.maxRetryAfterMs;
    this.backoff = new RetryAfterBackoff({
      initialDelayMs: options.initialDelayMs ?? retryDefaults.initialDelayMs,
      maxDelayMs: options.maxDelayMs ?? retryDefaults.maxDelayMs,
      retryAfterMs: options.retryAfterMs,
    });
  }

  /**
   * Runs `fn`, retrying retryable failures. Never starts an attempt, and never waits, once `signal`
   * has aborted: it then rejects with the signal's reason (or with the attempt's error if the abort
   * happened during the attempt).
   */
  async execute<T>(fn: (context: IRetryContext) => PromiseLike<T> | T, signal: AbortSignal = neverAborted): Promise<T> {
    if (signal.aborted) throw signal.reason;
    let backoff: IBackoff<IRetryBackoffContext<unknown>> | undefined;
    for (let attempt = 0; ; attempt++) {
      const timed = this.successEmitter.size > 0 || this.failureEmitter.size > 0;
      const started = timed ? performance.now() : 0;
      try {
        const value = await fn({ attempt, signal });
        if (timed) this.successEmitter.emit({ duration: performance.now() - started });
        return value;
      } catch (error) {
        const retryable = this.shouldRetry(error);
        if (timed) this.failureEmitter.emit({ duration: performance.now() - started, handled: retryable, reason: { error } });
        if (!retryable || signal.aborted || attempt >= this.maxAttempts) {
          this.giveUpEmitter.emit({ error });
          throw error;
        }
        const context: IRetryBackoffContext<unknown> = { attempt: attempt + 1, signal, result: { error } };
        backoff = backoff ? backoff.next(context) : this.backoff.next(context);
        const event: RetryEvent = { error, attempt: attempt + 1, delayMs: backoff.duration };
        this.options.onRetry?.(event);
        this.retryEmitter.emit(event);
        await abortableDelay(backoff.duration, signal);
      }
    }
  }

  private shouldRetry(error: unknown): boolean {
    if (!this.options.isRetryable(error)) return false;
    const requested = this.options.retryAfterMs?.(error);
    return requested === undefined || requested <= this.maxRetryAfterMs;
  }
}

/**
 * Creates a retry policy: exponential backoff with full jitter, at least as long as the error's
 * retry-after, for errors `isRetryable` accepts; errors asking to wait longer than `maxRetryAfterMs`
 * are not retried.
 *
 * @example
 * const retry = createRetryPolicy({
 *   isRetryable: (error) => ProviderError.isInstance(error) && error.retryable,
 *   retryAfterMs: (error) => (ProviderError.isInstance(error) ? error.retryAfterMs : undefined),
 * });
 * const answer = await retry.execute(({ signal }) => model.generate(request, { signal }), callerSignal);
 */
export function createRetryPolicy(options: RetryPolicyOptions): AbortableRetryPolicy {
  return new AbortableRetryPolicy(options);
}
