import { setTimeout as sleep } from 'node:timers/promises';
import { rssMiB, summarizeLatencies, type LatencySummary } from '@exai/harness';
import type { ClientIdentity } from './burst-load.js';
import { classifyCall, OutcomeTally } from './call-outcome.js';
import { McpWsClient } from './mcp-ws-client.js';

/** Options of {@link runSteadySoak}. */
export interface SoakOptions extends ClientIdentity {
  wsUrl: string;
  /** The daemon's base URL (`/metrics` is read at each interval's end). */
  httpUrl: string;
  /** The daemon's pid (its RSS is read from /proc). */
  pid: number;
  clients: number;
  /** Calls per second over all clients (each client spaces its calls evenly; a late call is not made up for). */
  ratePerSecond: number;
  durationMs: number;
  /** Load before the first interval starts (not sampled): the daemon's caches, JIT and heap settle. */
  warmupMs: number;
  /** Length of one sample (the "per minute": 60 s). */
  intervalMs: number;
  /** Each client closes its connection and opens a new one after this many calls (0: never), so per-connection leaks show. */
  reconnectEvery: number;
  model: string;
  callTimeoutMs: number;
  onInterval?: (sample: SoakInterval) => void;
}

/** One interval of the soak. */
export interface SoakInterval {
  /** 1-based. */
  index: number;
  calls: number;
  tally: OutcomeTally;
  /** Latency of the calls that completed in this interval with a result. */
  latency: LatencySummary;
  /** Those latencies, in ms, in completion order. */
  durations: number[];
  /** The daemon's RSS at the interval's end, and the highest seen during it (MiB). */
  rssMiB: number;
  rssMaxMiB: number;
  /** V8 heap in use at the interval's end (MiB, from `/metrics`; NaN when unavailable). */
  heapUsedMiB: number;
  /** Connections opened in this interval (reconnects included). */
  connections: number;
}

/** What the soak came to. */
export interface SoakResult {
  intervals: SoakInterval[];
  tally: OutcomeTally;
  /** Calls answered during the warm-up (included in `calls`). */
  warmupCalls: number;
  calls: number;
  wallMs: number;
}

/**
 * A steady load for `durationMs`: `clients` MCP clients, each calling `chat` at its share of
 * `ratePerSecond` (reconnecting every `reconnectEvery` calls), while the daemon's RSS is sampled every
 * second. Per interval: calls, outcomes, latency percentiles, RSS (end and peak) and V8 heap.
 */
export async function runSteadySoak(options: SoakOptions): Promise<SoakResult> {
  const periodMs = (options.clients * 1000) / options.ratePerSecond;
  const intervalCount = Math.max(1, Math.round(options.durationMs / options.intervalMs));
  const buckets = Array.from({ length: intervalCount }, () => ({ durations: [] as number[], tally: new OutcomeTally(), rssMax: 0, connections: 0 }));
  const total = new OutcomeTally();
  const loadStarted = performance.now();
  // Interval 1 starts after the warm-up; what happens before it is counted in the totals only.
  const started = loadStarted + options.warmupMs;
  const endAt = started + intervalCount * options.intervalMs;
  const warmup = { durations: [] as number[], tally: new OutcomeTally(), rssMax: 0, connections: 0 };
  const bucketOf = (time: number): (typeof buckets)[number] =>
    time < started ? warmup : (buckets[Math.min(intervalCount - 1, Math.floor((time - started) / options.intervalMs))] as (typeof buckets)[number]);
  const intervals: SoakInterval[] = [];

  const sampler = setInterval(() => {
    const bucket = bucketOf(performance.now());
    bucket.rssMax = Math.max(bucket.rssMax, rssMiB(options.pid, Number.NaN));
  }, 1000);
  let closeInterval = 1;
  const closer = (async () => {
    while (closeInterval <= intervalCount) {
      const boundary = started + closeInterval * options.intervalMs;
      await sleep(Math.max(0, boundary - performance.now()));
      const bucket = buckets[closeInterval - 1] as (typeof buckets)[number];
      const rss = rssMiB(options.pid, Number.NaN);
      const sample: SoakInterval = {
        index: closeInterval,
        calls: bucket.tally.total,
        tally: bucket.tally,
        latency: summarizeLatencies(bucket.durations),
        durations: bucket.durations,
        rssMiB: rss,
        rssMaxMiB: Math.max(bucket.rssMax, rss),
        heapUsedMiB: await heapUsedMiB(options.httpUrl),
        connections: bucket.connections,
      };
      intervals.push(sample);
      options.onInterval?.(sample);
      closeInterval++;
    }
  })();

  await Promise.all(
    Array.from({ length: options.clients }, async (_, index) => {
      const token = options.token(index);
      const localAddress = options.localAddress(index);
      const connect = async (): Promise<McpWsClient> => {
        bucketOf(performance.now()).connections++;
        return McpWsClient.connect(options.wsUrl, { ...(token ? { token } : {}), ...(localAddress ? { localAddress } : {}), clientName: `soak-${index}` });
      };
      let client = await connect();
      let next = loadStarted + (index * periodMs) / options.clients;
      for (let call = 0; ; call++) {
        await sleep(Math.max(0, next - performance.now()));
        if (performance.now() >= endAt) break;
        if (options.reconnectEvery > 0 && call > 0 && call % options.reconnectEvery === 0) {
          await client.close();
          client = await connect();
        }
        const outcome = await client.callTool('chat', { prompt: `soak client ${index} call ${call}`, model: options.model }, { timeoutMs: options.callTimeoutMs });
        const done = performance.now();
        const classified = classifyCall(outcome);
        total.add(classified);
        // A call answered after the end counts in the totals (it was answered), not in an interval.
        if (done < endAt) {
          const bucket = bucketOf(done);
          bucket.tally.add(classified);
          if (classified.class === 'ok') bucket.durations.push(outcome.elapsedMs);
        }
        // Steady, not catching up: a late client does not burst to make up for lost time.
        next = Math.max(next + periodMs, done);
      }
      await client.close();
    }),
  );
  await closer;
  clearInterval(sampler);
  return { intervals, tally: total, calls: total.total, warmupCalls: warmup.tally.total, wallMs: performance.now() - loadStarted };
}

async function heapUsedMiB(httpUrl: string): Promise<number> {
  try {
    const text = await (await fetch(`${httpUrl}/metrics`)).text();
    const bytes = Number(/^exai_nodejs_heap_size_used_bytes\s+(\S+)/m.exec(text)?.[1] ?? Number.NaN);
    return bytes / 2 ** 20;
  } catch {
    return Number.NaN;
  }
}
