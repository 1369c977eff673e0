/** Calls and failures seen in a {@link RollingCounts} window. */
export interface WindowTotals {
  requests: number;
  failures: number;
}

/**
 * Counts calls and failures over the last `windowMs`, in `buckets` time slices (so memory stays
 * constant however many calls there are). The window slides one slice at a time: it covers between
 * `windowMs - windowMs / buckets` and `windowMs` of history.
 */
export class RollingCounts {
  private readonly sliceMs: number;
  private readonly epochs: number[];
  private readonly requests: number[];
  private readonly failures: number[];

  constructor(
    windowMs: number,
    private readonly buckets = 10,
  ) {
    this.sliceMs = windowMs / buckets;
    this.epochs = new Array<number>(buckets).fill(-1);
    this.requests = new Array<number>(buckets).fill(0);
    this.failures = new Array<number>(buckets).fill(0);
  }

  /** Records one call. */
  record(failed: boolean, now = Date.now()): void {
    const epoch = Math.floor(now / this.sliceMs);
    const index = epoch % this.buckets;
    if (this.epochs[index] !== epoch) {
      this.epochs[index] = epoch;
      this.requests[index] = 0;
      this.failures[index] = 0;
    }
    this.requests[index] = (this.requests[index] ?? 0) + 1;
    if (failed) this.failures[index] = (this.failures[index] ?? 0) + 1;
  }

  /** Calls and failures within the window ending `now`. */
  totals(now = Date.now()): WindowTotals {
    const epoch = Math.floor(now / this.sliceMs);
    let requests = 0;
    let failures = 0;
    for (let index = 0; index < this.buckets; index++) {
      const age = epoch - (this.epochs[index] ?? -1);
      if (age >= 0 && age < this.buckets) {
        requests += this.requests[index] ?? 0;
        failures += this.failures[index] ?? 0;
      }
    }
    return { requests, failures };
  }

  /** Forgets everything. */
  reset(): void {
    this.epochs.fill(-1);
    this.requests.fill(0);
    this.failures.fill(0);
  }
}
