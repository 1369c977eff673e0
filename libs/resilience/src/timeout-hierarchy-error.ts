import { hasErrorMarker, markError } from './error-marker.js';

/** One timeout setting: the name a person would change (an environment variable) and its value. */
export interface TimeoutLayer {
  /** Setting name, such as `EXAI_TOOL_TIMEOUT_MS`. */
  setting: string;
  /** Its value in milliseconds. */
  ms: number;
}

/** One broken rule found by `validateTimeoutHierarchy`. */
export interface TimeoutHierarchyViolation {
  /** The layer that is too short (for an invalid value: the layer itself). */
  outer: TimeoutLayer;
  /** The layer it wraps; undefined when `outer.ms` is not a positive number. */
  inner?: TimeoutLayer;
  /** The smallest value `outer.ms` may have, in ms (rounded up); undefined for an invalid value. */
  requiredMs?: number;
  /** The sentence describing it, as it appears in the error message. */
  message: string;
}

/**
 * Timeout settings break the rule that each outer layer allows at least `factor ×` its inner layer,
 * so an outer timeout would fire while the inner layer still had time to finish or retry. Thrown at
 * startup; the message names every setting and value involved. Stable `code`: `invalid_timeout_hierarchy`.
 */
export class TimeoutHierarchyError extends Error {
  /** Stable code: `invalid_timeout_hierarchy`. */
  readonly code = 'invalid_timeout_hierarchy' as const;
  /** Every broken rule, innermost first. */
  readonly violations: readonly TimeoutHierarchyViolation[];

  constructor(violations: readonly TimeoutHierarchyViolation[]) {
    super(`Invalid timeout settings: ${violations.map((violation) => violation.message).join('; ')}.`);
    this.name = 'TimeoutHierarchyError';
    this.violations = violations;
    markError(this, 'TimeoutHierarchyError');
  }

  /** True for any `TimeoutHierarchyError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is TimeoutHierarchyError {
    return hasErrorMarker(error, 'TimeoutHierarchyError');
  }
}
