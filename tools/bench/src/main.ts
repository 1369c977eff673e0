import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runDecisionBench } from './decision-bench.js';
import { runProviderLayerBench } from './provider-layer-bench.js';
import { runRouterOverheadBench } from './router-overhead-bench.js';
import { spawnSimulator } from './spawn-simulator.js';
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

async function main(): Promise<void> {
  const calls = Number(process.env['BENCH_CALLS'] ?? 2000);
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 10);
  const warmup = Number(process.env['BENCH_WARMUP'] ?? 200);
  const cycles = Number(process.env['BENCH_ROUTER_CYCLES'] ?? 3000);
  const decisionSamples = Number(process.env['BENCH_DECISIONS'] ?? 200_000);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(`exai benchmarks — ${machine}\nprovider layer: ${calls} calls per contender in ${rounds} interleaved rounds, ${warmup} warm-up, simulator at zero latency\n\n`);

  const sim = await spawnSimulator();
  try {
    const rows = await runProviderLayerBench(sim, { calls, rounds, warmup });
    const lines = ['| contender | calls | median ms | p99 ms | mean ms | median ratio |', '|---|---|---|---|---|---|'];
    for (const row of rows) {
      lines.push(`| ${row.name} | ${row.count} | ${row.medianMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${row.meanMs.toFixed(3)} | ${fixed(row.medianRatio)} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
    const providerRows = rows.filter((row) => row.name.startsWith('@exai/providers-'));
    const worst = Math.max(...providerRows.map((row) => row.medianRatio ?? 0));
    const verdict = worst <= PROVIDER_LAYER_TARGET ? 'PASS' : 'FAIL';
    process.stdout.write(`provider layer median ratio (worst of GLM, Kimi): ${worst.toFixed(3)} — target ≤ ${PROVIDER_LAYER_TARGET}: ${verdict}\n\n`);

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
    const routerVerdict = worstBare <= ROUTER_TARGET ? 'PASS' : 'FAIL';
    process.stdout.write(`router over bare provider median ratio (worst of GLM, GLM auto, Kimi): ${worstBare.toFixed(3)} — target ≤ ${ROUTER_TARGET}: ${routerVerdict}\n`);
    process.stdout.write(
      `router over provider called with an AbortSignal (worst): ${worstSignal.toFixed(3)}; the openai SDK's AbortSignal handling alone: ${signalCost.toFixed(3)} (information)\n`,
    );

    const decision = runDecisionBench({ samples: decisionSamples, warmup: 20_000 });
    const decisionVerdict = decision.p50Us <= DECISION_TARGET_US ? 'PASS' : 'FAIL';
    process.stdout.write(
      `router decision (auto over ${decision.models} models, chose ${decision.chosen}; ${decision.samples} samples): p50 ${decision.p50Us.toFixed(2)} µs, ` +
        `p99 ${decision.p99Us.toFixed(2)} µs, mean ${decision.meanUs.toFixed(2)} µs — target p50 ≤ ${DECISION_TARGET_US} µs: ${decisionVerdict}\n`,
    );

    const storageLoads = Number(process.env['BENCH_STORAGE_LOADS'] ?? 2000);
    const storageAppends = Number(process.env['BENCH_STORAGE_APPENDS'] ?? 1000);
    const storageConcurrent = Number(process.env['BENCH_STORAGE_CONCURRENT'] ?? 4000);
    process.stdout.write(
      `\nstorage (createStorage: adapter behind its breaker and journal): loadThread of a 50-turn thread ×${storageLoads}, ` +
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
    const storageVerdict = worstLoad <= THREAD_LOAD_TARGET_MS && storage.skipped.length === 0 ? 'PASS' : 'FAIL';
    process.stdout.write(`50-turn thread load p50 (worst engine): ${worstLoad.toFixed(3)} ms — target ≤ ${THREAD_LOAD_TARGET_MS} ms on PGlite and PostgreSQL: ${storageVerdict}\n`);

    mkdirSync('tmp/bench', { recursive: true });
    const at = new Date().toISOString();
    writeFileSync('tmp/bench/provider-layer.json', JSON.stringify({ machine, calls, rounds, warmup, rows, at }, null, 2));
    writeFileSync('tmp/bench/router.json', JSON.stringify({ machine, cycles, warmup, rows: routerRows, worstBare, worstSignal, signalCost, decision, at }, null, 2));
    writeFileSync('tmp/bench/storage.json', JSON.stringify({ machine, ...storage, at }, null, 2));
    if (verdict === 'FAIL' || routerVerdict === 'FAIL' || decisionVerdict === 'FAIL' || storageVerdict === 'FAIL') process.exitCode = 1;
  } finally {
    await sim.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
