/** Options of {@link waitForHttp}. */
export interface WaitForHttpOptions {
  /** Longest wait. */
  timeoutMs: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Which answer ends the wait (default: a 2xx status). */
  accept?: (response: Response) => boolean;
  /** True once waiting is pointless (the server's process exited): checked before every attempt. */
  gone?: () => boolean;
}

/** How {@link waitForHttp} ended; `last` is the body of the last answer not accepted. */
export interface WaitForHttpResult {
  outcome: 'answered' | 'gone' | 'timeout';
  last: string;
}

/** Polls `url` with GET until an answer is accepted, `gone()` holds or `timeoutMs` passes. Never throws. */
export async function waitForHttp(url: string, options: WaitForHttpOptions): Promise<WaitForHttpResult> {
  const accept = options.accept ?? ((response: Response) => response.ok);
  const deadline = Date.now() + options.timeoutMs;
  let last = '';
  for (;;) {
    if (options.gone?.()) return { outcome: 'gone', last };
    try {
      const response = await fetch(url);
      if (accept(response)) return { outcome: 'answered', last };
      last = await response.text();
    } catch {
      // not listening yet
    }
    if (Date.now() >= deadline) return { outcome: 'timeout', last };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}
