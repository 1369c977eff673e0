export { createRetryPolicy, AbortableRetryPolicy, retryDefaults, type RetryPolicyOptions, type RetryEvent } from './create-retry-policy.js';
export { RetryAfterBackoff, type RetryAfterBackoffOptions } from './retry-after-backoff.js';
export { createTimeoutPolicy, AttemptTimeoutPolicy } from './create-timeout-policy.js';
export { TimeoutExceededError } from './timeout-exceeded-error.js';
export {
  createCircuitBreaker,
  circuitStateName,
  type CircuitBreakerOptions,
  type CircuitStateName,
} from './create-circuit-breaker.js';
export { createBulkhead, type BulkheadOptions } from './create-bulkhead.js';
export { composePolicies, type ResiliencePipeline, type PipelineContext, type AnyPolicy } from './compose-policies.js';
// Cockatiel types and errors callers meet through these factories, so they need not depend on cockatiel.
export {
  BrokenCircuitError,
  BulkheadRejectedError,
  CircuitState,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  type BulkheadPolicy,
  type CircuitBreakerPolicy,
} from 'cockatiel';
