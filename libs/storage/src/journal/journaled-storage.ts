import { randomUUID } from 'node:crypto';
import type { ServiceStorage, Storage, StorageStatus, UserStorage } from '../storage.js';
import { JournalGateway, type StorageBreakerSettings } from './journal-gateway.js';
import { SERVICE_SCOPE } from './journal-operations.js';
import { createJournaledUserStorage } from './journaled-user-storage.js';
import type { StorageLogger } from './storage-logger.js';
import { openWriteJournal } from './write-journal.js';

/** Options of {@link createJournaledStorage}. */
export interface JournaledStorageOptions {
  /** The data directory (`EXAI_DATA_DIR`); the journal is `<dataDir>/journal/storage.jsonl`. */
  dataDir: string;
  logger?: StorageLogger;
  /** When the breaker opens, and for how long (defaults: 3 failures in a row; the probe interval). */
  breaker?: StorageBreakerSettings;
  /** How often the background loop tries the database while writes wait in the journal (default 2000 ms). */
  probeIntervalMs?: number;
  /**
   * While the database answers but more writes than this wait in the journal (overload: they arrive
   * faster than the replay brings them in), a write waits until the backlog is halved (default 2000).
   * Writes never wait during an outage.
   */
  backpressureBacklog?: number;
}

/** A journaled storage: any `Storage`, plus replaying the journal on demand. */
export type JournaledStorage = Storage & {
  /** Replays what waits in the journal now (trying the database even if the breaker is open); resolves with how many writes reached it. */
  replayNow(): Promise<number>;
};

/** The default probe interval of {@link createJournaledStorage}. */
export const DEFAULT_PROBE_INTERVAL_MS = 2000;

/**
 * Wraps a storage so nothing is lost while its database is unreachable. Every call goes through
 * one circuit breaker, which counts only `StorageUnavailableError`s (the caller's own errors pass
 * through). While the database is away:
 *
 * - Record writes (threads and turns, audit, usage, tool calls, routing decisions, sessions,
 *   workflow states, file records, provider uploads) get their defaults filled in (ids, idempotency
 *   keys, timestamps), go to an fsync'd journal, and answer as the database would have.
 * - Reads answer from a bounded cache of recent answers plus the journaled writes, so a thread read
 *   during the outage has its new turns; with nothing cached they throw `StorageUnavailableError`.
 * - File contents (`files.put`, `read`, `delete`) and the service's maintenance calls throw
 *   `StorageUnavailableError`; metric samples are dropped with a warning.
 *
 * A background loop (every `probeIntervalMs`, only while writes wait) replays the journal in order
 * once the database answers, several users at once, each user's in order; later writes queue behind
 * it meanwhile (and wait for it past `backpressureBacklog` while the database answers). Each replayed write is
 * idempotent, so a replay cut short (or a crash) repeats harmlessly. A journal left by a previous
 * process is replayed the same way.
 *
 * @example
 * const inner = await createPostgresStorage({ connectionString, bucketDir, migrate: true });
 * const storage = await createJournaledStorage(inner, { dataDir: '/var/lib/exai', logger });
 * storage.status(); // { state: 'degraded', journalBacklog: 12, ... } during an outage
 */
export async function createJournaledStorage(inner: Storage, options: JournaledStorageOptions): Promise<JournaledStorage> {
  const logger = options.logger;
  const probeIntervalMs = options.probeIntervalMs ?? DEFAULT_PROBE_INTERVAL_MS;
  if (!(probeIntervalMs > 0)) throw new RangeError(`probeIntervalMs must be a positive number of ms, got ${probeIntervalMs}`);
  const journal = await openWriteJournal({ dataDir: options.dataDir, ...(logger ? { logger } : {}) });
  const gateway = new JournalGateway(inner, journal, probeIntervalMs, options.breaker ?? {}, logger, options.backpressureBacklog);
  if (journal.backlog > 0) {
    logger?.warn({ kind: inner.kind, backlog: journal.backlog, file: journal.file }, 'storage: replaying writes journaled before the last stop');
    gateway.scheduleReplay(0);
  }

  const users = new Map<string, UserStorage>();
  const forUser = (userId: string): UserStorage => {
    // The inner adapter validates the id (a UUID) and normalises it.
    const scope = inner.forUser(userId).userId;
    let user = users.get(scope);
    if (!user) {
      user = createJournaledUserStorage(gateway, scope);
      users.set(scope, user);
    }
    return user;
  };

  const service: ServiceStorage = {
    audit: {
      append: (entry) =>
        gateway.write(SERVICE_SCOPE, 'audit.append', [{ ...entry, id: entry.id ?? randomUUID(), createdAt: entry.createdAt ?? new Date() }], () => ({ value: undefined })),
      list: (options) => gateway.read(SERVICE_SCOPE, 'audit.list', [options], (storage) => storage.service.audit.list(options)),
    },
    expireConversations: (now) => gateway.passThrough('threads are expired once it is back', (storage) => storage.service.expireConversations(now)),
    setQuota: (userId, quota) => gateway.passThrough('quotas cannot be changed now', (storage) => storage.service.setQuota(userId, quota)),
    getQuota: (userId) => gateway.read(SERVICE_SCOPE, 'service.getQuota', [userId], (storage) => storage.service.getQuota(userId)),
    async recordMetrics(samples) {
      const outcome = await gateway.attempt((storage) => storage.service.recordMetrics(samples));
      // Metrics describe the moment; replaying them later would mislead more than a gap does.
      if (!outcome.ok) logger?.warn({ samples: samples.length, lastError: gateway.lastErrorMessage }, 'storage: database unavailable; metric samples dropped');
    },
    listMetrics: (options) => gateway.read(SERVICE_SCOPE, 'service.listMetrics', [options], (storage) => storage.service.listMetrics(options)),
    purgeAudit: (olderThan) => gateway.passThrough('audit records are purged once it is back', (storage) => storage.service.purgeAudit(olderThan)),
  };

  return {
    kind: inner.kind,
    forUser,
    service,
    status(): StorageStatus {
      const innerStatus = inner.status();
      return {
        kind: inner.kind,
        state: gateway.state,
        journalBacklog: gateway.backlog,
        journalReplayed: gateway.replayedCount,
        location: innerStatus.location,
        lastError: gateway.lastErrorMessage ?? innerStatus.lastError,
      };
    },
    close: () => gateway.close(),
    replayNow: () => gateway.replayNow(true),
  };
}
