import { describe, expect, it } from '@jest/globals';
import { isBrokenCircuitError, isBulkheadRejectedError } from 'cockatiel';
import { CapacityExceededError } from './capacity-exceeded-error.js';
import { CircuitOpenError } from './circuit-open-error.js';
import { RateLimitExceededError } from './rate-limit-exceeded-error.js';
import { RateLimitStoreError } from './rate-limit-store-error.js';
import { TimeoutHierarchyError } from './timeout-hierarchy-error.js';

const exaiMarker = Symbol.for('exai.error.ExaiError');

describe('resilience errors', () => {
  const errors = [
    { error: new CircuitOpenError({ breaker: 'glm', state: 'open', retryAfterMs: 10 }), code: 'circuit_open', isInstance: CircuitOpenError.isInstance },
    {
      error: new CapacityExceededError({ bulkhead: 'global', limit: 2, queue: 4, reason: 'queue_full', retryAfterMs: 10 }),
      code: 'over_capacity',
      isInstance: CapacityExceededError.isInstance,
    },
    { error: new RateLimitExceededError({ limiter: 'user', key: 'u1', retryAfterMs: 10 }), code: 'over_rate_limit', isInstance: RateLimitExceededError.isInstance },
    { error: new RateLimitStoreError({ limiter: 'user', key: 'u1', cause: new Error('ECONNREFUSED') }), code: 'rate_limit_store_unavailable', isInstance: RateLimitStoreError.isInstance },
    {
      error: new TimeoutHierarchyError([{ outer: { setting: 'X', ms: 0 }, message: 'X (0) must be a positive number of milliseconds' }]),
      code: 'invalid_timeout_hierarchy',
      isInstance: TimeoutHierarchyError.isInstance,
    },
  ];

  it.each(errors)('$code: stable code, exai root marker, own isInstance that rejects the others', ({ error, code, isInstance }) => {
    expect(error.code).toBe(code);
    expect(error.name).toBe(error.constructor.name);
    // The router's ExaiError.isInstance reads this marker, so transports map our errors by `code`.
    expect((error as unknown as Record<symbol, unknown>)[exaiMarker]).toBe(true);
    expect(isInstance(error)).toBe(true);
    for (const other of errors) if (other.error !== error) expect(isInstance(other.error)).toBe(false);
    expect(isInstance(new Error('plain'))).toBe(false);
  });

  it('recognises a copy from another install by its marker, not its class', () => {
    const foreign = Object.assign(new Error('copy'), { [Symbol.for('exai.error.CapacityExceededError')]: true });
    expect(CapacityExceededError.isInstance(foreign)).toBe(true);
  });

  it('keeps cockatiel compatibility for the breaker and bulkhead errors', () => {
    expect(isBrokenCircuitError(errors[0]?.error)).toBe(true);
    expect(isBulkheadRejectedError(errors[1]?.error)).toBe(true);
  });

  it('writes messages a person or a model can act on', () => {
    expect(errors[0]?.error.message).toBe('Circuit breaker "glm" is open after repeated failures; the call was not made. A probe is allowed in 10 ms.');
    expect(errors[1]?.error.message).toBe('"global" is at capacity (2/2 in flight, 4/4 queued); the call was not made. Retry in about 10 ms.');
    expect(errors[3]?.error.message).toContain('(ECONNREFUSED)');
  });
});
