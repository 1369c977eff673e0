import { describe, expect, it } from '@jest/globals';
import { TimeoutHierarchyError } from './timeout-hierarchy-error.js';
import { validateTimeoutHierarchy } from './validate-timeout-hierarchy.js';

const catchError = (run: () => void): unknown => {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('validateTimeoutHierarchy', () => {
  it('accepts layers that each allow at least 1.5 × the inner one', () => {
    expect(() =>
      validateTimeoutHierarchy([
        { setting: 'EXAI_ATTEMPT_TIMEOUT_MS', ms: 40_000 },
        { setting: 'EXAI_PROVIDER_CALL_TIMEOUT_MS', ms: 60_000 },
        { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: 90_000 },
        { setting: 'EXAI_TRANSPORT_TIMEOUT_MS', ms: 135_000 },
      ]),
    ).not.toThrow();
  });

  it('names both settings, both values and the required minimum', () => {
    const error = catchError(() =>
      validateTimeoutHierarchy([
        { setting: 'EXAI_PROVIDER_CALL_TIMEOUT_MS', ms: 50_000 },
        { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: 60_000 },
      ]),
    );
    expect(TimeoutHierarchyError.isInstance(error)).toBe(true);
    const hierarchy = error as TimeoutHierarchyError;
    expect(hierarchy.code).toBe('invalid_timeout_hierarchy');
    expect(hierarchy.message).toBe(
      'Invalid timeout settings: EXAI_TOOL_TIMEOUT_MS (60000) must be at least 1.5 × EXAI_PROVIDER_CALL_TIMEOUT_MS (50000) = 75000.',
    );
    expect(hierarchy.violations).toEqual([
      {
        outer: { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: 60_000 },
        inner: { setting: 'EXAI_PROVIDER_CALL_TIMEOUT_MS', ms: 50_000 },
        requiredMs: 75_000,
        message: 'EXAI_TOOL_TIMEOUT_MS (60000) must be at least 1.5 × EXAI_PROVIDER_CALL_TIMEOUT_MS (50000) = 75000',
      },
    ]);
  });

  it('reports every violation at once, innermost first, including invalid values', () => {
    const error = catchError(() =>
      validateTimeoutHierarchy([
        { setting: 'A_MS', ms: 100 },
        { setting: 'B_MS', ms: 120 },
        { setting: 'C_MS', ms: 0 },
        { setting: 'D_MS', ms: 150 },
      ]),
    ) as TimeoutHierarchyError;
    expect(error.violations.map((violation) => violation.message)).toEqual([
      'B_MS (120) must be at least 1.5 × A_MS (100) = 150',
      'C_MS (0) must be a positive number of milliseconds',
      // C is skipped: D is compared with B, the last valid layer.
      'D_MS (150) must be at least 1.5 × B_MS (120) = 180',
    ]);
    expect(error.message).toContain('; C_MS (0)');
  });

  it('takes another factor, and rounds the required minimum up', () => {
    expect(() => validateTimeoutHierarchy([{ setting: 'IN', ms: 100 }, { setting: 'OUT', ms: 200 }], 2)).not.toThrow();
    const error = catchError(() => validateTimeoutHierarchy([{ setting: 'IN', ms: 333 }, { setting: 'OUT', ms: 499 }])) as TimeoutHierarchyError;
    expect(error.message).toContain('OUT (499) must be at least 1.5 × IN (333) = 500');
    expect(() => validateTimeoutHierarchy([{ setting: 'IN', ms: 333 }, { setting: 'OUT', ms: 500 }])).not.toThrow();
  });

  it('rejects a factor below 1', () => {
    expect(() => validateTimeoutHierarchy([], 0.5)).toThrow(RangeError);
  });
});
