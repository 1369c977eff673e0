/** Live gauges read when a sample closes. */
export interface SamplerGauges {
  inFlight: number;
  queued: number;
  sessions: number;
}

/** One interval of the dashboard's charts. */
export interface DashboardSample {
  /** When the interval ended (for the open interval: now), epoch ms. */
  t: number;
  /** Calls that finished in the interval, and those among them that failed. */
  calls: number;
  errors: number;
  /** Finished calls per second over the interval. */
  rps: number;
  /** Latency percentiles of the interval's calls (null when none finished). */
  p50_ms: number | null;
  p95_ms: number | null;
  /** Model cost spent in the interval, and since the daemon started. */
  cost_usd: number;
  cost_total_usd: number;
  in_flight: number;
  queued: number;
  sessions: number;
  /** True for the interval still open (the newest point). */
  partial?: boolean;
}

/** What {@link DashboardSampler} needs. */
export interface DashboardSamplerOptions {
  gauges: () => SamplerGauges;
  /** Interval length (default 10 s). */
  intervalMs?: number;
  /** Closed intervals kept (default 360: one hour of 10 s samples). */
  capacity?: number;
  now?: () => number;
}

const maxDurationsPerInterval = 10_000;
const rateWindowMs = 10_000;

/**
 * The dashboard's history, kept server side so a page opened late still shows the last hour: a ring
 * of per-interval samples (calls, errors, rate, p50/p95 latency, cost, in-flight, queued, sessions)
 * fed by finished calls and model costs. Memory is bounded: `capacity` samples, and at most 10,000
 * durations per open interval (a uniform sample of them beyond that).
 */
export class DashboardSampler {
  readonly intervalMs: number;
  readonly #capacity: number;
  readonly #gauges: () => SamplerGauges;
  readonly #now: () => number;
  readonly #samples: DashboardSample[] = [];
  #timer: NodeJS.Timeout | undefined;
  readonly #startedAt: number;
  #start: number;
  #calls = 0;
  #errors = 0;
  #durations: number[] = [];
  #cost = 0;
  #costTotal = 0;
  #callsTotal = 0;
  #errorsTotal = 0;
  /** Finish times of the last `rateWindowMs`, oldest first, for the live rate. */
  #recentFinishes: number[] = [];

  constructor(options: DashboardSamplerOptions) {
    this.intervalMs = options.intervalMs ?? 10_000;
    this.#capacity = options.capacity ?? 360;
    this.#gauges = options.gauges;
    this.#now = options.now ?? Date.now;
    this.#start = this.#now();
    this.#startedAt = this.#start;
  }

  /** Closes an interval every `intervalMs` (the timer does not keep the process alive). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.tick(), this.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A finished call (tool call or gateway request). */
  recordCall(call: { durationMs: number; status: string }): void {
    const now = this.#now();
    this.#calls++;
    this.#callsTotal++;
    if (call.status !== 'success') {
      this.#errors++;
      this.#errorsTotal++;
    }
    if (this.#durations.length < maxDurationsPerInterval) this.#durations.push(call.durationMs);
    else {
      // Reservoir sampling keeps the percentiles unbiased when an interval has more calls than we keep.
      const slot = Math.floor(Math.random() * this.#calls);
      if (slot < maxDurationsPerInterval) this.#durations[slot] = call.durationMs;
    }
    this.#recentFinishes.push(now);
    this.#pruneFinishes(now);
  }

  /** Model spend (a routed call's cost, whatever face made it). */
  recordCost(usd: number): void {
    if (!Number.isFinite(usd) || usd <= 0) return;
    this.#cost += usd;
    this.#costTotal += usd;
  }

  /** Closes the open interval into the ring. */
  tick(): void {
    const sample = this.#current(false);
    this.#samples.push(sample);
    if (this.#samples.length > this.#capacity) this.#samples.shift();
    this.#start = sample.t;
    this.#calls = 0;
    this.#errors = 0;
    this.#durations = [];
    this.#cost = 0;
  }

  /** Closed samples, oldest first, then the open interval (`partial: true`). */
  samples(): DashboardSample[] {
    return [...this.#samples, this.#current(true)];
  }

  /** Calls finished per second over the last 10 s. */
  rate(): number {
    const now = this.#now();
    this.#pruneFinishes(now);
    const window = Math.min(rateWindowMs, Math.max(1000, now - this.#startedAt));
    return round(this.#recentFinishes.length / (window / 1000), 3);
  }

  /** Calls, failed calls and cost since start. */
  totals(): { calls: number; errors: number; cost_usd: number } {
    return { calls: this.#callsTotal, errors: this.#errorsTotal, cost_usd: this.#costTotal };
  }

  #current(partial: boolean): DashboardSample {
    const now = this.#now();
    const seconds = Math.max(0.001, (now - this.#start) / 1000);
    const sorted = [...this.#durations].sort((a, b) => a - b);
    const gauges = this.#gauges();
    return {
      t: now,
      calls: this.#calls,
      errors: this.#errors,
      rps: round(this.#calls / seconds, 3),
      p50_ms: percentile(sorted, 0.5),
      p95_ms: percentile(sorted, 0.95),
      cost_usd: this.#cost,
      cost_total_usd: this.#costTotal,
      in_flight: gauges.inFlight,
      queued: gauges.queued,
      sessions: gauges.sessions,
      ...(partial ? { partial: true } : {}),
    };
  }

  #pruneFinishes(now: number): void {
    let drop = 0;
    while (drop < this.#recentFinishes.length && (this.#recentFinishes[drop] as number) <= now - rateWindowMs) drop++;
    if (drop > 0) this.#recentFinishes.splice(0, drop);
    // Bounded even under a flood: the rate is then an underestimate, never a memory problem.
    if (this.#recentFinishes.length > 100_000) this.#recentFinishes.splice(0, this.#recentFinishes.length - 100_000);
  }
}

/** Nearest-rank percentile of sorted values; null when there are none. */
export function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] as number;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
