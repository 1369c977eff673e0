/** Summary statistics of a sample of durations in milliseconds. */
export interface Summary {
  count: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
}

/** Nearest-rank percentile of an ascending-sorted sample. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Median, p99 and mean of a sample. */
export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((sum, value) => sum + value, 0);
  return { count: sorted.length, medianMs: percentile(sorted, 0.5), p99Ms: percentile(sorted, 0.99), meanMs: total / sorted.length };
}
