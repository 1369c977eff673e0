import { createCircuitBreaker, type CircuitBreaker } from '@exai/resilience';
import { ExaiError } from '@exai/router/spec';
import type { Storage } from '../storage.js';
import type { WorkflowState } from '../storage-records.js';
import { StorageUnavailableError } from '../storage-errors.js';
import { deepCopy } from '../memory/deep-copy.js';
import { isJournaledOperation, runOperation, type JournaledOperation, type OperationArgs, type OperationResult } from './journal-operations.js';
import { LruCache } from './lru-cache.js';
import type { StorageLogger } from './storage-logger.js';
import { foldThreadEntry, threadOf, type ThreadState } from './thread-state.js';
import type { JournalEntry, WriteJournal } from './write-journal.js';

/** Breaker settings of the journaled storage. */
export interface StorageBreakerSettings {
  /** Opens after this many `StorageUnavailableError`s in a row (default 3). */
  consecutiveFailures?: number;
  /** How long it stays open before one call probes the database (default: the probe interval). */
  halfOpenAfterMs?: number;
}

/** What a journaled write answers while the database is away, and what the journal keeps beside its arguments. */
export interface OfflineAnswer<T> {
  value: T;
  context?: Record<string, unknown>;
}

/** True for errors meaning "the database cannot be reached": the adapters' `StorageUnavailableError`, an open breaker. */
export function isUnavailable(error: unknown): boolean {
  return ExaiError.isInstance(error) && (error.code === 'storage_unavailable' || error.code === 'circuit_open');
}

const isCircuitOpen = (error: unknown): boolean => ExaiError.isInstance(error) && error.code === 'circuit_open';
const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A replayed write the database keeps refusing with an unexpected error is set aside after this many tries. */
const MAX_REPLAY_ATTEMPTS = 3;
/**
 * Entries replayed per round and then acknowledged together (one fsync per round; a crash replays at
 * most this many twice, harmlessly: every replayed write is idempotent).
 */
const REPLAY_WINDOW = 128;
/**
 * Scopes (users) replayed at once within a round, each in journal order. One at a time, the replay
 * was slower than the writes a loaded daemon journals meanwhile (7 per chat call), so after a short
 * outage under load the backlog never drained and grew without bound in memory and on disk
 * (tools/chaos: 40 calls/s, a 4 s cut, the backlog still near 2,000 a minute later).
 */
const REPLAY_CONCURRENCY = 8;

type ReplayOutcome = 'replayed' | 'rejected' | 'retry';

/** See {@link JournalGateway} `backpressureBacklog`. */
export const DEFAULT_BACKPRESSURE_BACKLOG = 2000;

/**
 * The part of the journaled storage every repository shares: the breaker in front of the inner
 * storage, the journal, the caches reads fall back on, and the replay loop.
 */
export class JournalGateway {
  readonly breaker: CircuitBreaker;
  /** Threads by `scope \0 continuation id`. */
  readonly threads = new LruCache<ThreadState>(256);
  /** Answers of other reads by `scope \0 method \0 arguments`, served while the database is away. */
  readonly reads = new LruCache<unknown>(512);
  /** Provisional ids of provider uploads recorded while the database was away → their stored ids. */
  readonly uploadIds = new Map<string, string>();
  private appending = 0;
  private available = true;
  private journalBroken = false;
  private journaling = false;
  private closed = false;
  private closing = false;
  /** The last replay stopped before the journal was empty (the database away, or a write failing). */
  private stalled = false;
  private replayed = 0;
  private lastError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<number> | undefined;
  /** Failed tries of journaled writes the database refused with an unexpected error, by `seq`. */
  private readonly replayFailures = new Map<number, number>();
  /** Entries set aside in a round whose earlier entries could not all be replayed: not set aside twice. */
  private readonly setAsideSeqs = new Set<number>();
  /** Writes waiting for the replay to bring the backlog down (backpressure). */
  private readonly backlogWaiters: Array<() => void> = [];

  constructor(
    readonly inner: Storage,
    readonly journal: WriteJournal,
    private readonly probeIntervalMs: number,
    breaker: StorageBreakerSettings,
    readonly logger: StorageLogger | undefined,
    private readonly backpressureBacklog: number = DEFAULT_BACKPRESSURE_BACKLOG,
  ) {
    this.breaker = createCircuitBreaker({
      name: `storage:${inner.kind}`,
      consecutiveFailures: breaker.consecutiveFailures ?? 3,
      halfOpenAfterMs: breaker.halfOpenAfterMs ?? probeIntervalMs,
      isFailure: (error) => ExaiError.isInstance(error) && error.code === 'storage_unavailable',
      onStateChange: ({ from, to, reason }) => {
        if (to === 'open') logger?.warn({ kind: inner.kind, from, to, reason, lastError: this.lastError }, 'storage: circuit open; the database is not answering');
        else if (to === 'closed') logger?.info({ kind: inner.kind, from, to, reason }, 'storage: circuit closed; the database answers');
      },
    });
  }

  /** Writes waiting in the journal, including appends not yet on disk. */
  get backlog(): number {
    return this.journal.backlog + this.appending;
  }

  /** Journaled writes replayed into the database since start. */
  get replayedCount(): number {
    return this.replayed;
  }

  /** `up`, `degraded` (writes go to the journal) or `down` (the journal cannot be written either). */
  get state(): 'up' | 'degraded' | 'down' {
    const databaseAway = !this.available || this.breaker.state !== 'closed';
    if (databaseAway && this.journalBroken) return 'down';
    return databaseAway || this.backlog > 0 ? 'degraded' : 'up';
  }

  get lastErrorMessage(): string | undefined {
    return this.lastError;
  }

  /** Calls the inner storage through the breaker (an open breaker rejects at once with `CircuitOpenError`). */
  async call<T>(fn: (storage: Storage) => Promise<T>, force = false): Promise<T> {
    this.assertOpen();
    try {
      const run = () => fn(this.inner);
      const value = await (force ? this.breaker.forceExecute(run) : this.breaker.execute(run));
      this.available = true;
      return value;
    } catch (error) {
      if (isUnavailable(error)) this.noteUnavailable(error);
      throw error;
    }
  }

  /** The inner storage's answer, or `{ ok: false }` when the database is away (other errors are thrown). */
  async attempt<T>(fn: (storage: Storage) => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
    this.assertOpen();
    try {
      return { ok: true, value: await this.call(fn) };
    } catch (error) {
      if (!isUnavailable(error)) throw error;
      return { ok: false, error };
    }
  }

  /**
   * A journaled write: straight to the database when it answers and nothing waits in the journal
   * (`onApplied` then sees the stored value); otherwise into the journal, answered with `offline()`.
   */
  async write<K extends JournaledOperation>(
    scope: string,
    op: K,
    args: OperationArgs<K>,
    offline: () => OfflineAnswer<OperationResult<K>>,
    onApplied?: (value: OperationResult<K>) => void,
  ): Promise<OperationResult<K>> {
    this.assertOpen();
    // Order: once one write waits in the journal, every later one queues behind it.
    if (this.backlog === 0 && !this.breaker.isOpen()) {
      const outcome = await this.attempt((storage) => runOperation(storage, scope, op, args));
      if (outcome.ok) {
        onApplied?.(outcome.value);
        return outcome.value;
      }
    }
    const answer = offline();
    const startsJournaling = !this.journaling;
    this.journaling = true;
    this.appending++;
    try {
      await this.journal.append({ scope, op, args, ...(answer.context ? { context: answer.context } : {}) });
      this.journalBroken = false;
    } catch (error) {
      this.journalBroken = true;
      this.lastError = `journal: ${describe(error)}`;
      this.logger?.error({ op, error: describe(error), file: this.journal.file }, 'storage: the database is away and the journal cannot be written');
      throw new StorageUnavailableError({ message: `The database cannot be reached and the write could not be journaled (${describe(error)}).`, cause: error });
    } finally {
      this.appending--;
    }
    if (startsJournaling) {
      this.logger?.warn({ kind: this.inner.kind, op, lastError: this.lastError, file: this.journal.file }, 'storage: database unavailable; writes go to the journal');
    }
    this.scheduleReplay();
    await this.backpressure();
    return answer.value;
  }

  /**
   * Overload rather than an outage: the database answers, but writes arrive faster than the replay
   * brings them in (a pool that timed out under load sends writes to the journal too). Past
   * `backpressureBacklog` entries a write waits until the replay has halved the backlog, so callers
   * slow down to what the database takes instead of the journal growing without bound in memory and
   * on disk (tools/chaos soak: 11,000 entries and climbing on a saturated machine). During an outage
   * nothing waits: the journal is there to take the writes.
   */
  private async backpressure(): Promise<void> {
    if (this.journal.backlog <= this.backpressureBacklog) return;
    while (this.journal.backlog > this.backpressureBacklog / 2 && this.available && this.breaker.state === 'closed' && !this.closing) {
      await new Promise<void>((resolve) => this.backlogWaiters.push(resolve));
    }
  }

  /** Lets waiting writes look at the backlog and the database again. */
  private wakeWaiters(): void {
    for (const resolve of this.backlogWaiters.splice(0)) resolve();
  }

  /**
   * A read that falls back on its last answer while the database is away; with none, it throws
   * `StorageUnavailableError`.
   */
  async read<T>(scope: string, method: string, args: unknown[], fn: (storage: Storage) => Promise<T>): Promise<T> {
    const key = this.readKey(scope, method, args);
    const outcome = await this.attempt(fn);
    if (outcome.ok) {
      this.reads.set(key, deepCopy(outcome.value));
      return outcome.value;
    }
    if (this.reads.has(key)) return deepCopy(this.reads.get(key) as T);
    throw this.unavailable(`${method} has no cached answer to serve`, outcome.error);
  }

  /** A call that cannot be journaled: while the database is away it fails with `StorageUnavailableError` saying why. */
  async passThrough<T>(what: string, fn: (storage: Storage) => Promise<T>): Promise<T> {
    const outcome = await this.attempt(fn);
    if (outcome.ok) return outcome.value;
    throw this.unavailable(what, outcome.error);
  }

  /** The cache key of a read. */
  readKey(scope: string, method: string, args: unknown[]): string {
    return `${scope}\0${method}\0${JSON.stringify(args)}`;
  }

  /** Journal entries of `scope` not yet in the database, oldest first. */
  pendingOf(scope: string): JournalEntry[] {
    return this.journal.pending.filter((entry) => entry.scope === scope);
  }

  /** A `StorageUnavailableError` for `what`, keeping the database's error as the cause. */
  unavailable(what: string, cause: unknown): StorageUnavailableError {
    const reason = isCircuitOpen(cause) ? (this.lastError ?? describe(cause)) : describe(cause);
    return new StorageUnavailableError({ message: `The database cannot be reached (${reason}); ${what}. Try again shortly.`, cause });
  }

  /** Starts the replay loop: at once when the database seems to answer, else after the probe interval. */
  scheduleReplay(delayMs?: number): void {
    if (this.closing || this.timer || this.draining || this.journal.backlog === 0) return;
    const delay = delayMs ?? (this.available && !this.breaker.isOpen() ? 0 : this.probeIntervalMs);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.drain(false);
    }, delay);
    this.timer.unref();
  }

  /** Replays what the journal holds now; `force` tries the database even while the breaker is open. */
  async replayNow(force = true): Promise<number> {
    if (this.draining) await this.draining.catch(() => 0);
    return this.drain(force);
  }

  /** Stops the loop, tries a last replay, closes the journal and the inner storage. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wakeWaiters();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.journal.backlog > 0) await this.replayNow(true).catch(() => 0);
    else await this.draining?.catch(() => 0);
    this.closed = true;
    if (this.journal.backlog > 0) {
      this.logger?.warn({ backlog: this.journal.backlog, file: this.journal.file }, 'storage: closing with journaled writes; they replay at the next start');
    }
    await this.journal.close();
    await this.inner.close();
  }

  private drain(force: boolean): Promise<number> {
    if (this.draining) return this.draining;
    this.draining = this.runDrain(force).finally(() => {
      this.draining = undefined;
      this.wakeWaiters();
      // Writes journaled while this replay ended are picked up at once; a stalled replay waits.
      this.scheduleReplay(this.stalled ? this.probeIntervalMs : undefined);
    });
    return this.draining;
  }

  private async runDrain(force: boolean): Promise<number> {
    let replayed = 0;
    let rejected = 0;
    this.stalled = false;
    try {
      for (let first = true; ; first = false) {
        const round = this.journal.pending.slice(0, REPLAY_WINDOW);
        if (round.length === 0) break;
        const outcomes = await this.replayRound(round, force && first);
        // Only the leading entries that are all done are acknowledged; entries of other scopes
        // replayed past a failure are replayed again next time (idempotent), never lost.
        let done = 0;
        while (done < round.length && (outcomes[done] === 'replayed' || outcomes[done] === 'rejected')) {
          const entry = round[done] as JournalEntry;
          if (outcomes[done] === 'rejected') rejected++;
          else {
            replayed++;
            this.replayed++;
          }
          this.setAsideSeqs.delete(entry.seq);
          this.foldReplayed(entry);
          done++;
        }
        if (done > 0) await this.journal.acknowledge(done);
        this.wakeWaiters();
        if (done < round.length) {
          this.stalled = true;
          break;
        }
      }
    } finally {
      if (replayed + rejected > 0) {
        this.logger?.info({ kind: this.inner.kind, replayed, rejected, backlog: this.journal.backlog, replayedTotal: this.replayed }, 'storage: journal replayed');
      }
      if (this.journal.backlog === 0 && this.appending === 0 && this.journaling) {
        this.journaling = false;
        this.logger?.info({ kind: this.inner.kind, replayedTotal: this.replayed }, 'storage: journal empty; writes go to the database again');
      }
    }
    return replayed;
  }

  /**
   * Replays one round: with `force`, the first entry alone first (it probes the database through an
   * open breaker); then every scope's entries in journal order, up to {@link REPLAY_CONCURRENCY}
   * scopes at once. A scope stops at its first entry that must wait for the database. Returns each
   * entry's outcome (undefined: not tried).
   */
  private async replayRound(round: readonly JournalEntry[], force: boolean): Promise<Array<ReplayOutcome | undefined>> {
    const outcomes: Array<ReplayOutcome | undefined> = new Array(round.length);
    let start = 0;
    if (force) {
      outcomes[0] = await this.replayEntry(round[0] as JournalEntry, true);
      if (outcomes[0] === 'retry') return outcomes;
      start = 1;
    }
    const scopes = new Map<string, number[]>();
    for (let index = start; index < round.length; index++) {
      const scope = (round[index] as JournalEntry).scope;
      const indexes = scopes.get(scope);
      if (indexes) indexes.push(index);
      else scopes.set(scope, [index]);
    }
    const queue = [...scopes.values()];
    const worker = async (): Promise<void> => {
      for (let indexes = queue.shift(); indexes; indexes = queue.shift()) {
        for (const index of indexes) {
          const outcome = await this.replayEntry(round[index] as JournalEntry, false);
          outcomes[index] = outcome;
          if (outcome === 'retry') break;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REPLAY_CONCURRENCY, queue.length) }, worker));
    return outcomes;
  }

  private async replayEntry(entry: JournalEntry, force: boolean): Promise<ReplayOutcome> {
    if (this.setAsideSeqs.has(entry.seq)) return 'rejected';
    if (!isJournaledOperation(entry.op)) {
      await this.setAside(entry, `unknown operation ${entry.op}`);
      return 'rejected';
    }
    try {
      await this.call((storage) => this.replayOperation(storage, entry), force);
      this.replayFailures.delete(entry.seq);
      return 'replayed';
    } catch (error) {
      if (isUnavailable(error)) return 'retry';
      // The caller's kind of error (a thread deleted meanwhile, a foreign id) will not change on a
      // retry; anything else may be a passing fault, so it gets a few tries before it is set aside.
      const attempts = (this.replayFailures.get(entry.seq) ?? 0) + 1;
      if (!ExaiError.isInstance(error) && attempts < MAX_REPLAY_ATTEMPTS) {
        this.replayFailures.set(entry.seq, attempts);
        this.lastError = describe(error);
        this.logger?.warn({ seq: entry.seq, op: entry.op, attempts, error: describe(error) }, 'storage: replaying a journaled write failed; retrying later');
        return 'retry';
      }
      this.replayFailures.delete(entry.seq);
      await this.setAside(entry, describe(error));
      return 'rejected';
    }
  }

  /**
   * Runs a journaled write again. A provider upload recorded while the database was away was
   * answered with a provisional id (`NewProviderUpload` has no id to fix in advance); its later
   * `markUsed`/`setStatus` are pointed at the stored record, found by recording it again (a no-op).
   */
  private async replayOperation(storage: Storage, entry: JournalEntry): Promise<void> {
    const op = entry.op as JournaledOperation;
    const provisional = entry.context?.['id'];
    if (op === 'uploads.record') {
      const stored = await runOperation(storage, entry.scope, op, entry.args as OperationArgs<'uploads.record'>);
      if (typeof provisional === 'string' && provisional !== stored.id) this.uploadIds.set(provisional, stored.id);
      return;
    }
    if ((op === 'uploads.markUsed' || op === 'uploads.setStatus') && entry.context?.['recordArgs'] !== undefined) {
      const [uploadId, ...rest] = entry.args as [string, unknown];
      let storedId = this.uploadIds.get(uploadId);
      if (storedId === undefined) {
        const recordArgs = entry.context['recordArgs'] as OperationArgs<'uploads.record'>[0];
        storedId = (await runOperation(storage, entry.scope, 'uploads.record', [recordArgs])).id;
        this.uploadIds.set(uploadId, storedId);
      }
      await runOperation(storage, entry.scope, op, [storedId, ...rest] as OperationArgs<typeof op>);
      return;
    }
    await runOperation(storage, entry.scope, op, entry.args as OperationArgs<typeof op>);
  }

  private async setAside(entry: JournalEntry, reason: string): Promise<void> {
    this.setAsideSeqs.add(entry.seq);
    this.logger?.error({ seq: entry.seq, op: entry.op, scope: entry.scope, reason, file: this.journal.file }, 'storage: the database refused a journaled write; kept in rejected.jsonl');
    await this.journal.reject(entry, reason);
  }

  /** Keeps what a replayed write did in the caches, so it stays visible if the database goes away again. */
  private foldReplayed(entry: JournalEntry): void {
    const continuationId = threadOf(entry);
    if (continuationId !== undefined) {
      const key = `${entry.scope}\0${continuationId}`;
      const folded = foldThreadEntry(this.threads.get(key), entry);
      if (folded) this.threads.set(key, folded);
      return;
    }
    if (entry.op === 'workflows.put' || entry.op === 'workflows.delete') {
      const [continuationId, tool] = entry.args as [string, string];
      this.reads.set(this.readKey(entry.scope, 'workflows.get', [continuationId, tool]), entry.op === 'workflows.put' ? workflowOf(entry) : undefined);
    }
  }

  private noteUnavailable(error: unknown): void {
    this.available = false;
    this.wakeWaiters();
    // An open breaker says nothing new about the database: keep the error that opened it.
    if (!isCircuitOpen(error)) this.lastError = describe(error);
  }

  private assertOpen(): void {
    if (this.closed) throw new StorageUnavailableError({ message: 'Storage is closed.' });
  }
}

/** The state a journaled `workflows.put` answers with (and leaves in the database). */
export function workflowOf(entry: JournalEntry): WorkflowState {
  const [continuationId, tool, input] = entry.args as OperationArgs<'workflows.put'>;
  return {
    continuationId,
    tool,
    ownerId: entry.scope,
    stepNumber: input.stepNumber,
    totalSteps: input.totalSteps,
    state: deepCopy(input.state),
    expiresAt: input.expiresAt,
    updatedAt: new Date(entry.at),
  };
}
