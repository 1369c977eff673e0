import { describe, expect, it } from '@jest/globals';
import { isBulkheadRejectedError } from 'cockatiel';
import { createBulkhead } from './create-bulkhead.js';

describe('createBulkhead', () => {
  it('runs up to limit calls, queues up to queue more, and rejects the rest', async () => {
    let rejections = 0;
    const bulkhead = createBulkhead({ limit: 1, queue: 1, onReject: () => rejections++ });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const order: string[] = [];
    const first = bulkhead.execute(async () => {
      await gate;
      order.push('first');
    });
    const second = bulkhead.execute(() => {
      order.push('second');
    });
    const third = await bulkhead.execute(() => order.push('third')).catch((error: unknown) => error);
    expect(isBulkheadRejectedError(third)).toBe(true);
    expect(rejections).toBe(1);
    expect(bulkhead.executionSlots).toBe(0);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(bulkhead.executionSlots).toBe(1);
  });

  it('rejects a bad limit', () => {
    expect(() => createBulkhead({ limit: 0 })).toThrow(RangeError);
    expect(() => createBulkhead({ limit: 1, queue: -1 })).toThrow(RangeError);
  });
});
