import { describe, expect, it } from '@jest/globals';
import { nextBackoffMs } from './next-backoff.js';

describe('nextBackoffMs', () => {
  it('doubles from the first delay up to the cap, jittered within the upper half', () => {
    const options = { initialMs: 250, maxMs: 30_000 };
    expect(nextBackoffMs(0, options, () => 0)).toBe(125);
    expect(nextBackoffMs(0, options, () => 1)).toBe(250);
    expect(nextBackoffMs(3, options, () => 1)).toBe(2000);
    expect(nextBackoffMs(20, options, () => 0)).toBe(15_000);
    expect(nextBackoffMs(20, options, () => 1)).toBe(30_000);
  });
});
