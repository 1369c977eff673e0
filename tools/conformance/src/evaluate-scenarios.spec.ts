import { describe, expect, it } from '@jest/globals';
import type { ConformanceCheck } from './conformance-check.js';
import { evaluateScenarios, runPasses } from './evaluate-scenarios.js';

const check = (status: string, errorMessage?: string): ConformanceCheck => ({ id: status.toLowerCase(), name: `Check${status}`, description: '', status, errorMessage });

describe('evaluateScenarios', () => {
  it('judges each scenario as the CLI does: a FAILURE or a WARNING fails it; the baseline decides whether that is expected', () => {
    const verdicts = evaluateScenarios(
      [
        { scenario: 'ping', checks: [check('SUCCESS'), check('INFO')] },
        { scenario: 'polling', checks: [check('INFO'), check('WARNING', 'no priming event')] },
        { scenario: 'tools-list', checks: [check('FAILURE', 'missing description')] },
        { scenario: 'fixed', checks: [check('SUCCESS')] },
      ],
      new Set(['polling', 'fixed']),
    );
    expect(verdicts.map((verdict) => [verdict.scenario, verdict.outcome])).toEqual([
      ['ping', 'pass'],
      ['polling', 'expected-failure'],
      ['tools-list', 'unexpected-failure'],
      ['fixed', 'stale-baseline'],
    ]);
    expect(verdicts[1]).toMatchObject({ passed: 0, failed: 0, warnings: 1, problems: [{ name: 'CheckWARNING', status: 'WARNING', errorMessage: 'no priming event' }] });
    expect(runPasses(verdicts)).toBe(false);
    expect(runPasses(verdicts.slice(0, 2))).toBe(true);
  });

  it('counts a scenario that produced no checks (the CLI could not run it) as failing', () => {
    const [unlisted] = evaluateScenarios([{ scenario: 'crashed', checks: [] }], new Set());
    expect(unlisted).toMatchObject({ outcome: 'unexpected-failure', problems: [{ status: 'FAILURE' }] });
    const [listed] = evaluateScenarios([{ scenario: 'crashed', checks: [] }], new Set(['crashed']));
    expect(listed?.outcome).toBe('expected-failure');
  });
});
