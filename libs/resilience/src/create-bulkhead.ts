import { bulkhead, type BulkheadPolicy } from 'cockatiel';

/** Settings of {@link createBulkhead}. */
export interface BulkheadOptions {
  /** Calls allowed to run at once. */
  limit: number;
  /** Calls allowed to wait for a slot; beyond that `execute` rejects with `BulkheadRejectedError`. Default 0. */
  queue?: number;
  /** Called when a call is rejected because both the slots and the queue are full. */
  onReject?: () => void;
}

/**
 * Creates a cockatiel bulkhead that caps concurrent calls (for example per provider, mirroring the
 * original daemon's per-provider semaphores). Share one instance across calls.
 */
export function createBulkhead(options: BulkheadOptions): BulkheadPolicy {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    throw new RangeError(`bulkhead limit must be a positive integer, got ${options.limit}`);
  }
  const queue = options.queue ?? 0;
  if (!Number.isInteger(queue) || queue < 0) throw new RangeError(`bulkhead queue must be a non-negative integer, got ${queue}`);
  const policy = bulkhead(options.limit, queue);
  if (options.onReject) policy.onReject(options.onReject);
  return policy;
}
