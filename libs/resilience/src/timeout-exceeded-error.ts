const marker = Symbol.for('exai.resilience.TimeoutExceededError');

/**
 * An attempt ran longer than its timeout policy allows. The attempt's `AbortSignal` was aborted, so a
 * well-behaved callee has already closed its upstream request.
 *
 * Our own class rather than cockatiel's `TaskCancelledError`, because cockatiel raises that error both
 * for a timeout and for a cancelled parent signal; callers need to tell the two apart (a timeout may
 * be retried, a cancellation never).
 */
export class TimeoutExceededError extends Error {
  /** The limit that was exceeded, in milliseconds. */
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`The attempt did not finish within ${timeoutMs} ms`, options);
    this.name = 'TimeoutExceededError';
    this.timeoutMs = timeoutMs;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any `TimeoutExceededError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is TimeoutExceededError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
