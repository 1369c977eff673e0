/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as `signal` aborts (the timer is
 * cleared, so nothing keeps the process alive). Cockatiel 4's own retry delay ignores the signal,
 * which is why the retry policy here brings its own.
 */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
