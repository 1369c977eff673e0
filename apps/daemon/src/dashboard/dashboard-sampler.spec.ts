import { describe, expect, it } from '@jest/globals';
import { DashboardSampler, percentile } from './dashboard-sampler.js';

function sampler(options: { capacity?: number } = {}) {
  const clock = { now: 1_000_000 };
  const gauges = { inFlight: 0, queued: 0, sessions: 0 };
  const instance = new DashboardSampler({ intervalMs: 10_000, gauges: () => ({ ...gauges }), now: () => clock.now, ...options });
  return { sampler: instance, clock, gauges };
}

describe('DashboardSampler', () => {
  it('closes an interval into a sample: calls, errors, rate, p50/p95, cost, gauges', () => {
    const { sampler: s, clock, gauges } = sampler();
    for (const durationMs of [10, 20, 30, 40, 50, 60, 70, 80, 90, 1000]) s.recordCall({ durationMs, status: 'success' });
    s.recordCall({ durationMs: 5, status: 'error' });
    s.recordCost(0.25);
    s.recordCost(0.5);
    s.recordCost(Number.NaN);
    s.recordCost(-1);
    gauges.inFlight = 3;
    gauges.queued = 2;
    gauges.sessions = 7;
    clock.now += 10_000;
    s.tick();
    const [closed, open] = s.samples();
    expect(closed).toEqual({ t: 1_010_000, calls: 11, errors: 1, rps: 1.1, p50_ms: 50, p95_ms: 1000, cost_usd: 0.75, cost_total_usd: 0.75, in_flight: 3, queued: 2, sessions: 7 });
    // The open interval starts empty; totals go on.
    expect(open).toMatchObject({ calls: 0, errors: 0, p50_ms: null, p95_ms: null, cost_usd: 0, cost_total_usd: 0.75, partial: true });
    s.recordCost(0.25);
    expect(s.totals()).toEqual({ calls: 11, errors: 1, cost_usd: 1 });
  });

  it('keeps at most `capacity` closed samples, oldest dropped first', () => {
    const { sampler: s, clock } = sampler({ capacity: 3 });
    for (let index = 0; index < 5; index++) {
      s.recordCall({ durationMs: index, status: 'success' });
      clock.now += 10_000;
      s.tick();
    }
    const samples = s.samples();
    expect(samples).toHaveLength(4);
    expect(samples.slice(0, 3).map((sample) => sample.p50_ms)).toEqual([2, 3, 4]);
  });

  it('reports the rate over the last 10 s', () => {
    const { sampler: s, clock } = sampler();
    clock.now += 20_000;
    for (let index = 0; index < 20; index++) s.recordCall({ durationMs: 1, status: 'success' });
    expect(s.rate()).toBe(2);
    clock.now += 5_000;
    expect(s.rate()).toBe(2);
    clock.now += 5_001;
    expect(s.rate()).toBe(0);
  });

  it('bounds the durations kept per interval', () => {
    const { sampler: s, clock } = sampler();
    for (let index = 0; index < 25_000; index++) s.recordCall({ durationMs: index % 100, status: 'success' });
    clock.now += 10_000;
    s.tick();
    const [closed] = s.samples();
    expect(closed?.calls).toBe(25_000);
    // A uniform sample of 0..99: the median lands near 50.
    expect(closed?.p50_ms).toBeGreaterThanOrEqual(40);
    expect(closed?.p50_ms).toBeLessThanOrEqual(60);
  });
});

describe('percentile', () => {
  it('is the nearest rank, null for no values', () => {
    expect(percentile([], 0.5)).toBeNull();
    expect(percentile([7], 0.95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(percentile([1, 2, 3, 4], 0.95)).toBe(4);
  });
});
