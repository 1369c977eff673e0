import { describe, expect, it } from '@jest/globals';
import { composePolicies } from './compose-policies.js';
import { createRetryPolicy } from './create-retry-policy.js';
import { createTimeoutPolicy } from './create-timeout-policy.js';
import { TimeoutExceededError } from './timeout-exceeded-error.js';

/** Resolves never; rejects when the signal aborts, like a fetch would. */
function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('callee saw abort')), { once: true }));
}

describe('createTimeoutPolicy', () => {
  it('aborts the attempt signal and rejects with TimeoutExceededError when time is up', async () => {
    const policy = createTimeoutPolicy(20);
    let seen: AbortSignal | undefined;
    const begun = performance.now();
    const run = policy.execute(({ signal }) => {
      seen = signal;
      return waitForAbort(signal);
    });
    const error = await run.catch((caught: unknown) => caught);
    expect(TimeoutExceededError.isInstance(error)).toBe(true);
    expect((error as TimeoutExceededError).timeoutMs).toBe(20);
    expect(seen?.aborted).toBe(true);
    expect(performance.now() - begun).toBeLessThan(500);
  });

  it('returns the result of an attempt that finishes in time', async () => {
    const policy = createTimeoutPolicy(200);
    await expect(policy.execute(async () => 'fast')).resolves.toBe('fast');
  });

  it('reports a cancelled parent signal as the parent reason, not as a timeout', async () => {
    const policy = createTimeoutPolicy(5_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('caller cancelled')), 10);
    const error = await policy.execute(({ signal }) => waitForAbort(signal), controller.signal).catch((caught: unknown) => caught);
    expect(TimeoutExceededError.isInstance(error)).toBe(false);
    expect((error as Error).message).toBe('caller cancelled');
  });

  it('gives every retry attempt a fresh budget and signal', async () => {
    const signals: AbortSignal[] = [];
    const pipeline = composePolicies(
      createRetryPolicy({ maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 1, isRetryable: TimeoutExceededError.isInstance }),
      createTimeoutPolicy(15),
    );
    const value = await pipeline.execute(({ signal }) => {
      signals.push(signal);
      return signals.length < 3 ? waitForAbort(signal) : 'third time lucky';
    });
    expect(value).toBe('third time lucky');
    expect(signals).toHaveLength(3);
    expect(new Set(signals).size).toBe(3);
    expect(signals[0]?.aborted && signals[1]?.aborted).toBe(true);
  });

  it('rejects a non-positive duration', () => {
    expect(() => createTimeoutPolicy(0)).toThrow(RangeError);
  });
});
