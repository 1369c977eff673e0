import type { RecordedRequest } from './types.js';

interface Waiter {
  predicate: (request: RecordedRequest) => boolean;
  resolve: (request: RecordedRequest) => void;
}

/**
 * The simulator's request log. Waiters are re-checked only when an entry is added or changes, so an
 * idle log costs nothing (no polling timers).
 */
export class RequestLog {
  #entries: RecordedRequest[] = [];
  #waiters = new Set<Waiter>();
  #nextId = 1;

  constructor(private readonly limit: number) {}

  /** The live array of entries. */
  get entries(): readonly RecordedRequest[] {
    return this.#entries;
  }

  /** Creates and appends an entry. */
  add(fields: Omit<RecordedRequest, 'id' | 'status' | 'aborted' | 'completed'>): RecordedRequest {
    const entry: RecordedRequest = { id: this.#nextId++, ...fields, status: undefined, aborted: false, completed: false };
    if (this.limit > 0) {
      this.#entries.push(entry);
      if (this.#entries.length > this.limit) this.#entries.shift();
    }
    this.changed(entry);
    return entry;
  }

  /** Tells waiters that `entry` changed. */
  changed(entry: RecordedRequest): void {
    if (this.#waiters.size === 0) return;
    for (const waiter of this.#waiters) {
      if (waiter.predicate(entry)) {
        this.#waiters.delete(waiter);
        waiter.resolve(entry);
      }
    }
  }

  /** Forgets every entry (waiters stay). */
  clear(): void {
    this.#entries = [];
  }

  /** See `Simulator.waitFor`. */
  waitFor(predicate: (request: RecordedRequest) => boolean, timeoutMs = 5000): Promise<RecordedRequest> {
    const found = this.#entries.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`provider-sim: no request matched within ${timeoutMs} ms (${this.#entries.length} logged)`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: (request) => {
          clearTimeout(timer);
          resolve(request);
        },
      };
      this.#waiters.add(waiter);
    });
  }
}
