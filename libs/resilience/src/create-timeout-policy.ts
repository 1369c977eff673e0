import { isTaskCancelledError, timeout, TimeoutStrategy, type ICancellationContext, type IPolicy, type TimeoutPolicy } from 'cockatiel';
import { TimeoutExceededError } from './timeout-exceeded-error.js';

/**
 * A per-attempt timeout: cockatiel's aggressive `TimeoutPolicy` (the callee gets `{ signal }`, aborted
 * when the time is up, and the call rejects at once instead of waiting for the callee to notice), with
 * cockatiel's `TaskCancelledError` translated so the two reasons stay apart:
 * - time is up: rejects with {@link TimeoutExceededError};
 * - the parent signal aborted: rejects with the parent signal's reason (never a timeout error), whatever
 *   the callee threw on seeing the abort.
 */
export class AttemptTimeoutPolicy implements IPolicy<ICancellationContext> {
  /** Type-level marker required by cockatiel's `IPolicy`; never set at run time. */
  declare readonly _altReturn: never;
  private readonly inner: TimeoutPolicy;

  /** Fires when an attempt's signal is aborted by the timeout or by the parent signal. */
  readonly onTimeout: TimeoutPolicy['onTimeout'];
  /** Fires when an attempt fails. */
  readonly onFailure: TimeoutPolicy['onFailure'];
  /** Fires when an attempt succeeds in time. */
  readonly onSuccess: TimeoutPolicy['onSuccess'];

  constructor(readonly timeoutMs: number) {
    if (!(timeoutMs > 0)) throw new RangeError(`timeout must be a positive number of ms, got ${timeoutMs}`);
    this.inner = timeout(timeoutMs, TimeoutStrategy.Aggressive);
    this.onTimeout = this.inner.onTimeout;
    this.onFailure = this.inner.onFailure;
    this.onSuccess = this.inner.onSuccess;
  }

  /** Runs `fn` with a signal that aborts after `timeoutMs` or when `signal` aborts. */
  async execute<T>(fn: (context: ICancellationContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> {
    // Cockatiel's aggressive race is lost when the callee rejects synchronously on abort (its rejection
    // is queued before cockatiel's TaskCancelledError), so we note whether the attempt's signal fired
    // while the attempt was still running, and judge by that.
    let interrupted = false;
    try {
      return await this.inner.execute(async (context) => {
        const onAbort = (): void => {
          interrupted = true;
        };
        context.signal.addEventListener('abort', onAbort, { once: true });
        try {
          return await fn(context);
        } finally {
          context.signal.removeEventListener('abort', onAbort);
        }
      }, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (interrupted || isTaskCancelledError(error)) throw new TimeoutExceededError(this.timeoutMs, { cause: error });
      throw error;
    }
  }
}

/**
 * Creates a per-attempt timeout of `ms` milliseconds. Place it inside the retry policy so every attempt
 * gets its own budget: `composePolicies(retry, createTimeoutPolicy(120_000))`.
 */
export function createTimeoutPolicy(ms: number): AttemptTimeoutPolicy {
  return new AttemptTimeoutPolicy(ms);
}
