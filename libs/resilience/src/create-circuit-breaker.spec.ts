import { describe, expect, it } from '@jest/globals';
import { isBrokenCircuitError } from 'cockatiel';
import { createCircuitBreaker, type CircuitStateName } from './create-circuit-breaker.js';

const fail = (): never => {
  throw new Error('upstream down');
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createCircuitBreaker', () => {
  it('opens after consecutive failures, then half-opens and closes on a successful test call', async () => {
    const states: CircuitStateName[] = [];
    const breaker = createCircuitBreaker({
      consecutiveFailures: 2,
      halfOpenAfterMs: 30,
      isFailure: () => true,
      onStateChange: (state) => states.push(state),
    });
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(states).toEqual(['open']);

    let called = false;
    const rejected = await breaker
      .execute(() => {
        called = true;
      })
      .catch((error: unknown) => error);
    expect(isBrokenCircuitError(rejected)).toBe(true);
    expect(called).toBe(false);

    await sleep(40);
    await expect(breaker.execute(() => 'recovered')).resolves.toBe('recovered');
    expect(states).toEqual(['open', 'half-open', 'closed']);
  });

  it('opens again when the half-open test call fails', async () => {
    const states: CircuitStateName[] = [];
    const breaker = createCircuitBreaker({ consecutiveFailures: 1, halfOpenAfterMs: 20, isFailure: () => true, onStateChange: (s) => states.push(s) });
    await expect(breaker.execute(fail)).rejects.toThrow();
    await sleep(30);
    await expect(breaker.execute(fail)).rejects.toThrow('upstream down');
    expect(states).toEqual(['open', 'half-open', 'open']);
  });

  it('ignores errors isFailure does not count', async () => {
    const breaker = createCircuitBreaker({
      consecutiveFailures: 1,
      halfOpenAfterMs: 1000,
      isFailure: (error) => (error as Error).message !== 'bad request',
    });
    for (let index = 0; index < 3; index++) {
      await expect(
        breaker.execute(() => {
          throw new Error('bad request');
        }),
      ).rejects.toThrow('bad request');
    }
    await expect(breaker.execute(() => 'still closed')).resolves.toBe('still closed');
  });

  it('opens a sampling breaker when the failure share passes the threshold', async () => {
    const states: CircuitStateName[] = [];
    const breaker = createCircuitBreaker({
      samplingThreshold: 0.5,
      samplingDurationMs: 1000,
      minimumRps: 4,
      halfOpenAfterMs: 1000,
      isFailure: () => true,
      onStateChange: (state) => states.push(state),
    });
    await breaker.execute(() => 1);
    await breaker.execute(() => 2);
    await expect(breaker.execute(fail)).rejects.toThrow();
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(states).toEqual([]); // 2 of 4 failed: not more than half
    await expect(breaker.execute(fail)).rejects.toThrow();
    expect(states).toEqual(['open']);
  });

  it('needs exactly one breaker kind', () => {
    expect(() => createCircuitBreaker({ halfOpenAfterMs: 1, isFailure: () => true })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ consecutiveFailures: 2, samplingThreshold: 0.5, halfOpenAfterMs: 1, isFailure: () => true })).toThrow(RangeError);
    expect(() => createCircuitBreaker({ samplingThreshold: 1, halfOpenAfterMs: 1, isFailure: () => true })).toThrow(RangeError);
  });
});
