import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { builtDaemon, providerSimCli, spawnSimulator, type SimulatorProcess } from '@exai/harness';
import { evaluateScenarios, runPasses, type ScenarioVerdict } from './evaluate-scenarios.js';
import { quickScenarios } from './quick-scenarios.js';
import { readBaseline } from './read-baseline.js';
import { collectScenarioRuns, conformanceCli, listServerScenarios, runConformanceCli, type CliOutcome } from './run-conformance-cli.js';
import { spawnConformanceDaemon, type DaemonProcess } from './spawn-daemon.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const baselinePath = join(root, 'tools', 'conformance', 'conformance-baseline.yml');

const usage = `Usage: npm run conformance [-- --quick] [-- --scenario <name> ...] [-- --verbose]

Runs @modelcontextprotocol/conformance's server scenarios against the built exai-daemon's /mcp
(a child process, with the provider simulator), judged against tools/conformance/conformance-baseline.yml.

  (default)          every server scenario of the suite (active and pending), fixtures on
  --quick            only the scenarios that need no fixture, against the daemon as deployed (fixtures off)
  --scenario <name>  only this scenario (repeatable), fixtures on
  --verbose          print the conformance CLI's own output too (it is always kept in tmp/conformance/)
`;

/** Exit codes: 0 all as the baseline says, 1 an unexpected failure or a stale baseline entry, 2 the run could not be made. */
async function main(): Promise<number> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, scenario: { type: 'string', multiple: true }, verbose: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help) {
    process.stdout.write(usage);
    return 0;
  }
  for (const built of [builtDaemon, providerSimCli]) {
    if (!existsSync(built)) {
      process.stderr.write(`conformance: ${relative(root, built)} is missing; build first (npm run conformance does)\n`);
      return 2;
    }
  }
  const started = Date.now();
  const explicit = values.scenario ?? [];
  const quick = values.quick && explicit.length === 0;
  const fixtures = !quick;
  const scenarios = quick ? [...quickScenarios] : explicit.length > 0 ? explicit : await listServerScenarios();
  const baseline = readBaseline(baselinePath);
  const outputDir = join(root, 'tmp', 'conformance', `${new Date().toISOString().replace(/[:.]/g, '-')}${quick ? '-quick' : ''}`);
  mkdirSync(outputDir, { recursive: true });

  process.stdout.write(
    `MCP conformance: @modelcontextprotocol/conformance ${conformanceCli.version}, ${scenarios.length} server scenario(s) against exai-daemon /mcp ` +
      `(fixtures ${fixtures ? 'on' : 'off'}; node ${process.version}, ${cpus().length} CPU(s))\n`,
  );
  let sim: SimulatorProcess | undefined;
  let daemon: DaemonProcess | undefined;
  const cliOutcomes: CliOutcome[] = [];
  try {
    sim = await spawnSimulator({ killAfterMs: 5_000 });
    daemon = await spawnConformanceDaemon(sim, { fixtures });
    const invocation = { url: daemon.mcpUrl, baselinePath, outputDir, verbose: values.verbose };
    if (quick || explicit.length > 0) {
      // The CLI takes one scenario or a whole suite: a selection is one invocation per scenario.
      for (const scenario of scenarios) cliOutcomes.push(await runConformanceCli({ ...invocation, scenario, timeoutMs: 60_000 }));
    } else {
      cliOutcomes.push(await runConformanceCli({ ...invocation, timeoutMs: 300_000 }));
    }
  } catch (error) {
    process.stderr.write(`conformance: the run could not be made: ${(error as Error).message}\n`);
    return 2;
  } finally {
    await daemon?.stop();
    await sim?.stop();
  }

  const verdicts = evaluateScenarios(collectScenarioRuns(outputDir, scenarios), baseline);
  printVerdicts(verdicts);
  const passes = runPasses(verdicts);
  // The CLI judges the same results with the same baseline; a disagreement means this runner
  // misread them (a new result layout, say), so it fails rather than trusting either side.
  const cliPasses = cliOutcomes.every((outcome) => outcome.exitCode === 0);
  if (passes !== cliPasses) process.stdout.write(`The conformance CLI's own verdict differs (it says ${cliPasses ? 'pass' : 'fail'}): see ${relative(root, outputDir)}/cli-*.log\n`);
  for (const outcome of cliOutcomes.filter((item) => item.timedOut)) process.stdout.write(`Timed out: ${relative(root, outcome.logPath)}\n`);

  const count = (outcome: ScenarioVerdict['outcome']): number => verdicts.filter((verdict) => verdict.outcome === outcome).length;
  const expected = count('expected-failure');
  process.stdout.write(`\nResults: ${relative(root, outputDir)}/ (checks.json per scenario, the CLI's log)\n`);
  process.stdout.write(`${expected} expected failure(s) listed in ${relative(root, baselinePath)}; ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  // The closing line in the plain form CI reads: failures are the unexpected ones and stale entries.
  process.stdout.write(`conformance: ${count('pass')} passed, ${count('unexpected-failure') + count('stale-baseline')} failed\n`);
  return passes && cliPasses ? 0 : 1;
}

const marks: Record<ScenarioVerdict['outcome'], string> = {
  pass: '✓',
  'expected-failure': '~',
  'unexpected-failure': '✗',
  'stale-baseline': '!',
};

const labels: Record<ScenarioVerdict['outcome'], string> = {
  pass: 'pass',
  'expected-failure': 'expected failure (baseline)',
  'unexpected-failure': 'UNEXPECTED FAILURE',
  'stale-baseline': 'STALE baseline entry: it passes now, remove it',
};

function printVerdicts(verdicts: readonly ScenarioVerdict[]): void {
  const width = Math.max(...verdicts.map((verdict) => verdict.scenario.length));
  for (const verdict of verdicts) {
    const counts = `${verdict.passed} ok, ${verdict.failed} failed, ${verdict.warnings} warning(s)`;
    process.stdout.write(`  ${marks[verdict.outcome]} ${verdict.scenario.padEnd(width)}  ${labels[verdict.outcome]}  [${counts}]\n`);
    if (verdict.outcome === 'unexpected-failure' || verdict.outcome === 'expected-failure') {
      for (const problem of verdict.problems) process.stdout.write(`      ${problem.status} ${problem.name}${problem.errorMessage ? `: ${problem.errorMessage}` : ''}\n`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`conformance: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(2);
  },
);
