import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { raisedLimitsEnv, spawnDaemon } from '@exai/harness';
import type { StringPools } from './arbitraries/schema-arguments.js';
import type { CategoryTally } from './category-tally.js';
import { checkCrossUser } from './checks/cross-user-check.js';
import { checkDaemonLog } from './checks/daemon-log-check.js';
import { checkGeneratedMessages } from './checks/generated-messages-check.js';
import { checkOversizedInput } from './checks/oversized-input-check.js';
import { checkPathEscapes } from './checks/path-escape-check.js';
import { checkSecrets } from './checks/secret-scan-check.js';
import { checkSqlInjection } from './checks/sql-injection-check.js';
import { checkTokens } from './checks/token-check.js';
import { createFuzzFixtures } from './fuzz-fixtures.js';
import { fuzzUsage, parseFuzzOptions, type FuzzOptions } from './fuzz-options.js';
import { FuzzRun, MAX_MESSAGE_BYTES, NORMAL_MODEL } from './fuzz-run.js';
import { createFuzzSecrets, secretNeedles } from './fuzz-secrets.js';
import { encodedForms, NeedleScanner } from './needle-scanner.js';
import { seedAliceData } from './seed-alice-data.js';
import { spawnWiretap } from './spawn-wiretap.js';
import { CategoryTally as Tally } from './category-tally.js';
import { notesText, summaryTable } from './summary-table.js';

const resultsFile = fileURLToPath(new URL('../../../tmp/fuzz/results.json', import.meta.url));

/**
 * `npm run fuzz`: the BUILT exai-daemon and the provider simulator (behind a wire tap) as child
 * processes, then hostile input on every face, category by category; a summary table; exit 1 when
 * any case failed.
 */
async function main(): Promise<void> {
  let options: FuzzOptions;
  try {
    options = parseFuzzOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`exai-fuzz: ${(error as Error).message}\n${fuzzUsage}`);
    process.exit(2);
  }
  if (process.argv.includes('--help')) {
    process.stdout.write(fuzzUsage);
    return;
  }
  const started = performance.now();
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  process.stdout.write(`exai hostile-input run — ${machine}\n${options.quick ? 'quick' : 'full'}: ${options.generated} generated messages, storage ${options.storage}, seed ${options.seed}\n\n`);

  const fixtures = createFuzzFixtures();
  const secrets = createFuzzSecrets();
  const scanner = new NeedleScanner();
  const markers = [
    { label: 'outside-root marker', value: fixtures.markers.outside },
    { label: '~/.ssh/id_rsa marker', value: fixtures.markers.sshKey },
    { label: '.env marker', value: fixtures.markers.envFile },
  ];
  for (const needle of [...secretNeedles(secrets), ...markers]) scanner.add(needle.label, needle.value);
  const wiretap = await spawnWiretap();
  const upstreamNeedles = [...secretNeedles(secrets).filter((needle) => !needle.label.startsWith('GLM_API_KEY') && !needle.label.startsWith('KIMI_API_KEY')), ...markers, { label: '2 MB file marker', value: fixtures.markers.bigFile }];
  wiretap.watch([...upstreamNeedles, ...upstreamNeedles.filter((needle) => needle.label.includes('marker')).flatMap((needle) => encodedForms(needle.value).map((form) => ({ label: `${needle.label} (base64)`, value: form })))]);

  const tallies: CategoryTally[] = [];
  let daemon;
  try {
    daemon = await spawnDaemon({
      cwd: fixtures.work,
      env: daemonEnvironment(options, fixtures, secrets, wiretap),
      onOutput: (stream, chunk) => scanner.scan(`daemon ${stream}`, chunk),
      // Storage opens in the background (PGlite compiles and migrates in seconds, more on a busy
      // machine): calls wait for it, so the run starts once /readyz says ready.
      readiness: [
        { path: '/healthz', timeoutMs: 60_000 },
        { path: '/readyz', timeoutMs: 180_000, intervalMs: 250 },
      ],
      stderrLimit: 8_000,
      killAfterMs: 15_000,
    });
  } catch (error) {
    await wiretap.stop();
    process.stderr.write(`exai-fuzz: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const run = new FuzzRun(options, daemon, wiretap, fixtures, secrets, scanner);
  const lifecycle = new Tally('daemon lifecycle');
  try {
    const tools = await run.listTools();
    process.stdout.write(`daemon ${daemon.url} (pid ${daemon.pid}) serves ${tools.length} tools; simulator behind a wire tap at ${wiretap.glmBaseURL.replace('/api/paas/v4', '')}\n\n`);
    const alice = await seedAliceData(run);
    const categories: Array<[string, () => Promise<CategoryTally[]>]> = [
      ['4. tokens', async () => [await checkTokens(run)]],
      ['3. oversized input', async () => [await checkOversizedInput(run)]],
      ['2. path escapes', async () => [await checkPathEscapes(run, alice)]],
      [
        '1. generated messages',
        async () => {
          const pools = await stringPools(run, alice);
          const { generated, liveness } = await checkGeneratedMessages(run, tools, pools);
          return [generated, liveness];
        },
      ],
      ['5. SQL injection', async () => [await checkSqlInjection(run, tools, alice)]],
      ['6. cross-user access', async () => [await checkCrossUser(run, alice)]],
    ];
    for (const [name, check] of categories) {
      const begin = performance.now();
      process.stdout.write(`${name}…\n`);
      try {
        tallies.push(...(await check()));
      } catch (error) {
        const failed = new Tally(name);
        failed.fail(`the check itself failed: ${(error as Error).stack ?? String(error)}`);
        tallies.push(failed);
      }
      process.stdout.write(`${name}: done in ${((performance.now() - begin) / 1000).toFixed(1)} s\n`);
      if (daemon.exit) {
        lifecycle.fail(`the daemon exited during "${name}" (${daemon.exit.code ?? daemon.exit.signal}); stderr:\n${daemon.stderr().slice(-1500)}`);
        break;
      }
      lifecycle.check(await run.liveness(), `alive and answering a normal call after "${name}"`);
    }
  } catch (error) {
    // Listing the tools or seeding alice's data failed: report it like any failure, and clean up.
    lifecycle.fail(`the run could not set up its checks: ${(error as Error).message}`);
  } finally {
    const exitedBefore = daemon.exit !== undefined;
    await daemon.stop();
    if (!exitedBefore) lifecycle.check(daemon.exit?.code === 0 ? undefined : `exit ${daemon.exit?.code ?? daemon.exit?.signal} after SIGTERM`, 'graceful shutdown after the run');
  }
  const upstream = await wiretap.report();
  await wiretap.stop();
  tallies.push(await checkSecrets(run, upstream));
  tallies.push(await checkDaemonLog(run));
  tallies.push(lifecycle);

  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n${summaryTable(tallies)}\n\n${notesText(tallies)}\n\nupstream requests by route: ${JSON.stringify(upstream.paths)}\n`);
  process.stdout.write(`\nseed ${options.seed}; ${seconds.toFixed(1)} s; ${fixtures.base}${options.keep ? ' kept' : ' removed'}\n`);
  mkdirSync(join(resultsFile, '..'), { recursive: true });
  writeFileSync(
    resultsFile,
    JSON.stringify({ machine, options, seconds, upstream: upstream.paths, tallies: tallies.map((tally) => ({ name: tally.name, cases: tally.cases, passed: tally.passed, failed: tally.failed, examples: tally.examples, failureKinds: Object.fromEntries(tally.failureKinds), notes: Object.fromEntries(tally.notes) })) }, null, 2),
  );
  if (!options.keep) fixtures.remove();
  // Idle keep-alive sockets of the clients would hold the process for their timeout: exit now.
  process.exit(tallies.some((tally) => tally.failed > 0) ? 1 : 0);
}

function daemonEnvironment(options: FuzzOptions, fixtures: ReturnType<typeof createFuzzFixtures>, secrets: ReturnType<typeof createFuzzSecrets>, wiretap: { glmBaseURL: string; kimiBaseURL: string }): Record<string, string> {
  return {
    HOME: fixtures.home,
    GLM_API_KEY: secrets.glmKey,
    GLM_BASE_URL: wiretap.glmBaseURL,
    KIMI_API_KEY: secrets.kimiKey,
    KIMI_BASE_URL: wiretap.kimiBaseURL,
    EXAI_STORAGE: options.storage,
    EXAI_DATA_DIR: fixtures.dataDir,
    EXAI_WS_HOST: '127.0.0.1',
    EXAI_WS_TOKEN: `alice=${secrets.alice},bob=${secrets.bob}`,
    EXAI_JWT_SECRET: secrets.jwtSecret,
    EXAI_ALLOWED_ROOTS: fixtures.root,
    LOG_LEVEL: 'debug',
    EXAI_LOG_FILE: fixtures.logFile,
    TOOL_PROFILE: 'full',
    DEFAULT_MODEL: NORMAL_MODEL,
    EXAI_WS_MAX_BYTES: String(MAX_MESSAGE_BYTES),
    // Admission limits out of the way: the run is about input, not capacity (in-flight caps and the
    // queue set below, lower than the shared raised values).
    ...raisedLimitsEnv(),
    EXAI_WS_GLOBAL_MAX_INFLIGHT: '200',
    EXAI_WS_SESSION_MAX_INFLIGHT: '50',
    EXAI_WS_GLM_MAX_INFLIGHT: '200',
    EXAI_WS_KIMI_MAX_INFLIGHT: '200',
    EXAI_QUEUE_SIZE: '1000',
    // Model calls are cheap (the simulator answers at once); time limits short so a hang shows within the bound.
    EXAI_RETRY_INITIAL_DELAY_MS: '10',
    EXAI_RETRY_MAX_DELAY_MS: '50',
    EXAI_ATTEMPT_TIMEOUT_MS: '8000',
    EXAI_PROVIDER_CALL_TIMEOUT_MS: '12000',
    EXAI_TOOL_TIMEOUT_MS: '20000',
    EXAI_SHUTDOWN_DEADLINE_MS: '3000',
    EXAI_HEALTH_INTERVAL_MS: '2000',
  };
}

/** Strings the generator gives to fields by meaning: paths of this run, model names, ids of alice's and mallory's data. */
async function stringPools(run: FuzzRun, alice: Awaited<ReturnType<typeof seedAliceData>>): Promise<StringPools> {
  const { fixtures } = run;
  const session = await run.http(run.secrets.mallory);
  const own = await session.callTool('chat', { prompt: 'mallory starts a thread', model: NORMAL_MODEL });
  await session.close();
  const ownThread = (own.result?.structuredContent?.['continuation_id'] as string | undefined) ?? 'no-thread';
  return {
    paths: [
      fixtures.files.notes,
      fixtures.files.code,
      fixtures.files.image,
      fixtures.root,
      `${fixtures.root}/src`,
      fixtures.files.big,
      fixtures.files.mixedDir,
      fixtures.files.linkToOutsideFile,
      fixtures.files.linkToOutsideDir,
      fixtures.files.outsideSecret,
      fixtures.files.env,
      fixtures.files.sshKey,
      `${fixtures.root}/../outside/secret.txt`,
      '/etc/passwd',
      '~/.ssh/id_rsa',
      'relative/path.txt',
      `${fixtures.root}/new-folder/`,
    ],
    models: ['auto', NORMAL_MODEL, 'glm-4.6', 'glm-4.5v', 'kimi-k2-0905-preview', 'kimi-k2-turbo-preview', 'kimi-k2-thinking', 'moonshot-v1-8k', 'moonshot-v1-8k-vision-preview', 'gpt-4o', 'flash', 'pro'],
    ids: [ownThread, alice.chatThread, alice.workflowThread, alice.storedFileId, alice.kimiFileId],
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`exai-fuzz: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
