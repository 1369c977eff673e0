import type { ConformanceCheck, ScenarioRun } from './conformance-check.js';

/** What became of one scenario, judged against the baseline as the conformance CLI judges it. */
export type ScenarioOutcome = 'pass' | 'expected-failure' | 'unexpected-failure' | 'stale-baseline';

/** One scenario's outcome with the checks that decided it. */
export interface ScenarioVerdict {
  scenario: string;
  outcome: ScenarioOutcome;
  passed: number;
  failed: number;
  warnings: number;
  /** The FAILURE and WARNING checks (or a note that the scenario produced no checks). */
  problems: Array<Pick<ConformanceCheck, 'name' | 'status' | 'errorMessage'>>;
}

/**
 * Judges each run: a scenario fails when any check is FAILURE or WARNING (the CLI's
 * `--expected-failures` rule: a SHOULD that is not met counts too) or when it produced no checks
 * at all (the CLI could not run it). A failure listed in the baseline is expected; a pass listed
 * there is a stale entry, which fails the run as the CLI does, so the baseline only ever shrinks
 * on purpose.
 */
export function evaluateScenarios(runs: readonly ScenarioRun[], baseline: ReadonlySet<string>): ScenarioVerdict[] {
  return runs.map(({ scenario, checks }) => {
    const count = (status: string): number => checks.filter((check) => check.status === status).length;
    const problems = checks.filter((check) => check.status === 'FAILURE' || check.status === 'WARNING').map(({ name, status, errorMessage }) => ({ name, status, errorMessage }));
    if (checks.length === 0) problems.push({ name: scenario, status: 'FAILURE', errorMessage: 'the scenario produced no checks (the CLI could not run it: see its log)' });
    const failing = problems.length > 0;
    const listed = baseline.has(scenario);
    const outcome: ScenarioOutcome = failing ? (listed ? 'expected-failure' : 'unexpected-failure') : listed ? 'stale-baseline' : 'pass';
    return { scenario, outcome, passed: count('SUCCESS'), failed: count('FAILURE'), warnings: count('WARNING'), problems };
  });
}

/** Whether the run as a whole passes: no unexpected failure and no stale baseline entry. */
export function runPasses(verdicts: readonly ScenarioVerdict[]): boolean {
  return verdicts.every((verdict) => verdict.outcome === 'pass' || verdict.outcome === 'expected-failure');
}
