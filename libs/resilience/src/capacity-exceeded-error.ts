import { BulkheadRejectedError } from 'cockatiel';
import { hasErrorMarker, markError } from './error-marker.js';

/** Fields of a {@link CapacityExceededError}. */
export interface CapacityExceededErrorOptions {
  /** Name of the bulkhead that rejected the call. */
  bulkhead: string;
  /** Its in-flight limit. */
  limit: number;
  /** Its queue bound. */
  queue: number;
  /** `queue_full`: no slot and no queue place; `queue_timeout`: waited in the queue longer than allowed. */
  reason: 'queue_full' | 'queue_timeout';
  /** Estimated wait before a new call would get a slot, in ms. */
  retryAfterMs: number;
  /** For `queue_timeout`: how long the call waited. */
  waitedMs?: number;
}

/**
 * A bulkhead rejected a call: all slots were busy and the queue was full, or the call waited in the
 * queue longer than `queueTimeoutMs`. The call was not made. A subclass of cockatiel's
 * `BulkheadRejectedError`, so `isBulkheadRejectedError` still holds.
 */
export class CapacityExceededError extends BulkheadRejectedError {
  /** Stable code: `over_capacity` (the original daemon's `OVER_CAPACITY`). */
  readonly code = 'over_capacity' as const;
  readonly bulkhead: string;
  readonly limit: number;
  readonly queue: number;
  readonly reason: CapacityExceededErrorOptions['reason'];
  /** Estimated wait before a new call would get a slot, in ms (from recent hold times). */
  readonly retryAfterMs: number;

  constructor(options: CapacityExceededErrorOptions) {
    super(options.limit, options.queue);
    const load = `${options.limit}/${options.limit} in flight, ${options.queue}/${options.queue} queued`;
    this.message =
      options.reason === 'queue_full'
        ? `"${options.bulkhead}" is at capacity (${load}); the call was not made. Retry in about ${options.retryAfterMs} ms.`
        : `"${options.bulkhead}" had no free slot within ${options.waitedMs ?? 0} ms (limit ${options.limit}); the call was not made. Retry in about ${options.retryAfterMs} ms.`;
    this.name = 'CapacityExceededError';
    this.bulkhead = options.bulkhead;
    this.limit = options.limit;
    this.queue = options.queue;
    this.reason = options.reason;
    this.retryAfterMs = options.retryAfterMs;
    markError(this, 'CapacityExceededError');
  }

  /** True for any `CapacityExceededError`, even one created by another copy of this package. */
  static isInstance(error: unknown): error is CapacityExceededError {
    return hasErrorMarker(error, 'CapacityExceededError');
  }
}
