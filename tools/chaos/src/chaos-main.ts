import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startSimulator } from '@exai/provider-sim';
import { ChaosHarness, type Scenario, type ScenarioCheck } from './chaos-harness.js';
import { randomJwtSecret } from './daemon-env.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { balanceExhausted } from './scenarios/balance-exhausted.js';
import { clientDisconnect } from './scenarios/client-disconnect.js';
import { databaseCut } from './scenarios/database-cut.js';
import { provider5xxBurst } from './scenarios/provider-5xx-burst.js';
import { providerHang } from './scenarios/provider-hang.js';
import { rateLimitStorm } from './scenarios/rate-limit-storm.js';
import { redisCut } from './scenarios/redis-cut.js';
import { sigtermUnderLoad } from './scenarios/sigterm-under-load.js';
import { streamReset } from './scenarios/stream-reset.js';

/** Every scenario, in the issue's order. */
const scenarios: readonly Scenario[] = [provider5xxBurst, providerHang, streamReset, rateLimitStorm, balanceExhausted, databaseCut, redisCut, sigtermUnderLoad, clientDisconnect];

const usage = `npm run chaos -- [options]
  --quick             CI size: every scenario, smaller, without the cut under load (under ~90 s)
  --only <ids>        comma-separated scenario numbers (1-9)
  --storage <kind>    postgres (default when DATABASE_URL is set: a scratch database per run) or pglite
  --keep-database     do not drop the scratch database
  --json <file>       (tmp/chaos/chaos.json)`;

interface ScenarioResult {
  id: number;
  title: string;
  status: 'pass' | 'fail' | 'skipped';
  seconds: number;
  checks: ScenarioCheck[];
  reason?: string;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      storage: { type: 'string' },
      'keep-database': { type: 'boolean', default: false },
      json: { type: 'string', default: 'tmp/chaos/chaos.json' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const databaseServer = process.env['DATABASE_URL'];
  const redisUrl = process.env['REDIS_URL'];
  const storageKind = values.storage ?? (databaseServer ? 'postgres' : 'pglite');
  if (storageKind !== 'postgres' && storageKind !== 'pglite') throw new Error(`--storage must be postgres or pglite (got ${storageKind})`);
  if (storageKind === 'postgres' && !databaseServer) throw new Error('--storage postgres needs DATABASE_URL');
  const only = values.only ? new Set(values.only.split(',').map((id) => Number(id.trim()))) : undefined;
  const selected = scenarios.filter((scenario) => !only || only.has(scenario.id));
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(`exai chaos — ${machine}${values.quick ? ' (quick)' : ''}; storage ${storageKind}${redisUrl ? ', Redis' : ', no Redis'}; scenarios ${selected.map((scenario) => scenario.id).join(', ')}\n\n`);

  const sim = await startSimulator({ latencyMs: 20 });
  let database: ScratchDatabase | undefined;
  const results: ScenarioResult[] = [];
  const started = performance.now();
  try {
    if (storageKind === 'postgres') database = await createScratchDatabase(databaseServer as string, 'exai_chaos');
    const harness = new ChaosHarness(sim, { quick: values.quick, jwtSecret: randomJwtSecret(), databaseUrl: database?.url, redisUrl, log: (line) => process.stdout.write(`${line}\n`) });
    for (const scenario of selected) {
      const missing = (scenario.needs ?? []).filter((need) => (need === 'postgres' ? !database : !redisUrl));
      if (missing.length > 0) {
        results.push({ id: scenario.id, title: scenario.title, status: 'skipped', seconds: 0, checks: [], reason: `needs ${missing.map((need) => (need === 'postgres' ? 'DATABASE_URL (PostgreSQL storage)' : 'REDIS_URL')).join(' and ')}` });
        process.stdout.write(`### ${scenario.id}. ${scenario.title} — SKIPPED (${results[results.length - 1]?.reason})\n\n`);
        continue;
      }
      sim.reset();
      const begin = performance.now();
      let checks: ScenarioCheck[];
      try {
        checks = await scenario.run(harness);
      } catch (error) {
        checks = [{ expectation: 'the scenario runs to its end', saw: `threw: ${(error as Error).stack ?? String(error)}`.slice(0, 1500), pass: false }];
        await harness.killLeftovers();
      }
      const result: ScenarioResult = { id: scenario.id, title: scenario.title, status: checks.every((check) => check.pass) ? 'pass' : 'fail', seconds: (performance.now() - begin) / 1000, checks };
      results.push(result);
      process.stdout.write(renderScenario(result));
    }
  } finally {
    await sim.close();
    if (database && !values['keep-database']) await database.drop().catch((error: unknown) => process.stderr.write(`could not drop ${database?.name}: ${(error as Error).message}\n`));
  }

  process.stdout.write('## summary\n\n| scenario | result | checks | seconds |\n|---|---|---|---|\n');
  for (const result of results) {
    process.stdout.write(`| ${result.id}. ${result.title} | ${result.status.toUpperCase()}${result.reason ? ` (${result.reason})` : ''} | ${result.checks.filter((check) => check.pass).length}/${result.checks.length} | ${result.seconds.toFixed(1)} |\n`);
  }
  const failed = results.filter((result) => result.status === 'fail');
  mkdirSync(dirname(values.json), { recursive: true });
  writeFileSync(values.json, `${JSON.stringify({ machine, quick: values.quick, storage: storageKind, redis: Boolean(redisUrl), finishedAt: new Date().toISOString(), seconds: (performance.now() - started) / 1000, results }, null, 2)}\n`);
  process.stdout.write(`\n${failed.length === 0 ? 'chaos: PASS' : `chaos: FAIL (${failed.map((result) => result.id).join(', ')})`} in ${((performance.now() - started) / 1000).toFixed(1)} s — details in ${values.json}\n`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

function renderScenario(result: ScenarioResult): string {
  const escape = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');
  const lines = [`### ${result.id}. ${result.title} — ${result.status.toUpperCase()} (${result.seconds.toFixed(1)} s)`, '', '| expectation | what the client saw | result |', '|---|---|---|'];
  for (const check of result.checks) lines.push(`| ${escape(check.expectation)} | ${escape(check.saw)} | ${check.pass ? 'pass' : 'FAIL'} |`);
  return `${lines.join('\n')}\n\n`;
}

main().catch((error: unknown) => {
  process.stderr.write(`chaos: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
