import { TimeoutHierarchyError, type TimeoutHierarchyViolation, type TimeoutLayer } from './timeout-hierarchy-error.js';

/** The original daemon's rule: each outer timeout is at least 1.5 × the one it wraps (original-system.md §4). */
export const defaultTimeoutFactor = 1.5;

/**
 * Checks that timeouts nest: `layers` innermost first (attempt < provider call < tool < transport),
 * each at least `factor ×` the one before it, and every value a positive number. Throws one
 * {@link TimeoutHierarchyError} listing every violation, for example
 * `EXAI_TOOL_TIMEOUT_MS (60000) must be at least 1.5 × EXAI_PROVIDER_CALL_TIMEOUT_MS (50000) = 75000`.
 * Leave disabled layers out of the list. Call it once at startup, before serving.
 *
 * @example
 * validateTimeoutHierarchy([
 *   { setting: 'EXAI_ATTEMPT_TIMEOUT_MS', ms: config.attemptTimeoutMs },
 *   { setting: 'EXAI_PROVIDER_CALL_TIMEOUT_MS', ms: config.providerCallTimeoutMs },
 *   { setting: 'EXAI_TOOL_TIMEOUT_MS', ms: config.toolTimeoutMs },
 * ]);
 */
export function validateTimeoutHierarchy(layers: readonly TimeoutLayer[], factor: number = defaultTimeoutFactor): void {
  if (!(factor >= 1 && Number.isFinite(factor))) throw new RangeError(`timeout factor must be a finite number of at least 1, got ${factor}`);
  const violations: TimeoutHierarchyViolation[] = [];
  // An invalid layer is reported and skipped: the next layer is compared with the last valid one.
  let inner: TimeoutLayer | undefined;
  for (const outer of layers) {
    if (!(outer.ms > 0)) {
      violations.push({ outer, message: `${outer.setting} (${outer.ms}) must be a positive number of milliseconds` });
      continue;
    }
    const required = inner ? inner.ms * factor : 0;
    if (inner && outer.ms < required) {
      const requiredMs = Math.ceil(required);
      violations.push({
        outer,
        inner,
        requiredMs,
        message: `${outer.setting} (${outer.ms}) must be at least ${factor} × ${inner.setting} (${inner.ms}) = ${requiredMs}`,
      });
    }
    inner = outer;
  }
  if (violations.length > 0) throw new TimeoutHierarchyError(violations);
}
