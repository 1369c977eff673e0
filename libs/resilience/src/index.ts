export { createRetryPolicy, AbortableRetryPolicy, retryDefaults, type RetryPolicyOptions, type RetryEvent } from './create-retry-policy.js';
export { RetryAfterBackoff, type RetryAfterBackoffOptions } from './retry-after-backoff.js';
export { createTimeoutPolicy, AttemptTimeoutPolicy } from './create-timeout-policy.js';
export { TimeoutExceededError } from './timeout-exceeded-error.js';
export {
  createCircuitBreaker,
  circuitStateName,
  circuitBreakerDefaults,
  CircuitBreaker,
  type BreakerTicket,
  type CircuitBreakerOptions,
  type CircuitBreakerSnapshot,
  type CircuitChangeReason,
  type CircuitStateChange,
  type CircuitStateName,
} from './create-circuit-breaker.js';
export { CircuitOpenError, type CircuitOpenErrorOptions } from './circuit-open-error.js';
export { createBulkhead, Bulkhead, type BulkheadOptions } from './create-bulkhead.js';
export { CapacityExceededError, type CapacityExceededErrorOptions } from './capacity-exceeded-error.js';
export {
  createRateLimiter,
  rateLimitDefaults,
  type RateLimiter,
  type RateLimiterOptions,
  type RateLimitDecision,
} from './create-rate-limiter.js';
export { RateLimitExceededError, type RateLimitExceededErrorOptions } from './rate-limit-exceeded-error.js';
export { RateLimitStoreError, type RateLimitStoreErrorOptions } from './rate-limit-store-error.js';
export { validateTimeoutHierarchy, defaultTimeoutFactor } from './validate-timeout-hierarchy.js';
export { TimeoutHierarchyError, type TimeoutLayer, type TimeoutHierarchyViolation } from './timeout-hierarchy-error.js';
export { composePolicies, type ResiliencePipeline, type PipelineContext, type AnyPolicy } from './compose-policies.js';
// Cockatiel types and errors callers meet through these factories, so they need not depend on cockatiel.
// Our CircuitOpenError and CapacityExceededError extend BrokenCircuitError and BulkheadRejectedError.
export {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
  type IDisposable,
} from 'cockatiel';
