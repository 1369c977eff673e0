import { TimeoutExceededError } from '@exai/resilience';

/** setTimeout's largest delay; a longer one would fire at once (Node clamps it to 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Controllers of attempts that ended without being aborted, for reuse. The openai SDK subscribes to a
 * caller's signal once per signal (a weak listener plus a finalizer registration); a fresh signal per
 * attempt cost about 10 µs per call at zero upstream latency, a reused one nothing measurable. Only
 * never-aborted controllers come back, so a reused signal is always live. A callee must remove the
 * listeners it adds when its call ends (the providers and the SDK do).
 */
const idleControllers: AbortController[] = [];
const MAX_IDLE_CONTROLLERS = 64;

/**
 * Runs `fn` with a signal that aborts after `timeoutMs` or when `callerSignal` aborts, and settles the
 * moment either happens, without waiting for `fn` to notice: rejects with `TimeoutExceededError` (time
 * is up) or with the caller signal's reason. A non-positive or non-finite `timeoutMs` sets no timer.
 *
 * The router's own lean deadline rather than `@exai/resilience`'s `createTimeoutPolicy`: cockatiel's
 * aggressive timeout costs about 9 µs per call (derived controllers, event disposables and a
 * `Promise.race`) against 0.6 µs here, which alone was a third of the router's overhead budget.
 */
export function withDeadline<T>(fn: (signal: AbortSignal) => Promise<T>, timeoutMs: number, callerSignal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const controller = idleControllers.pop() ?? new AbortController();
    let done = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = (): void => {
      if (done) return;
      finish();
      const reason: unknown = callerSignal?.reason;
      controller.abort(reason);
      reject(reason);
    };
    function finish(): void {
      done = true;
      if (timer !== undefined) clearTimeout(timer);
      callerSignal?.removeEventListener('abort', onAbort);
    }
    const recycle = (): void => {
      if (!controller.signal.aborted && idleControllers.length < MAX_IDLE_CONTROLLERS) idleControllers.push(controller);
    };
    if (callerSignal) {
      if (callerSignal.aborted) {
        recycle();
        reject(callerSignal.reason);
        return;
      }
      callerSignal.addEventListener('abort', onAbort, { once: true });
    }
    if (timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS) {
      timer = setTimeout(() => {
        if (done) return;
        finish();
        const error = new TimeoutExceededError(timeoutMs);
        controller.abort(error);
        reject(error);
      }, timeoutMs);
    }
    let pending: Promise<T>;
    try {
      pending = fn(controller.signal);
    } catch (error) {
      finish();
      recycle();
      reject(error);
      return;
    }
    pending.then(
      (value) => {
        if (done) return;
        finish();
        recycle();
        resolve(value);
      },
      (error: unknown) => {
        if (done) return;
        finish();
        recycle();
        reject(error);
      },
    );
  });
}

/**
 * Settles with `pending`, or rejects with `TimeoutExceededError` after `timeoutMs` (no signal: for
 * work that keeps its own time limit and only needs bounding). A non-positive or non-finite
 * `timeoutMs` sets no timer.
 */
export function withTimeLimit<T>(pending: Promise<T>, timeoutMs: number): Promise<T> {
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMER_MS)) return pending;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutExceededError(timeoutMs)), timeoutMs);
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts (the timer is cleared). */
export function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.min(ms, MAX_TIMER_MS));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
