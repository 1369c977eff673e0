import { join } from 'node:path';
import type { SqlLogger } from './sql-logger.js';
import { LocalBucket } from '../local-bucket.js';
import type { Storage } from '../storage.js';
import { applyMigrations } from './apply-migrations.js';
import { MemoryBucket } from './memory-bucket.js';
import { createPgliteClient } from './pglite-client.js';
import { SqlStorage } from './sql-storage.js';

/** Options of {@link createPgliteStorage}. */
export interface PgliteStorageOptions {
  /** Folder for the database (`<dataDir>/pglite`) and bucket files (`<dataDir>/buckets`); in memory when undefined. */
  dataDir?: string;
  logger?: SqlLogger;
}

/**
 * Embedded storage: PGlite (PostgreSQL in WebAssembly, no server) with exai's migrations applied,
 * and bucket files on disk. Without `dataDir` the database and the files live in memory and are
 * gone on close.
 */
export async function createPgliteStorage(options: PgliteStorageOptions = {}): Promise<Storage> {
  const dataDir = options.dataDir;
  const client = await createPgliteClient(dataDir === undefined ? {} : { dataDir: join(dataDir, 'pglite') });
  try {
    await applyMigrations(client, { logger: options.logger });
  } catch (error) {
    await client.close();
    throw error;
  }
  const buckets = dataDir === undefined ? new MemoryBucket() : new LocalBucket(join(dataDir, 'buckets'));
  return new SqlStorage({ kind: 'pglite', client, buckets, location: dataDir ?? 'memory', logger: options.logger });
}
