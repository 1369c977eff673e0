import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSimulator } from '@exai/harness';
import { runGatewayBench, type GatewayBenchOptions, type GatewayLatencyRow } from './gateway-bench.js';
import { runStartupBench } from './startup-bench.js';
import { DEFAULT_STORAGE_ROW, runStdioChatBench, type StdioChatRow } from './stdio-chat-bench.js';
import { runToolsListBench } from './tools-list-bench.js';

/** A target checked by a section. */
export interface TargetVerdict {
  name: string;
  pass: boolean;
}

/** Added latency of exai at most this share of Portkey's (issue 7). */
export const GATEWAY_SHARE_TARGET = 0.25;
/** exai-stdio chat at most this multiple of the minimal MCP server's (issue 7). */
export const STDIO_CHAT_TARGET = 1.15;
/** exai-stdio startup at most this multiple of the bare MCP SDK server's (issue 7). */
export const STARTUP_TARGET = 1.5;
/** Zen's tool definitions: 30–40k tokens (zen-lineage §6). */
const ZEN_TOKENS = '30,000–40,000';

const REPORT = 'tmp/bench/comparison.md';
const ms = (value: number): string => value.toFixed(3);
const verdict = (pass: boolean): string => (pass ? 'PASS' : 'FAIL');

/** Writes to stdout and to `tmp/bench/comparison.md` (tables ready for docs/benchmarks.md). */
function out(text: string): void {
  process.stdout.write(text);
  appendFileSync(REPORT, text);
}

/** Starts `tmp/bench/comparison.md` for this run. */
export function startComparisonReport(header: string): void {
  mkdirSync('tmp/bench', { recursive: true });
  writeFileSync(REPORT, `${header}\n\n`);
}

/** Writes `tmp/bench/<name>.json`: the figures of a section, with the time of the run. */
export function saveJson(name: string, value: unknown): void {
  mkdirSync('tmp/bench', { recursive: true });
  writeFileSync(`tmp/bench/${name}.json`, JSON.stringify({ ...(value as object), at: new Date().toISOString() }, null, 2));
}

/** Gateway overhead: direct, Portkey, exai's OpenAI endpoint, MCP faces and router; latency and throughput. */
export async function gatewaysSection(options: GatewayBenchOptions): Promise<TargetVerdict[]> {
  out(
    `### Gateway overhead (simulator at 0 ms)\n\n` +
      `${options.rounds} interleaved rounds × ${options.callsPerRound} sequential calls per path after ${options.warmup} warm-up calls; ` +
      `p50 = median of the round medians, p99 = median of the round p99s; added = paired round by round against the direct call.\n\n`,
  );
  const result = await runGatewayBench(options);
  const portkey = result.latency.find((row) => row.role === 'peer') as GatewayLatencyRow;
  const portkeyAdded = portkey.added ?? { p50Ms: Number.NaN, p99Ms: Number.NaN };
  const verdicts: TargetVerdict[] = [];
  const lines = [
    '| path | calls | p50 ms | p99 ms | added p50 ms (IQR over rounds) | added p99 ms | added p50 ÷ Portkey’s | added p99 ÷ Portkey’s | target ≤ 0.25 × Portkey (p50 / p99) | gateway CPU ms/call | client CPU ms/call |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of result.latency) {
    const added = row.added;
    const shareP50 = added ? added.p50Ms / portkeyAdded.p50Ms : undefined;
    const shareP99 = added ? added.p99Ms / portkeyAdded.p99Ms : undefined;
    let target = '—';
    if (row.role === 'exai' || row.role === 'exai-raw') {
      const passP50 = (added?.p50Ms ?? Infinity) <= GATEWAY_SHARE_TARGET * portkeyAdded.p50Ms;
      const passP99 = (added?.p99Ms ?? Infinity) <= GATEWAY_SHARE_TARGET * portkeyAdded.p99Ms;
      target = `${verdict(passP50)} / ${verdict(passP99)}${row.role === 'exai-raw' ? ' (information)' : ''}`;
      if (row.role === 'exai') {
        verdicts.push({ name: `gateways: ${row.name} added p50 ≤ ¼ Portkey's`, pass: passP50 });
        verdicts.push({ name: `gateways: ${row.name} added p99 ≤ ¼ Portkey's`, pass: passP99 });
      }
    }
    lines.push(
      `| ${row.name} | ${row.calls} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} | ${added ? `${ms(added.p50Ms)} (${ms(added.p50IqrMs[0])}–${ms(added.p50IqrMs[1])})` : '—'} | ${added ? ms(added.p99Ms) : '—'} | ` +
        `${shareP50 === undefined ? '—' : shareP50.toFixed(2)} | ${shareP99 === undefined ? '—' : shareP99.toFixed(2)} | ${target} | ` +
        `${row.serverCpuMsPerCall === undefined ? '—' : row.serverCpuMsPerCall.toFixed(2)} | ${row.clientCpuMsPerCall.toFixed(2)} |`,
    );
  }
  out(`${lines.join('\n')}\n\n`);

  const concurrencies = [...new Set(result.throughput.map((row) => row.concurrency))].sort((a, b) => a - b);
  const names = [...new Set(result.throughput.map((row) => row.name))];
  out(`Throughput: each path alone for ${options.throughputMs} ms at each concurrency (independent callers: clients, connections or sessions), calls/s.\n\n`);
  const throughputLines = [`| path | ${concurrencies.map((c) => `${c} caller${c === 1 ? '' : 's'}`).join(' | ')} | max calls/s | errors |`, `|---|${concurrencies.map(() => '---|').join('')}---|---|`];
  let broken = false;
  for (const name of names) {
    const rows = result.throughput.filter((row) => row.name === name);
    const errors = rows.reduce((sum, row) => sum + row.errors, 0);
    if (errors > 0) broken = true;
    const cells = concurrencies.map((c) => Math.round(rows.find((row) => row.concurrency === c)?.callsPerSecond ?? Number.NaN));
    throughputLines.push(`| ${name} | ${cells.join(' | ')} | ${Math.max(...cells)} | ${errors}${errors > 0 ? ` (${rows.find((row) => row.firstError)?.firstError ?? ''})` : ''} |`);
  }
  out(`${throughputLines.join('\n')}\n\n`);
  saveJson('gateways', { options, ...result });
  if (broken) throw new Error('gateways: some calls failed during the throughput sweep (see the errors column)');
  return verdicts;
}

/** exai-stdio against the minimal MCP SDK server: chat end to end over stdio. */
export async function stdioSection(options: { rounds: number; callsPerRound: number; warmup: number }): Promise<TargetVerdict[]> {
  out(
    `### exai-stdio against a minimal MCP SDK server: chat end to end (simulator at 0 ms)\n\n` +
      `MCP SDK client → stdio → server → simulator; ${options.rounds} interleaved rounds × ${options.callsPerRound} sequential calls after ${options.warmup} warm-up calls.\n\n`,
  );
  const result = await runStdioChatBench(options);
  const lines = ['| server | calls | p50 ms | p99 ms |', '|---|---|---|---|'];
  for (const row of result.rows) lines.push(`| ${row.name} | ${row.calls} | ${ms(row.p50Ms)} | ${ms(row.p99Ms)} |`);
  const pass = result.ratio <= STDIO_CHAT_TARGET;
  const durable = result.rows.find((row) => row.name === DEFAULT_STORAGE_ROW);
  const durableLine = durable ? `; with its default storage (PGlite: the thread, the tool call and its usage written to disk on every call): ${(durable.p50Ms / (result.rows[0] as StdioChatRow).p50Ms).toFixed(2)} (information)` : '';
  out(`${lines.join('\n')}\n\nexai-stdio (memory storage) p50 ÷ minimal server p50: ${result.ratio.toFixed(3)} — target ≤ ${STDIO_CHAT_TARGET}: ${verdict(pass)}${durableLine}\n\n`);
  saveJson('stdio-chat', { options, ...result });
  return [{ name: `stdio: exai-stdio chat ≤ ${STDIO_CHAT_TARGET}× minimal server`, pass }];
}

/** Startup to the initialize answer and idle memory: exai-stdio against bare MCP SDK servers. */
export async function startupSection(options: { runs: number; settleMs: number }): Promise<TargetVerdict[]> {
  out(
    `### Startup and idle memory over stdio\n\n` +
      `${options.runs} cold starts per server, interleaved: spawn → \`initialize\` answered (sent at once); RSS after \`tools/list\`, settled ${options.settleMs} ms. Medians.\n\n`,
  );
  const rows = await runStartupBench(options);
  const bare = rows.find((row) => row.name.includes('no tools')) as (typeof rows)[number];
  const lines = ['| server | runs | startup p50 ms | min–max ms | ÷ bare (no tools) | CPU to initialize p50 ms | ÷ bare | idle RSS MiB |', '|---|---|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${row.runs} | ${row.startupMs.toFixed(1)} | ${row.minStartupMs.toFixed(1)}–${row.maxStartupMs.toFixed(1)} | ${(row.startupMs / bare.startupMs).toFixed(2)} | ` +
        `${row.startupCpuMs.toFixed(0)} | ${(row.startupCpuMs / bare.startupCpuMs).toFixed(2)} | ${row.idleRssMiB.toFixed(1)} |`,
    );
  }
  const exai = rows.find((row) => row.name === 'exai-stdio') as (typeof rows)[number];
  const ratio = exai.startupMs / bare.startupMs;
  const pass = ratio <= STARTUP_TARGET;
  out(
    `${lines.join('\n')}\n\nexai-stdio startup ÷ bare MCP SDK server (no tools): ${ratio.toFixed(2)} — target ≤ ${STARTUP_TARGET}: ${verdict(pass)} ` +
      `(CPU to initialize: ${(exai.startupCpuMs / bare.startupCpuMs).toFixed(2)}, information)\n\n`,
  );
  saveJson('startup', { options, rows, ratio });
  return [{ name: `startup: exai-stdio ≤ ${STARTUP_TARGET}× bare MCP SDK server`, pass }];
}

/** `tools/list` size per profile against Zen's. */
export async function toolsListSection(): Promise<TargetVerdict[]> {
  out(`### \`tools/list\` size per profile\n\nThe JSON of exai-stdio's whole \`tools/list\` result; tokens = characters / 4.\n\n`);
  const sim = await spawnSimulator({ latencyMs: 0 });
  try {
    const rows = await runToolsListBench(sim);
    const lines = ['| profile | tools | characters | tokens | Zen (PAL MCP) |', '|---|---|---|---|---|'];
    for (const row of rows) lines.push(`| ${row.profile} | ${row.tools} | ${row.characters} | ${row.tokens} | ${ZEN_TOKENS} |`);
    out(`${lines.join('\n')}\n\n`);
    saveJson('tools-list', { rows });
    return [];
  } finally {
    await sim.stop();
  }
}
