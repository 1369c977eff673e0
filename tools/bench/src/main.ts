import { cpus, loadavg, release, totalmem } from 'node:os';
import { spawnSimulator, type SimulatorProcess } from '@exai/harness';
import { benchSettings, sized, sizedList, type BenchSettings } from './bench-settings.js';
import { gatewaysSection, saveJson, startComparisonReport, startupSection, stdioSection, toolsListSection, type TargetVerdict } from './comparison-sections.js';
import { runDaemonWsBench } from './daemon-ws-bench.js';
import { runDecisionBench } from './decision-bench.js';
import { runProviderLayerBench } from './provider-layer-bench.js';
import { runRouterOverheadBench } from './router-overhead-bench.js';
import { runStorageBench } from './storage-bench.js';

/** Median ratio the provider layer must stay under (issue: at most 1.10 of a bare SDK call). */
const PROVIDER_LAYER_TARGET = 1.1;
/** Median ratio of a full routed call over the bare provider call (issue 3: at most 1.05). */
const ROUTER_TARGET = 1.05;
/** p50 of one `auto` routing decision over the full registry, in µs (issue 3: at most 50). */
const DECISION_TARGET_US = 50;
/** p50 of loading a 50-turn thread, in ms, on PGlite and PostgreSQL (issue 4: at most 2). */
const THREAD_LOAD_TARGET_MS = 2;

const fixed = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));
const env = process.env;

/**
 * `npm run bench [-- --quick]`: every section, or those `BENCH_ONLY` names. A full run exits 1 when a
 * target is missed; a quick run (small samples, for CI) reports the targets and exits 1 only when
 * something does not work (a call fails, a process does not start).
 */
async function main(): Promise<void> {
  const settings = benchSettings(process.argv.slice(2), env);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}`;
  const load = loadavg().map((value) => value.toFixed(2)).join(' ');
  process.stdout.write(`exai benchmarks — ${machine}; load average at start ${load}${settings.quick ? '; QUICK run (small samples, targets not enforced)' : ''}\nsections: ${settings.sections.join(', ')}\n\n`);
  const verdicts: TargetVerdict[] = [];
  const started = performance.now();
  const wants = (section: BenchSettings['sections'][number]): boolean => settings.sections.includes(section);
  const has = (section: BenchSettings['sections'][number]): boolean => {
    const wanted = wants(section);
    if (wanted) process.stderr.write(`[bench] ${section} (at ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    return wanted;
  };

  if (wants('provider') || wants('router')) {
    const sim = await spawnSimulator();
    try {
      if (has('provider')) verdicts.push(await providerSection(sim, settings.quick));
      if (has('router')) verdicts.push(...(await routerSection(sim, settings.quick)));
    } finally {
      await sim.stop();
    }
  }
  if (has('storage')) verdicts.push(await storageSection(settings.quick));
  if (has('daemon')) await daemonSection(machine, settings.quick);

  if (wants('gateways') || wants('stdio') || wants('startup') || wants('tools-list')) {
    const command = `${settings.quick ? 'npm run bench -- --quick' : 'npm run bench'}${env['BENCH_ONLY'] ? ` (BENCH_ONLY=${env['BENCH_ONLY']})` : ''}`;
    startComparisonReport(`## Side by side (issue 7) — ${new Date().toISOString().slice(0, 10)}\n\nCommand: \`${command}\`. Machine: ${machine}; load average at start ${load}.`);
  }
  if (has('gateways')) {
    verdicts.push(
      ...(await gatewaysSection({
        rounds: sized(env, 'BENCH_GW_ROUNDS', settings.quick, { quick: 3, full: 10 }),
        callsPerRound: sized(env, 'BENCH_GW_CALLS', settings.quick, { quick: 20, full: 200 }),
        warmup: sized(env, 'BENCH_GW_WARMUP', settings.quick, { quick: 10, full: 200 }),
        concurrencies: sizedList(env, 'BENCH_GW_CONCURRENCY', settings.quick, { quick: [1, 8], full: [1, 16, 64] }),
        throughputMs: sized(env, 'BENCH_GW_THROUGHPUT_MS', settings.quick, { quick: 300, full: 3000 }),
      })),
    );
  }
  if (has('stdio')) {
    verdicts.push(
      ...(await stdioSection({
        rounds: sized(env, 'BENCH_STDIO_ROUNDS', settings.quick, { quick: 3, full: 10 }),
        callsPerRound: sized(env, 'BENCH_STDIO_CALLS', settings.quick, { quick: 20, full: 200 }),
        warmup: sized(env, 'BENCH_STDIO_WARMUP', settings.quick, { quick: 10, full: 200 }),
      })),
    );
  }
  if (has('startup')) {
    verdicts.push(
      ...(await startupSection({
        runs: sized(env, 'BENCH_STARTUP_RUNS', settings.quick, { quick: 1, full: 15 }),
        settleMs: sized(env, 'BENCH_STARTUP_SETTLE_MS', settings.quick, { quick: 200, full: 2000 }),
      })),
    );
  }
  if (has('tools-list')) verdicts.push(...(await toolsListSection()));

  if (verdicts.length > 0) {
    process.stdout.write('targets:\n');
    for (const target of verdicts) process.stdout.write(`  ${target.pass ? 'PASS' : 'FAIL'}  ${target.name}\n`);
    const failed = verdicts.filter((target) => !target.pass).length;
    process.stdout.write(`${verdicts.length - failed} passed, ${failed} failed${settings.quick ? ' (quick run: targets are checked by the full run only)' : ''}\n`);
    process.stdout.write(`ran in ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
    if (failed > 0 && !settings.quick) process.exitCode = 1;
  }
}

/** exai's provider layer against a bare openai SDK call. */
async function providerSection(sim: SimulatorProcess, quick: boolean): Promise<TargetVerdict> {
  const calls = sized(env, 'BENCH_CALLS', quick, { quick: 200, full: 2000 });
  const rounds = sized(env, 'BENCH_ROUNDS', quick, { quick: 4, full: 10 });
  const warmup = sized(env, 'BENCH_WARMUP', quick, { quick: 20, full: 200 });
  process.stdout.write(`provider layer: ${calls} calls per contender in ${rounds} interleaved rounds, ${warmup} warm-up, simulator at zero latency\n\n`);
  const rows = await runProviderLayerBench(sim, { calls, rounds, warmup });
  const lines = ['| contender | calls | median ms | p99 ms | mean ms | median ratio |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(`| ${row.name} | ${row.count} | ${row.medianMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${row.meanMs.toFixed(3)} | ${fixed(row.medianRatio)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
  const providerRows = rows.filter((row) => row.name.startsWith('@exai/providers-'));
  const worst = Math.max(...providerRows.map((row) => row.medianRatio ?? 0));
  const pass = worst <= PROVIDER_LAYER_TARGET;
  process.stdout.write(`provider layer median ratio (worst of GLM, Kimi): ${worst.toFixed(3)} — target ≤ ${PROVIDER_LAYER_TARGET}: ${pass ? 'PASS' : 'FAIL'}\n\n`);
  saveJson('provider-layer', { calls, rounds, warmup, rows });
  return { name: `provider layer ≤ ${PROVIDER_LAYER_TARGET}× bare SDK`, pass };
}

/** The whole router against the bare provider, and the routing decision time. */
async function routerSection(sim: SimulatorProcess, quick: boolean): Promise<TargetVerdict[]> {
  const cycles = sized(env, 'BENCH_ROUTER_CYCLES', quick, { quick: 200, full: 3000 });
  const warmup = sized(env, 'BENCH_WARMUP', quick, { quick: 20, full: 200 });
  const decisionSamples = sized(env, 'BENCH_DECISIONS', quick, { quick: 20_000, full: 200_000 });
  process.stdout.write(`router overhead: ${cycles} calls per contender, interleaved one by one in rotating order, ${warmup} warm-up, same simulator\n\n`);
  const routerRows = await runRouterOverheadBench(sim, { cycles, warmup });
  const routerLines = ['| contender | calls | median ms | p99 ms | mean ms | ratio to provider | ratio to provider + AbortSignal |', '|---|---|---|---|---|---|---|'];
  for (const row of routerRows) {
    routerLines.push(
      `| ${row.name} | ${row.count} | ${row.medianMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${row.meanMs.toFixed(3)} | ${fixed(row.ratioToBare)} | ${fixed(row.ratioToSignal)} |`,
    );
  }
  process.stdout.write(`${routerLines.join('\n')}\n\n`);
  const routed = routerRows.filter((row) => row.ratioToBare !== undefined);
  const worstBare = Math.max(...routed.map((row) => row.ratioToBare ?? 0));
  const worstSignal = Math.max(...routed.map((row) => row.ratioToSignal ?? 0));
  const signalCost = Math.max(
    ...routerRows.filter((row) => row.name.endsWith('+ AbortSignal')).map((row) => row.medianMs / (routerRows.find((bare) => `${bare.name} + AbortSignal` === row.name)?.medianMs ?? row.medianMs)),
  );
  const routerPass = worstBare <= ROUTER_TARGET;
  process.stdout.write(`router over bare provider median ratio (worst of GLM, GLM auto, Kimi): ${worstBare.toFixed(3)} — target ≤ ${ROUTER_TARGET}: ${routerPass ? 'PASS' : 'FAIL'}\n`);
  process.stdout.write(
    `router over provider called with an AbortSignal (worst): ${worstSignal.toFixed(3)}; the openai SDK's AbortSignal handling alone: ${signalCost.toFixed(3)} (information)\n`,
  );
  const decision = runDecisionBench({ samples: decisionSamples, warmup: Math.min(20_000, decisionSamples) });
  const decisionPass = decision.p50Us <= DECISION_TARGET_US;
  process.stdout.write(
    `router decision (auto over ${decision.models} models, chose ${decision.chosen}; ${decision.samples} samples): p50 ${decision.p50Us.toFixed(2)} µs, ` +
      `p99 ${decision.p99Us.toFixed(2)} µs, mean ${decision.meanUs.toFixed(2)} µs — target p50 ≤ ${DECISION_TARGET_US} µs: ${decisionPass ? 'PASS' : 'FAIL'}\n\n`,
  );
  saveJson('router', { cycles, warmup, rows: routerRows, worstBare, worstSignal, signalCost, decision });
  return [
    { name: `router ≤ ${ROUTER_TARGET}× bare provider`, pass: routerPass },
    { name: `routing decision p50 ≤ ${DECISION_TARGET_US} µs`, pass: decisionPass },
  ];
}

/** Thread loads and appends on PGlite and PostgreSQL. */
async function storageSection(quick: boolean): Promise<TargetVerdict> {
  const storageLoads = sized(env, 'BENCH_STORAGE_LOADS', quick, { quick: 100, full: 2000 });
  const storageAppends = sized(env, 'BENCH_STORAGE_APPENDS', quick, { quick: 100, full: 1000 });
  const storageConcurrent = sized(env, 'BENCH_STORAGE_CONCURRENT', quick, { quick: 200, full: 4000 });
  process.stdout.write(
    `storage (createStorage: adapter behind its breaker and journal): loadThread of a 50-turn thread ×${storageLoads}, ` +
      `appendMessage ×${storageAppends} sequential, ${storageConcurrent} appends by 8 concurrent writers\n\n`,
  );
  const storage = await runStorageBench({ loads: storageLoads, appends: storageAppends, concurrentAppends: storageConcurrent });
  const storageLines = ['| engine | load 50 turns p50 ms | p99 ms | append p50 ms | p99 ms | inserts/s (8 writers) |', '|---|---|---|---|---|---|'];
  for (const row of storage.rows) {
    storageLines.push(
      `| ${row.engine} | ${row.loadP50Ms.toFixed(3)} | ${row.loadP99Ms.toFixed(3)} | ${row.appendP50Ms.toFixed(3)} | ${row.appendP99Ms.toFixed(3)} | ${Math.round(row.insertsPerSecond)} |`,
    );
  }
  process.stdout.write(`${storageLines.join('\n')}\n`);
  for (const reason of storage.skipped) process.stdout.write(`skipped: ${reason}\n`);
  const worstLoad = Math.max(...storage.rows.map((row) => row.loadP50Ms));
  const pass = worstLoad <= THREAD_LOAD_TARGET_MS && storage.skipped.length === 0;
  process.stdout.write(`50-turn thread load p50 (worst engine): ${worstLoad.toFixed(3)} ms — target ≤ ${THREAD_LOAD_TARGET_MS} ms on PGlite and PostgreSQL: ${pass ? 'PASS' : 'FAIL'}\n\n`);
  saveJson('storage', storage);
  return { name: `50-turn thread load p50 ≤ ${THREAD_LOAD_TARGET_MS} ms (PGlite and PostgreSQL)`, pass };
}

/** exai-daemon over MCP WebSocket: throughput and latency under concurrent clients, idle memory per connection. */
async function daemonSection(machine: string, quick: boolean): Promise<void> {
  const clientCounts = sizedList(env, 'BENCH_WS_CLIENTS', quick, { quick: [10], full: [100, 1000] });
  const latencies = sizedList(env, 'BENCH_WS_LATENCIES', quick, { quick: [0], full: [0, 50] });
  const callsPerClient = sized(env, 'BENCH_WS_CALLS', quick, { quick: 3, full: 10 });
  const idleConnections = sized(env, 'BENCH_WS_IDLE', quick, { quick: 20, full: 1000 });
  process.stdout.write(
    `exai-daemon, MCP over WebSocket: ${clientCounts.join(' and ')} concurrent clients × ${callsPerClient} sequential chat calls each, simulator at ${latencies.join(' and ')} ms; ` +
      `daemon, simulator and clients are separate processes on the same machine; limits raised for the run\n\n`,
  );
  const result = await runDaemonWsBench({ clientCounts, latencies, callsPerClient, idleConnections });
  const lines = ['| provider latency | clients | calls | errors | calls/s | p50 ms | p95 ms | p99 ms |', '|---|---|---|---|---|---|---|---|'];
  for (const row of result.rows) {
    lines.push(`| ${row.latencyMs} ms | ${row.clients} | ${row.calls} | ${row.errors} | ${Math.round(row.callsPerSecond)} | ${row.p50Ms.toFixed(1)} | ${row.p95Ms.toFixed(1)} | ${row.p99Ms.toFixed(1)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const idle = result.idle;
  process.stdout.write(
    `idle memory: RSS ${idle.baselineRssMiB.toFixed(1)} MiB with no client, ${idle.withConnectionsRssMiB.toFixed(1)} MiB with ${idle.connections} open MCP connections ` +
      `(${idle.perConnectionKiB.toFixed(1)} KiB per connection)\n\n`,
  );
  saveJson('daemon', { machine, clientCounts, latencies, callsPerClient, ...result });
  if (result.rows.some((row) => row.errors > 0)) throw new Error('daemon: some chat calls failed (see the errors column)');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
