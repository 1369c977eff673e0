import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { conformanceCheckSchema, type ScenarioRun } from './conformance-check.js';

const require = createRequire(import.meta.url);
const packageJson = require.resolve('@modelcontextprotocol/conformance/package.json');

/** The conformance suite's CLI script and its version. */
export const conformanceCli = {
  script: join(dirname(packageJson), 'dist', 'index.js'),
  version: (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version,
};

/** One invocation of `conformance server`. */
export interface CliInvocation {
  url: string;
  /** One scenario, or every server scenario of the suite (active and pending) when absent. */
  scenario?: string;
  baselinePath: string;
  /** Where the CLI writes `server-<scenario>-<time>/checks.json`, and where its output is logged. */
  outputDir: string;
  timeoutMs: number;
  /** Print the CLI's own output as it runs (it always goes to `cli-<name>.log` too). */
  verbose: boolean;
}

/** What one invocation did. */
export interface CliOutcome {
  /** The CLI's exit code (its own baseline verdict), or null when it was killed at the time limit. */
  exitCode: number | null;
  timedOut: boolean;
  logPath: string;
}

/** Runs the conformance CLI's server mode once, with the baseline, writing results to `outputDir`. */
export function runConformanceCli(invocation: CliInvocation): Promise<CliOutcome> {
  const selection = invocation.scenario ? ['--scenario', invocation.scenario] : ['--suite', 'all'];
  const args = [conformanceCli.script, 'server', '--url', invocation.url, ...selection, '--expected-failures', invocation.baselinePath, '--output-dir', invocation.outputDir];
  const logPath = join(invocation.outputDir, `cli-${invocation.scenario ?? 'all'}.log`);
  const log = createWriteStream(logPath);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      log.write(chunk);
      if (invocation.verbose) process.stdout.write(chunk);
    });
  }
  return new Promise((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, invocation.timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      log.end(() => resolve({ exitCode: timedOut ? null : code, timedOut, logPath }));
    });
  });
}

/**
 * The checks of each expected scenario from the CLI's result folders (`server-<scenario>-<ISO time>`);
 * a scenario without a folder ran into an error before it wrote one, and gets no checks.
 */
export function collectScenarioRuns(outputDir: string, scenarios: readonly string[]): ScenarioRun[] {
  const folders = existsSync(outputDir) ? readdirSync(outputDir, { withFileTypes: true }).filter((entry) => entry.isDirectory()) : [];
  return scenarios.map((scenario) => {
    const folder = folders.find((entry) => new RegExp(`^server-${scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-\\d{4}-\\d{2}-\\d{2}T[\\d-]+Z$`).test(entry.name));
    if (!folder) return { scenario, checks: [] };
    const checks = z.array(conformanceCheckSchema).parse(JSON.parse(readFileSync(join(outputDir, folder.name, 'checks.json'), 'utf8')));
    return { scenario, checks };
  });
}

/** The server scenarios of the installed suite, in the suite's order (`conformance list --server`). */
export async function listServerScenarios(): Promise<string[]> {
  const child = spawn(process.execPath, [conformanceCli.script, 'list', '--server'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`conformance list --server exited with ${code}`);
  return [...output.matchAll(/^\s+- ([\w-]+)/gm)].map((match) => match[1] as string);
}
