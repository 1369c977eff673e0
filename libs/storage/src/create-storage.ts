import { join } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import { createJournaledStorage, type StorageLogger } from './journal/index.js';
import { createMemoryStorage } from './memory/index.js';
import type { Storage } from './storage.js';
import { StorageUnavailableError } from './storage-errors.js';
import { readStorageConfig, type StorageConfig } from './storage-config.js';

// The adapters are loaded when chosen: PGlite, pg and supabase-js weigh about half a second of
// module loading, which every exai-stdio start would pay before it answers `initialize`.
const loadSql = () => import('./sql/index.js');

/** Options of {@link createStorage}. */
export interface CreateStorageOptions {
  /** Defaults to {@link readStorageConfig} over `process.env`. */
  config?: StorageConfig;
  logger?: StorageLogger;
}

/**
 * Opens the configured storage: PGlite in `EXAI_DATA_DIR` by default, or PostgreSQL, Supabase or
 * memory (`EXAI_STORAGE`). Migrations are applied at startup (PGlite always; PostgreSQL unless
 * `EXAI_DB_MIGRATE=false`). Every database-backed adapter runs behind a breaker with a write-ahead
 * journal in `<EXAI_DATA_DIR>/journal`, so writes made while the database is unreachable are kept
 * and replayed when it returns.
 *
 * @example
 * const storage = await createStorage({ logger });
 * const alice = storage.forUser(userId);
 * await alice.conversations.create({ continuationId });
 * await alice.conversations.appendMessage(continuationId, { role: 'user', content: 'Hi' });
 * await storage.close();
 */
export async function createStorage(options: CreateStorageOptions = {}): Promise<Storage> {
  const config = options.config ?? readStorageConfig();
  if (config.kind === 'memory') return createMemoryStorage(options.logger ? { logger: options.logger } : {});
  // The embedded database and the journal serve one process at a time.
  const unlock = await lockDataDir(config.dataDir);
  let opened: Opened;
  try {
    opened = await open(config, options.logger);
  } catch (error) {
    await unlock();
    throw error;
  }
  const { storage, stopBackground } = opened;
  const close = storage.close.bind(storage);
  storage.close = async () => {
    try {
      // Nothing started for this storage outlives it (the migration retries of a late database).
      stopBackground?.();
      await close();
    } finally {
      await unlock();
    }
  };
  return storage;
}

/** An opened storage, and what stops the background work started for it, if any. */
interface Opened {
  storage: Storage;
  stopBackground?: () => void;
}

async function open(config: Exclude<StorageConfig, { kind: 'memory' }>, logger: StorageLogger | undefined): Promise<Opened> {
  switch (config.kind) {
    case 'pglite': {
      const { createPgliteStorage } = await loadSql();
      const inner = await createPgliteStorage({ dataDir: config.dataDir, ...(logger ? { logger } : {}) });
      return { storage: await createJournaledStorage(inner, { dataDir: config.dataDir, ...(logger ? { logger } : {}) }) };
    }
    case 'postgres': {
      const { createPostgresStorage } = await loadSql();
      const settings = {
        connectionString: config.connectionString,
        bucketDir: join(config.dataDir, 'buckets'),
        ...(config.poolSize === undefined ? {} : { poolSize: config.poolSize }),
        ...(logger ? { logger } : {}),
      };
      let inner: Storage;
      let stopMigrating: (() => void) | undefined;
      try {
        inner = await createPostgresStorage({ ...settings, migrate: config.migrate });
      } catch (error) {
        if (!StorageUnavailableError.isInstance(error)) throw error;
        // A restart while the database is down: start on the journal rather than not at all, and
        // apply the migrations (a no-op for a database migrated before) once it answers again.
        logger?.warn({ err: error }, 'the database is unreachable at startup: writes go to the journal until it returns');
        inner = await createPostgresStorage({ ...settings, migrate: false });
        if (config.migrate) stopMigrating = migrateWhenReachable(config.connectionString, logger);
      }
      const storage = await createJournaledStorage(inner, { dataDir: config.dataDir, ...(logger ? { logger } : {}) });
      return stopMigrating ? { storage, stopBackground: stopMigrating } : { storage };
    }
    case 'supabase': {
      const { createSupabaseStorage } = await import('./supabase/index.js');
      const inner = createSupabaseStorage({
        url: config.url,
        serviceRoleKey: config.serviceRoleKey,
        ...(config.jwtSecret ? { jwtSecret: config.jwtSecret } : {}),
        ...(config.anonKey ? { anonKey: config.anonKey } : {}),
        ...(logger ? { logger } : {}),
      });
      return { storage: await createJournaledStorage(inner, { dataDir: config.dataDir, ...(logger ? { logger } : {}) }) };
    }
  }
}

/**
 * Retries the migrations every 5 s until the database answers (unref'd: never keeps the process
 * alive). Returns what stops the retries (storage's `close`).
 */
function migrateWhenReachable(connectionString: string, logger: StorageLogger | undefined): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    if (!stopped) timer = setTimeout(() => void attempt(), 5_000).unref();
  };
  const attempt = async (): Promise<void> => {
    if (stopped) return;
    const { applyMigrations, PgClient } = await loadSql();
    const client = new PgClient({ connectionString, ...(logger ? { logger } : {}) });
    try {
      await applyMigrations(client, logger ? { logger } : {});
      logger?.info({}, 'the database is back: migrations checked');
    } catch {
      schedule();
    } finally {
      await client.close().catch(() => undefined);
    }
  };
  schedule();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
