import { describe, expect, it } from '@jest/globals';
import { isBulkheadRejectedError } from 'cockatiel';
import { CapacityExceededError } from './capacity-exceeded-error.js';
import { createBulkhead } from './create-bulkhead.js';

/** A promise with its resolve function, to hold a slot for as long as a test wants. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('createBulkhead', () => {
  it('runs up to limit calls, queues up to queue more in order, and rejects the rest', async () => {
    const rejections: CapacityExceededError[] = [];
    const bulkhead = createBulkhead({ name: 'provider:glm', limit: 2, queue: 1, onReject: (error) => rejections.push(error) });
    const hold = gate();
    const order: string[] = [];
    const first = bulkhead.execute(async () => {
      await hold.promise;
      order.push('first');
    });
    const second = bulkhead.execute(async () => {
      await hold.promise;
      order.push('second');
    });
    const third = bulkhead.execute(() => {
      order.push('third');
    });
    expect(bulkhead.inFlight).toBe(2);
    expect(bulkhead.queued).toBe(1);

    const fourth = await bulkhead.execute(() => order.push('fourth')).catch((error: unknown) => error);
    expect(CapacityExceededError.isInstance(fourth)).toBe(true);
    expect(isBulkheadRejectedError(fourth)).toBe(true);
    const rejected = fourth as CapacityExceededError;
    expect(rejected).toMatchObject({ code: 'over_capacity', bulkhead: 'provider:glm', limit: 2, queue: 1, reason: 'queue_full' });
    expect(rejected.retryAfterMs).toBeGreaterThan(0);
    expect(rejected.message).toContain('provider:glm');
    expect(rejections).toEqual([rejected]);

    hold.open();
    await Promise.all([first, second, third]);
    expect(order).toEqual(['first', 'second', 'third']);
    expect(bulkhead.inFlight).toBe(0);
    expect(bulkhead.queued).toBe(0);
    expect(bulkhead.executionSlots).toBe(2);
  });

  it('rejects a call that waits longer than queueTimeoutMs, and frees its queue place', async () => {
    const bulkhead = createBulkhead({ name: 'global', limit: 1, queue: 1, queueTimeoutMs: 30 });
    const hold = gate();
    const running = bulkhead.execute(() => hold.promise);
    const begun = performance.now();
    let ran = false;
    const waited = await bulkhead
      .execute(() => {
        ran = true;
      })
      .catch((error: unknown) => error);
    const elapsed = performance.now() - begun;
    expect(ran).toBe(false);
    expect(CapacityExceededError.isInstance(waited)).toBe(true);
    expect(waited).toMatchObject({ reason: 'queue_timeout', bulkhead: 'global' });
    expect(elapsed).toBeGreaterThanOrEqual(29);
    expect(elapsed).toBeLessThan(500);
    // No history yet: the estimate falls back to the queue timeout.
    expect((waited as CapacityExceededError).retryAfterMs).toBe(30);
    expect(bulkhead.queued).toBe(0);
    hold.open();
    await running;
    expect(bulkhead.inFlight).toBe(0);
  });

  it('lets an aborted call leave the queue at once, with the signal reason, and keeps the order of the others', async () => {
    const bulkhead = createBulkhead({ limit: 1, queue: 2 });
    const hold = gate();
    const running = bulkhead.execute(() => hold.promise);
    const controller = new AbortController();
    let abortedRan = false;
    const aborted = bulkhead.execute(() => {
      abortedRan = true;
    }, controller.signal);
    const next = bulkhead.execute(() => 'next');
    expect(bulkhead.queued).toBe(2);
    controller.abort(new Error('caller cancelled'));
    // It leaves while the slot is still held: it did not wait for its turn.
    await expect(aborted).rejects.toThrow('caller cancelled');
    expect(bulkhead.queued).toBe(1);
    hold.open();
    await expect(next).resolves.toBe('next');
    await running;
    expect(abortedRan).toBe(false);
    expect(bulkhead.inFlight).toBe(0);
  });

  it('does not start a call whose signal has already aborted', async () => {
    const bulkhead = createBulkhead({ limit: 1 });
    await expect(bulkhead.execute(() => 1, AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(bulkhead.inFlight).toBe(0);
  });

  it('frees the slot when the call fails', async () => {
    const bulkhead = createBulkhead({ limit: 1 });
    await expect(
      bulkhead.execute(() => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(bulkhead.inFlight).toBe(0);
    await expect(bulkhead.execute(() => 'again')).resolves.toBe('again');
  });

  it('estimates retryAfterMs from recent hold times', async () => {
    const bulkhead = createBulkhead({ limit: 1, queue: 0 });
    await bulkhead.execute(() => sleep(40));
    const hold = gate();
    const running = bulkhead.execute(() => hold.promise);
    const rejected = (await bulkhead.execute(() => 1).catch((error: unknown) => error)) as CapacityExceededError;
    expect(rejected.retryAfterMs).toBeGreaterThanOrEqual(35);
    expect(rejected.retryAfterMs).toBeLessThan(200);
    hold.open();
    await running;
  });

  it('tryAcquire takes a free slot at once and gives it back exactly once; acquire waits in the queue', async () => {
    const bulkhead = createBulkhead({ name: 'global', limit: 1, queue: 1, queueTimeoutMs: 1_000 });
    const release = bulkhead.tryAcquire();
    expect(release).toBeDefined();
    expect(bulkhead.inFlight).toBe(1);
    expect(bulkhead.tryAcquire()).toBeUndefined();

    let admitted = false;
    const waiting = bulkhead.acquire().then((next) => {
      admitted = true;
      return next;
    });
    expect(bulkhead.queued).toBe(1);
    // The queue is full: a third caller is refused with the bulkhead's error.
    const refused = await bulkhead.acquire().catch((error: unknown) => error);
    expect(CapacityExceededError.isInstance(refused)).toBe(true);
    expect((refused as CapacityExceededError).reason).toBe('queue_full');

    release?.();
    release?.(); // a second release does nothing
    const next = await waiting;
    expect(admitted).toBe(true);
    expect(bulkhead.inFlight).toBe(1);
    expect(bulkhead.queued).toBe(0);
    next();
    expect(bulkhead.inFlight).toBe(0);
  });

  it('acquire leaves the queue when its signal aborts, and rejects at once when it already has', async () => {
    const bulkhead = createBulkhead({ limit: 1, queue: 2 });
    const release = bulkhead.tryAcquire() as () => void;
    const controller = new AbortController();
    const waiting = bulkhead.acquire(controller.signal).catch((error: unknown) => error);
    expect(bulkhead.queued).toBe(1);
    controller.abort(new Error('caller left'));
    expect(((await waiting) as Error).message).toBe('caller left');
    expect(bulkhead.queued).toBe(0);
    await expect(bulkhead.acquire(controller.signal)).rejects.toThrow('caller left');
    release();
    expect(bulkhead.inFlight).toBe(0);
  });

  it('rejects bad settings', () => {
    expect(() => createBulkhead({ limit: 0 })).toThrow(RangeError);
    expect(() => createBulkhead({ limit: 1, queue: -1 })).toThrow(RangeError);
    expect(() => createBulkhead({ limit: 1, queueTimeoutMs: 0 })).toThrow(RangeError);
  });
});
