import { cpuMs, spawnSimulator } from '@exai/harness';
import { createGatewayContenders, type ContenderRole, type GatewayCaller, type GatewayContender } from './gateway-contenders.js';
import { addedLatency, roundLatency, runInterleavedRounds, type AddedLatency, type RoundCpu, type RoundLatency } from './interleaved-rounds.js';
import { spawnDaemonProcess } from './spawn-daemon-process.js';
import { spawnPassthroughProxy } from './spawn-passthrough-proxy.js';
import { spawnPortkey } from './spawn-portkey.js';

/** Sizes of the gateway comparison. */
export interface GatewayBenchOptions {
  rounds: number;
  callsPerRound: number;
  warmup: number;
  /** Concurrent callers of the throughput sweep. */
  concurrencies: number[];
  /** How long each contender runs at each concurrency, in ms. */
  throughputMs: number;
}

/** One contender's sequential latency and what it adds over the direct call. */
export interface GatewayLatencyRow extends RoundLatency {
  name: string;
  role: ContenderRole;
  /** Undefined for the direct call itself. */
  added: AddedLatency | undefined;
  /** CPU per measured call of this process (the client side, and the router for the in-process row), in ms. */
  clientCpuMsPerCall: number;
  /** CPU per measured call of the serving process (the gateway), in ms. */
  serverCpuMsPerCall: number | undefined;
}

/** One contender at one concurrency. */
export interface GatewayThroughputRow {
  name: string;
  role: ContenderRole;
  concurrency: number;
  calls: number;
  errors: number;
  callsPerSecond: number;
  firstError?: string;
}

/** What the gateway comparison measured. */
export interface GatewayBenchResult {
  portkeyVersion: string;
  latency: GatewayLatencyRow[];
  throughput: GatewayThroughputRow[];
}

const PROMPT = 'Reply with a short sentence.';

/**
 * The same chat call made directly and through each gateway, against one simulator at zero latency
 * (a child process), with Portkey and exai-daemon as child processes too: sequential latency over
 * interleaved rounds (median of round medians; added latency paired round by round against the
 * direct call), then throughput with 1, 16, 64… concurrent callers for a fixed time each.
 */
export async function runGatewayBench(options: GatewayBenchOptions): Promise<GatewayBenchResult> {
  const sim = await spawnSimulator({ latencyMs: 0 });
  const stops: (() => Promise<void>)[] = [sim.stop];
  try {
    const portkey = await spawnPortkey();
    stops.unshift(portkey.stop);
    const passthrough = await spawnPassthroughProxy(sim.glmBaseURL);
    stops.unshift(passthrough.stop);
    const daemon = await spawnDaemonProcess(sim);
    stops.unshift(daemon.stop);
    const contenders = createGatewayContenders({ sim, portkey, passthrough, daemon });
    const latency = await measureLatency(contenders, options);
    const throughput: GatewayThroughputRow[] = [];
    for (const [step, concurrency] of options.concurrencies.entries()) {
      for (let offset = 0; offset < contenders.length; offset++) {
        const contender = contenders[(step + offset) % contenders.length] as GatewayContender;
        throughput.push(await measureThroughput(contender, concurrency, options.throughputMs));
      }
    }
    throughput.sort((a, b) => contenders.findIndex((c) => c.name === a.name) - contenders.findIndex((c) => c.name === b.name) || a.concurrency - b.concurrency);
    return { portkeyVersion: portkey.version, latency, throughput };
  } finally {
    for (const stop of stops) await stop();
  }
}

async function measureLatency(contenders: readonly GatewayContender[], options: GatewayBenchOptions): Promise<GatewayLatencyRow[]> {
  const callers = new Map<string, GatewayCaller>();
  try {
    for (const contender of contenders) callers.set(contender.name, await contender.open());
    const cpu = new Map<string, RoundCpu>();
    const samples = await runInterleavedRounds(
      contenders.map((contender) => ({
        name: contender.name,
        call: () => (callers.get(contender.name) as GatewayCaller).call(PROMPT),
        ...(contender.serverPid === undefined ? {} : { serverCpuMs: () => cpuMs(contender.serverPid as number) }),
      })),
      { rounds: options.rounds, callsPerRound: options.callsPerRound, warmup: options.warmup, cpu },
    );
    const baseline = contenders.find((contender) => contender.role === 'baseline') as GatewayContender;
    const baseRounds = samples.get(baseline.name) as number[][];
    return contenders.map((contender) => {
      const rounds = samples.get(contender.name) as number[][];
      const latency = roundLatency(rounds);
      const used = cpu.get(contender.name) as RoundCpu;
      return {
        name: contender.name,
        role: contender.role,
        ...latency,
        added: contender === baseline ? undefined : addedLatency(rounds, baseRounds),
        clientCpuMsPerCall: used.clientMs / latency.calls,
        serverCpuMsPerCall: used.serverMs === undefined ? undefined : used.serverMs / latency.calls,
      };
    });
  } finally {
    for (const caller of callers.values()) await caller.close().catch(() => undefined);
  }
}

async function measureThroughput(contender: GatewayContender, concurrency: number, durationMs: number): Promise<GatewayThroughputRow> {
  const callers: GatewayCaller[] = [];
  try {
    // Open in batches, so the handshakes do not all land at once.
    for (let index = 0; index < concurrency; index += 16) {
      callers.push(...(await Promise.all(Array.from({ length: Math.min(16, concurrency - index) }, () => contender.open()))));
    }
    let calls = 0;
    let errors = 0;
    let firstError: string | undefined;
    const failed = (error: unknown): void => {
      errors++;
      firstError ??= error instanceof Error ? error.message : String(error);
    };
    await Promise.all(
      callers.map(async (caller) => {
        for (let warm = 0; warm < 3; warm++) await caller.call(PROMPT).catch(failed);
      }),
    );
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      callers.map(async (caller) => {
        while (performance.now() < deadline) {
          try {
            await caller.call(PROMPT);
            calls++;
          } catch (error) {
            failed(error);
          }
        }
      }),
    );
    const elapsed = performance.now() - started;
    return { name: contender.name, role: contender.role, concurrency, calls, errors, callsPerSecond: (calls * 1000) / elapsed, ...(firstError ? { firstError } : {}) };
  } finally {
    await Promise.all(callers.map((caller) => caller.close().catch(() => undefined)));
  }
}
