import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { createRetryPolicy, type RetryEvent } from './create-retry-policy.js';
import { RetryAfterBackoff } from './retry-after-backoff.js';

/** A test error that says whether it may be retried and how long to wait. */
class FlakyError extends Error {
  constructor(
    readonly retryable: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(retryable ? 'flaky' : 'fatal');
  }
}

const isRetryable = (error: unknown): boolean => error instanceof FlakyError && error.retryable;
const retryAfterMs = (error: unknown): number | undefined => (error instanceof FlakyError ? error.retryAfterMs : undefined);

// setTimeout may fire up to 1 ms before performance.now() shows the full delay (libuv rounds to ms).
const TIMER_SLACK_MS = 1;

afterEach(() => {
  jest.restoreAllMocks();
});

describe('createRetryPolicy', () => {
  it('retries a retryable error maxAttempts times, then rethrows the last error', async () => {
    const policy = createRetryPolicy({ maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2, isRetryable });
    const attempts: number[] = [];
    const failure = policy.execute(({ attempt }) => {
      attempts.push(attempt);
      throw new FlakyError(true);
    });
    await expect(failure).rejects.toBeInstanceOf(FlakyError);
    expect(attempts).toEqual([0, 1, 2, 3]);
  });

  it('defaults to 3 retries', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, maxDelayMs: 1, isRetryable });
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw new FlakyError(true);
      }),
    ).rejects.toThrow('flaky');
    expect(calls).toBe(4);
  });

  it('returns the first successful result', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, isRetryable });
    let calls = 0;
    const value = await policy.execute(() => {
      calls++;
      if (calls < 3) throw new FlakyError(true);
      return 'ok';
    });
    expect(value).toBe('ok');
    expect(calls).toBe(3);
  });

  it('does not retry an error isRetryable rejects', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, isRetryable });
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw new FlakyError(false);
      }),
    ).rejects.toThrow('fatal');
    expect(calls).toBe(1);
  });

  it('keeps backoff delays within the exponential full-jitter bounds', async () => {
    jest.spyOn(Math, 'random').mockReturnValue(0.999);
    const delays: number[] = [];
    const policy = createRetryPolicy({
      maxAttempts: 4,
      initialDelayMs: 10,
      maxDelayMs: 25,
      isRetryable,
      onRetry: (event) => delays.push(event.delayMs),
    });
    await expect(
      policy.execute(() => {
        throw new FlakyError(true);
      }),
    ).rejects.toThrow('flaky');
    // Bounds 10, 20, 40→25 (capped), 25: random() just under 1 gives the top of each range.
    expect(delays).toEqual([9, 19, 24, 24]);
  });

  it('draws each delay from [0, min(maxDelay, initial * 2^n))', () => {
    const backoff = new RetryAfterBackoff({ initialDelayMs: 100, maxDelayMs: 1000 });
    const context = { attempt: 1, signal: new AbortController().signal, result: { error: new Error('x') } };
    for (let run = 0; run < 200; run++) {
      let step = backoff.next(context);
      for (let n = 0; n < 6; n++) {
        expect(step.duration).toBeGreaterThanOrEqual(0);
        expect(step.duration).toBeLessThan(Math.min(1000, 100 * 2 ** n));
        step = step.next(context);
      }
    }
  });

  it('waits at least the retry-after the error asked for', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, maxDelayMs: 2, isRetryable, retryAfterMs });
    const started: number[] = [];
    const events: RetryEvent[] = [];
    policy.onRetry((event) => events.push(event));
    const value = await policy.execute(() => {
      started.push(performance.now());
      if (started.length === 1) throw new FlakyError(true, 60);
      return 'second try';
    });
    expect(value).toBe('second try');
    expect(events).toHaveLength(1);
    expect(events[0]?.delayMs).toBe(60);
    expect(started[1]! - started[0]!).toBeGreaterThanOrEqual(60 - TIMER_SLACK_MS);
  });

  it('does not retry when the retry-after exceeds maxRetryAfterMs, so the caller can fall back', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, isRetryable, retryAfterMs, maxRetryAfterMs: 50 });
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw new FlakyError(true, 51);
      }),
    ).rejects.toThrow('flaky');
    // One call: it neither waited out the retry-after nor tried again.
    expect(calls).toBe(1);
  });

  it('has a 30 s default retry-after budget', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, isRetryable, retryAfterMs });
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        throw new FlakyError(true, 30_001);
      }),
    ).rejects.toThrow('flaky');
    expect(calls).toBe(1);
  });

  it('stops at once when the caller aborts during the backoff wait', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, isRetryable, retryAfterMs });
    const controller = new AbortController();
    let calls = 0;
    const begun = performance.now();
    const run = policy.execute(() => {
      calls++;
      setTimeout(() => controller.abort(new Error('caller cancelled')), 20);
      throw new FlakyError(true, 10_000);
    }, controller.signal);
    await expect(run).rejects.toThrow('caller cancelled');
    expect(performance.now() - begun).toBeLessThan(1000);
    expect(calls).toBe(1);
  });

  it('never retries once the caller signal has aborted', async () => {
    const policy = createRetryPolicy({ initialDelayMs: 1, isRetryable });
    const controller = new AbortController();
    let calls = 0;
    await expect(
      policy.execute(() => {
        calls++;
        controller.abort();
        throw new FlakyError(true);
      }, controller.signal),
    ).rejects.toThrow('flaky');
    expect(calls).toBe(1);
  });

  it('does not call the function when the signal is already aborted', async () => {
    const policy = createRetryPolicy({ isRetryable });
    const fn = jest.fn(() => 'never');
    await expect(policy.execute(fn, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(fn).not.toHaveBeenCalled();
  });

  it('reports give-up, success and failure events', async () => {
    const policy = createRetryPolicy({ maxAttempts: 1, initialDelayMs: 1, isRetryable });
    const seen: string[] = [];
    policy.onFailure((event) => seen.push(`failure handled=${event.handled}`));
    policy.onGiveUp(() => seen.push('give-up'));
    policy.onSuccess(() => seen.push('success'));
    await expect(
      policy.execute(() => {
        throw new FlakyError(true);
      }),
    ).rejects.toThrow();
    await policy.execute(() => 1);
    expect(seen).toEqual(['failure handled=true', 'failure handled=true', 'give-up', 'success']);
  });
});
