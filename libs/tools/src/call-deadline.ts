/** A call's signal: the caller's cancellation combined with the tool's time limit. */
export interface CallDeadline {
  /** Aborts when the caller's signal does or when the time limit passes. */
  readonly signal: AbortSignal;
  /** True once the time limit (not the caller) aborted the signal. */
  readonly expired: boolean;
  /** Releases the timer and the listener on the caller's signal; call it when the call ends. */
  dispose(): void;
}

/**
 * The caller's signal bounded by `timeoutMs` (none when undefined). Unlike
 * `AbortSignal.any([caller, AbortSignal.timeout(ms)])`, whose timer and dependent signals — with
 * whatever their listeners hold — stay alive until the timeout fires (minutes for
 * `EXAI_TOOL_TIMEOUT_MS`, long after the call ended), everything is released by `dispose()`: a daemon
 * at 100 calls/s held tens of MiB of finished calls that way (tools/chaos soak, docs/soak-and-chaos.md).
 */
export function callDeadline(caller: AbortSignal | undefined, timeoutMs: number | undefined): CallDeadline {
  if (timeoutMs === undefined) return { signal: caller ?? new AbortController().signal, expired: false, dispose: () => undefined };
  const controller = new AbortController();
  let expired = false;
  const onAbort = (): void => controller.abort(caller?.reason);
  const timer = setTimeout(() => {
    expired = true;
    controller.abort(new DOMException(`the call ran past its time limit of ${timeoutMs} ms`, 'TimeoutError'));
  }, timeoutMs);
  timer.unref();
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}
