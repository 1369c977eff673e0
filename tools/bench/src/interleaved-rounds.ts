import { percentile } from '@exai/harness';

/** One way of making the measured call, sequentially, one call at a time. */
export interface RoundContender {
  name: string;
  /** Makes one call; throws when the call did not succeed. */
  call: (index: number) => Promise<unknown>;
  /** CPU time used so far by the process that serves the calls (a gateway), in ms, when there is one. */
  serverCpuMs?: () => number;
}

/** Per-round samples of every contender, in milliseconds. */
export type RoundSamples = Map<string, number[][]>;

/** CPU time spent on the measured calls, in ms: by this process (the client side) and by the serving process. */
export interface RoundCpu {
  clientMs: number;
  serverMs: number | undefined;
}

/**
 * Runs `rounds` rounds; in each, every contender makes `callsPerRound` sequential calls, in an order
 * that rotates every round, so drift, GC debt and the neighbours' load fall on every contender alike
 * (the method of llm-gateway-bench: interleaved rounds, then the median of the round medians).
 */
export async function runInterleavedRounds(
  contenders: readonly RoundContender[],
  options: { rounds: number; callsPerRound: number; warmup: number; cpu?: Map<string, RoundCpu> },
): Promise<RoundSamples> {
  let counter = 0;
  for (const contender of contenders) for (let index = 0; index < options.warmup; index++) await contender.call(counter++);
  const samples: RoundSamples = new Map(contenders.map((contender) => [contender.name, []]));
  for (const contender of contenders) options.cpu?.set(contender.name, { clientMs: 0, serverMs: contender.serverCpuMs ? 0 : undefined });
  for (let round = 0; round < options.rounds; round++) {
    for (let offset = 0; offset < contenders.length; offset++) {
      const contender = contenders[(round + offset) % contenders.length] as RoundContender;
      const durations: number[] = [];
      const client = process.cpuUsage();
      const server = contender.serverCpuMs?.();
      for (let index = 0; index < options.callsPerRound; index++) {
        const started = performance.now();
        await contender.call(counter++);
        durations.push(performance.now() - started);
      }
      const cpu = options.cpu?.get(contender.name);
      if (cpu) {
        const used = process.cpuUsage(client);
        cpu.clientMs += (used.user + used.system) / 1000;
        if (server !== undefined && cpu.serverMs !== undefined) cpu.serverMs += (contender.serverCpuMs?.() ?? server) - server;
      }
      samples.get(contender.name)?.push(durations);
    }
  }
  return samples;
}

/** A contender's latency over interleaved rounds. */
export interface RoundLatency {
  calls: number;
  /** Median of the round medians. */
  p50Ms: number;
  /** Median of the round 99th percentiles. */
  p99Ms: number;
}

const median = (values: readonly number[]): number => percentile([...values].sort((a, b) => a - b), 0.5);

/** Median of the round medians and of the round p99s. */
export function roundLatency(rounds: readonly (readonly number[])[]): RoundLatency {
  const sorted = rounds.map((round) => [...round].sort((a, b) => a - b));
  return {
    calls: rounds.reduce((total, round) => total + round.length, 0),
    p50Ms: median(sorted.map((round) => percentile(round, 0.5))),
    p99Ms: median(sorted.map((round) => percentile(round, 0.99))),
  };
}

/** What a contender adds over a baseline measured in the same rounds. */
export interface AddedLatency {
  /** Median over rounds of (contender's round median − baseline's round median). */
  p50Ms: number;
  /** Median over rounds of (contender's round p99 − baseline's round p99). */
  p99Ms: number;
  /** Interquartile range of the per-round p50 differences. */
  p50IqrMs: [number, number];
}

/** Added latency, paired round by round (round i of the contender against round i of the baseline). */
export function addedLatency(rounds: readonly (readonly number[])[], baseline: readonly (readonly number[])[]): AddedLatency {
  const count = Math.min(rounds.length, baseline.length);
  const p50 = new Array<number>();
  const p99 = new Array<number>();
  for (let index = 0; index < count; index++) {
    const mine = [...(rounds[index] as number[])].sort((a, b) => a - b);
    const theirs = [...(baseline[index] as number[])].sort((a, b) => a - b);
    p50.push(percentile(mine, 0.5) - percentile(theirs, 0.5));
    p99.push(percentile(mine, 0.99) - percentile(theirs, 0.99));
  }
  const sortedP50 = [...p50].sort((a, b) => a - b);
  return { p50Ms: median(p50), p99Ms: median(p99), p50IqrMs: [percentile(sortedP50, 0.25), percentile(sortedP50, 0.75)] };
}
