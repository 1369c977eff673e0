import { describe, expect, it } from '@jest/globals';
import { percentile } from './percentile.js';
import { ms, summarizeLatencies } from './summarize-latencies.js';
import { summarize } from './summarize.js';

describe('stats', () => {
  it('computes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.99)).toBe(99);
    expect(percentile(sorted, 1)).toBe(100);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('summarizes unsorted samples', () => {
    expect(summarize([3, 1, 2])).toEqual({ count: 3, medianMs: 2, p99Ms: 3, meanMs: 2 });
    expect(summarizeLatencies([4, 1, 3, 2])).toEqual({ count: 4, p50Ms: 2, p95Ms: 4, p99Ms: 4, maxMs: 4 });
    expect(summarizeLatencies([]).maxMs).toBeNaN();
  });

  it('formats milliseconds with one decimal, NaN as a dash', () => {
    expect(ms(12.34)).toBe('12.3');
    expect(ms(Number.NaN)).toBe('—');
  });
});
