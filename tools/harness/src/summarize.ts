import { percentile } from './percentile.js';

/** Median, p99 and mean of a sample of durations in milliseconds. */
export interface Summary {
  count: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

/** Median, p99 and mean of a sample (the sample is not modified). */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return { count: sorted.length, medianMs: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), meanMs: total / sorted.length };
}
