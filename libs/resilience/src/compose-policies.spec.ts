import { describe, expect, it } from '@jest/globals';
import { isBrokenCircuitError } from 'cockatiel';
import { composePolicies } from './compose-policies.js';
import { createCircuitBreaker } from './create-circuit-breaker.js';
import { createRetryPolicy } from './create-retry-policy.js';

describe('composePolicies', () => {
  it('applies policies outermost first: a retry around a breaker stops when the breaker opens', async () => {
    const breaker = createCircuitBreaker({ consecutiveFailures: 2, halfOpenAfterMs: 10_000, isFailure: () => true });
    const retry = createRetryPolicy({
      maxAttempts: 5,
      initialDelayMs: 1,
      maxDelayMs: 1,
      isRetryable: (error) => !isBrokenCircuitError(error),
    });
    const attempts: Array<number | undefined> = [];
    const error = await composePolicies(retry, breaker)
      .execute(({ attempt }) => {
        attempts.push(attempt);
        throw new Error('down');
      })
      .catch((caught: unknown) => caught);
    expect(isBrokenCircuitError(error)).toBe(true);
    expect(attempts).toEqual([0, 1]);
  });

  it('passes the caller signal through to the function', async () => {
    const controller = new AbortController();
    const retry = createRetryPolicy({ isRetryable: () => false });
    const signal = await composePolicies(retry).execute((context) => context.signal, controller.signal);
    controller.abort();
    expect(signal.aborted).toBe(true);
  });

  it('is a pass-through without policies', async () => {
    await expect(composePolicies().execute(() => 42)).resolves.toBe(42);
  });
});
