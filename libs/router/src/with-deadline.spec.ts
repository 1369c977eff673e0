import { describe, expect, it } from '@jest/globals';
import { TimeoutExceededError } from '@exai/resilience';
import { delay, withDeadline } from './with-deadline.js';
import { LruCache } from './lru-cache.js';

const never = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('callee saw the abort')), { once: true }));

describe('withDeadline', () => {
  it('resolves with the value and leaves the signal live', async () => {
    let seen: AbortSignal | undefined;
    await expect(withDeadline(async (signal) => ((seen = signal), 42), 1_000)).resolves.toBe(42);
    expect(seen?.aborted).toBe(false);
  });

  it('rejects with TimeoutExceededError when time is up, aborting the callee at once', async () => {
    let seen: AbortSignal | undefined;
    const error = await withDeadline((signal) => ((seen = signal), never(signal)), 20).catch((caught: unknown) => caught);
    expect(TimeoutExceededError.isInstance(error)).toBe(true);
    expect((error as TimeoutExceededError).timeoutMs).toBe(20);
    expect(seen?.aborted).toBe(true);
  });

  it("rejects with the caller's reason when the caller aborts, never with a timeout", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 10);
    const error = await withDeadline(never, 5_000, controller.signal).catch((caught: unknown) => caught);
    expect((error as Error).message).toBe('cancelled');
    await expect(withDeadline(async () => 1, 5_000, AbortSignal.abort(new Error('before')))).rejects.toThrow('before');
  });

  it('does not reuse an aborted signal for a later call', async () => {
    await withDeadline(never, 5).catch(() => undefined);
    for (let index = 0; index < 3; index++) await withDeadline(async (signal) => expect(signal.aborted).toBe(false), 1_000);
  });

  it('passes a synchronous throw through as a rejection', async () => {
    await expect(
      withDeadline(() => {
        throw new Error('sync');
      }, 1_000),
    ).rejects.toThrow('sync');
  });
});

describe('delay', () => {
  it('waits, and ends at once on abort', async () => {
    const begun = performance.now();
    await delay(15, undefined);
    expect(performance.now() - begun).toBeGreaterThanOrEqual(14);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('stop')), 5);
    await expect(delay(10_000, controller.signal)).rejects.toThrow('stop');
  });
});

describe('LruCache', () => {
  it('evicts the least recently used entry', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1);
    cache.set('c', 3);
    expect(cache.peek('b')).toBeUndefined();
    expect(cache.peek('a')).toBe(1);
    expect(cache.size).toBe(2);
    const disabled = new LruCache<string, number>(0);
    disabled.set('a', 1);
    expect(disabled.get('a')).toBeUndefined();
  });
});
