import { EventEmitter, type IDefaultPolicyContext, type IFailureEvent, type IPolicy, type ISuccessEvent } from 'cockatiel';
import { CapacityExceededError } from './capacity-exceeded-error.js';

/** Settings of {@link createBulkhead}. */
export interface BulkheadOptions {
  /** Name used in errors and events, such as `global` or `provider:glm`. Default `bulkhead`. */
  name?: string;
  /** Calls allowed to run at once. */
  limit: number;
  /** Calls allowed to wait for a slot; beyond that `execute` rejects with `CapacityExceededError`. Default 0. */
  queue?: number;
  /**
   * Longest wait in the queue, in ms; a call still waiting then is rejected with
   * `CapacityExceededError` (`reason: 'queue_timeout'`). Default: no limit (the caller's signal and
   * the timeouts around the bulkhead bound the wait).
   */
  queueTimeoutMs?: number;
  /** Called for every rejected call (same as subscribing with `bulkhead.onReject`). */
  onReject?: (error: CapacityExceededError) => void;
}

interface Waiter {
  /** Hands the slot over; the waiter's `active` share is already counted. */
  admit: () => void;
  enqueuedAt: number;
}

const neverAborted = new AbortController().signal;
/** Weight of the newest hold time in the running average (an exponentially weighted mean). */
const holdTimeWeight = 0.2;
/** The retry-after estimate used before any call has finished and without a queue timeout. */
const fallbackRetryAfterMs = 1000;

/**
 * Caps concurrent calls (per provider, per session, globally: the original daemon's semaphores) with
 * a bounded FIFO queue. Ours rather than cockatiel 4's `BulkheadPolicy`, which has no queue timeout,
 * keeps an aborted call in the queue until a slot frees, and rejects with an error that carries no
 * name or retry hint. It implements cockatiel's `IPolicy`, so {@link composePolicies} composes it.
 */
export class Bulkhead implements IPolicy<IDefaultPolicyContext> {
  /** Type-level marker required by cockatiel's `IPolicy`; never set at run time. */
  declare readonly _altReturn: never;
  /** The bulkhead's name. */
  readonly name: string;
  /** Calls allowed to run at once. */
  readonly limit: number;
  /** Calls allowed to wait. */
  readonly queueLimit: number;
  private readonly queueTimeoutMs: number | undefined;
  private readonly waiters: Waiter[] = [];
  private active = 0;
  private averageHoldMs: number | undefined;
  private readonly successEmitter = new EventEmitter<ISuccessEvent>();
  private readonly failureEmitter = new EventEmitter<IFailureEvent>();
  private readonly rejectEmitter = new EventEmitter<CapacityExceededError>();

  /** Fires when a call that ran succeeds. */
  readonly onSuccess = this.successEmitter.addListener;
  /** Fires when a call that ran fails (`handled: false`: the bulkhead does not judge errors). */
  readonly onFailure = this.failureEmitter.addListener;
  /** Fires for every call the bulkhead rejects, with the error the caller gets. */
  readonly onReject = this.rejectEmitter.addListener;

  constructor(options: BulkheadOptions) {
    const queue = options.queue ?? 0;
    if (!Number.isInteger(options.limit) || options.limit < 1) {
      throw new RangeError(`bulkhead limit must be a positive integer, got ${options.limit}`);
    }
    if (!Number.isInteger(queue) || queue < 0) throw new RangeError(`bulkhead queue must be a non-negative integer, got ${queue}`);
    if (options.queueTimeoutMs !== undefined && !(options.queueTimeoutMs > 0)) {
      throw new RangeError(`bulkhead queueTimeoutMs must be a positive number of ms, got ${options.queueTimeoutMs}`);
    }
    this.name = options.name ?? 'bulkhead';
    this.limit = options.limit;
    this.queueLimit = queue;
    this.queueTimeoutMs = options.queueTimeoutMs;
    if (options.onReject) this.onReject(options.onReject);
  }

  /** Calls running now. */
  get inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.waiters.length;
  }

  /** Free execution slots (cockatiel `BulkheadPolicy` compatible). */
  get executionSlots(): number {
    return this.limit - this.active;
  }

  /** Free queue places (cockatiel `BulkheadPolicy` compatible). */
  get queueSlots(): number {
    return this.queueLimit - this.waiters.length;
  }

  /**
   * Runs `fn` in a free slot, or waits in the queue for one. Rejects with {@link CapacityExceededError}
   * when the queue is full or the wait exceeds `queueTimeoutMs`, and with the signal's reason when
   * `signal` aborts before the call starts (an aborted call leaves the queue at once).
   */
  async execute<T>(fn: (context: IDefaultPolicyContext) => PromiseLike<T> | T, signal: AbortSignal = neverAborted): Promise<T> {
    if (signal.aborted) throw signal.reason;
    if (this.active < this.limit) {
      this.active++;
    } else if (this.waiters.length < this.queueLimit) {
      await this.wait(signal);
      if (signal.aborted) {
        this.release();
        throw signal.reason;
      }
    } else {
      throw this.reject('queue_full');
    }
    const started = performance.now();
    try {
      const value = await fn({ signal });
      this.successEmitter.emit({ duration: performance.now() - started });
      return value;
    } catch (error) {
      this.failureEmitter.emit({ duration: performance.now() - started, handled: false, reason: { error } });
      throw error;
    } finally {
      this.held(started);
    }
  }

  /**
   * Takes a slot at once if one is free, for a caller that runs the work itself (no async frame on a
   * hot path). Returns the function that gives the slot back (call it exactly once; later calls do
   * nothing), or undefined when the bulkhead is full: then {@link acquire} waits in the queue. Calls
   * run this way fire no `onSuccess`/`onFailure` (the bulkhead does not see their outcome).
   */
  tryAcquire(): (() => void) | undefined {
    if (this.active >= this.limit) return undefined;
    this.active++;
    return this.releaser(performance.now());
  }

  /**
   * Takes a slot, waiting in the queue like {@link execute} when none is free, and resolves with the
   * function that gives it back (a streamed call holds its slot until the stream ends). Rejects like
   * `execute`: `CapacityExceededError`, or the signal's reason.
   */
  async acquire(signal: AbortSignal = neverAborted): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    const now = this.tryAcquire();
    if (now) return now;
    if (this.waiters.length >= this.queueLimit) throw this.reject('queue_full');
    await this.wait(signal);
    if (signal.aborted) {
      this.release();
      throw signal.reason;
    }
    return this.releaser(performance.now());
  }

  private releaser(started: number): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held(started);
    };
  }

  /** Records how long a slot was held and frees it. */
  private held(started: number): void {
    const heldMs = performance.now() - started;
    this.averageHoldMs = this.averageHoldMs === undefined ? heldMs : this.averageHoldMs + holdTimeWeight * (heldMs - this.averageHoldMs);
    this.release();
  }

  /** Estimated wait before a new call would get a slot, in ms: recent hold time × calls ahead / limit. */
  estimateWaitMs(): number {
    if (this.averageHoldMs === undefined) return this.queueTimeoutMs ?? fallbackRetryAfterMs;
    return Math.max(1, Math.ceil((this.averageHoldMs * (this.waiters.length + 1)) / this.limit));
  }

  /** Resolves once a slot is handed to this call; rejects on abort or queue timeout (leaving the queue). */
  private wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const leave = (): void => {
        const index = this.waiters.indexOf(waiter);
        if (index >= 0) this.waiters.splice(index, 1);
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        leave();
        reject(signal.reason);
      };
      const waiter: Waiter = {
        enqueuedAt: performance.now(),
        admit: () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const timer =
        this.queueTimeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              leave();
              reject(this.reject('queue_timeout', performance.now() - waiter.enqueuedAt));
            }, this.queueTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Frees a slot, or hands it straight to the first waiter (so no newcomer can overtake the queue). */
  private release(): void {
    const next = this.waiters.shift();
    if (next) next.admit();
    else this.active--;
  }

  private reject(reason: 'queue_full' | 'queue_timeout', waitedMs?: number): CapacityExceededError {
    const error = new CapacityExceededError({
      bulkhead: this.name,
      limit: this.limit,
      queue: this.queueLimit,
      reason,
      retryAfterMs: this.estimateWaitMs(),
      ...(waitedMs === undefined ? {} : { waitedMs: Math.round(waitedMs) }),
    });
    this.rejectEmitter.emit(error);
    return error;
  }
}

/**
 * Creates a bulkhead. Share one instance across the calls it guards.
 *
 * @example
 * const glmSlots = createBulkhead({ name: 'provider:glm', limit: 4, queue: 16, queueTimeoutMs: 10_000 });
 * const answer = await glmSlots.execute(({ signal }) => model.generate(request, { signal }), callerSignal);
 * // status: glmSlots.inFlight, glmSlots.queued
 */
export function createBulkhead(options: BulkheadOptions): Bulkhead {
  return new Bulkhead(options);
}
