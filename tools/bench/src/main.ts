import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { runProviderLayerBench } from './provider-layer-bench.js';
import { spawnSimulator } from './spawn-simulator.js';

/** Median ratio the provider layer must stay under (issue: at most 1.10 of a bare SDK call). */
const PROVIDER_LAYER_TARGET = 1.1;

async function main(): Promise<void> {
  const calls = Number(process.env['BENCH_CALLS'] ?? 2000);
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 10);
  const warmup = Number(process.env['BENCH_WARMUP'] ?? 200);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(`exai benchmarks — ${machine}\nprovider layer: ${calls} calls per contender in ${rounds} interleaved rounds, ${warmup} warm-up, simulator at zero latency\n\n`);

  const sim = await spawnSimulator();
  try {
    const rows = await runProviderLayerBench(sim, { calls, rounds, warmup });
    const lines = ['| contender | calls | median ms | p99 ms | mean ms | median ratio |', '|---|---|---|---|---|---|'];
    for (const row of rows) {
      lines.push(
        `| ${row.name} | ${row.count} | ${row.medianMs.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${row.meanMs.toFixed(3)} | ${row.medianRatio === undefined ? '—' : row.medianRatio.toFixed(3)} |`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n\n`);
    const providerRows = rows.filter((row) => row.name.startsWith('@exai/providers-'));
    const worst = Math.max(...providerRows.map((row) => row.medianRatio ?? 0));
    const verdict = worst <= PROVIDER_LAYER_TARGET ? 'PASS' : 'FAIL';
    process.stdout.write(`provider layer median ratio (worst of GLM, Kimi): ${worst.toFixed(3)} — target ≤ ${PROVIDER_LAYER_TARGET}: ${verdict}\n`);
    mkdirSync('tmp/bench', { recursive: true });
    writeFileSync('tmp/bench/provider-layer.json', JSON.stringify({ machine, calls, rounds, warmup, rows, at: new Date().toISOString() }, null, 2));
    if (verdict === 'FAIL') process.exitCode = 1;
  } finally {
    await sim.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
