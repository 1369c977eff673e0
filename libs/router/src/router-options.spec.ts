import { describe, expect, it } from '@jest/globals';
import { TimeoutHierarchyError, validateTimeoutHierarchy } from '@exai/resilience';
import { routerTimeoutLayers } from './router-options.js';
import { routerFixture } from './test-support/router-fixture.js';

describe('router timeouts', () => {
  it('default the call timeout to 2.5 × the attempt timeout and name the settings', () => {
    expect(routerTimeoutLayers({})).toEqual([
      { setting: 'attemptTimeoutMs', ms: 120_000 },
      { setting: 'callTimeoutMs', ms: 300_000 },
    ]);
    expect(routerTimeoutLayers({ attemptTimeoutMs: 10_000 }, { attemptTimeoutMs: 'EXAI_ATTEMPT_TIMEOUT_MS', callTimeoutMs: 'EXAI_CALL_TIMEOUT_MS' })).toEqual([
      { setting: 'EXAI_ATTEMPT_TIMEOUT_MS', ms: 10_000 },
      { setting: 'EXAI_CALL_TIMEOUT_MS', ms: 25_000 },
    ]);
  });

  it('compose with the outer layers for validateTimeoutHierarchy', () => {
    const layers = [...routerTimeoutLayers({ attemptTimeoutMs: 10_000, callTimeoutMs: 20_000 }), { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: 25_000 }];
    expect(() => validateTimeoutHierarchy(layers)).toThrow('EXAI_TOOL_TIMEOUT_MS (25000) must be at least 1.5 × callTimeoutMs (20000) = 30000');
  });

  it('refuse a call timeout shorter than 1.5 × the attempt timeout at construction', () => {
    let error: unknown;
    try {
      routerFixture({ attemptTimeoutMs: 10_000, callTimeoutMs: 12_000 });
    } catch (caught) {
      error = caught;
    }
    expect(TimeoutHierarchyError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('callTimeoutMs (12000) must be at least 1.5 × attemptTimeoutMs (10000) = 15000');
  });
});
