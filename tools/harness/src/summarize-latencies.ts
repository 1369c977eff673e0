import { percentile } from './percentile.js';

/** Latency percentiles of a sample, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** p50, p95, p99 and max of a sample (the sample is not modified). */
export function summarizeLatencies(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    p99Ms: percentile(sorted, 0.99),
    maxMs: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** `12.3` — one decimal, or `—` for NaN. */
export function ms(value: number): string {
  return Number.isFinite(value) ? value.toFixed(1) : '—';
}
