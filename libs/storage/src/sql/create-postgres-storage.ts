import type { SqlLogger } from './sql-logger.js';
import { LocalBucket } from '../local-bucket.js';
import type { Storage } from '../storage.js';
import { StorageConfigError } from '../storage-errors.js';
import { applyMigrations } from './apply-migrations.js';
import { mapSqlError } from './map-sql-error.js';
import { PgClient } from './pg-client.js';
import { SqlStorage } from './sql-storage.js';

/** Options of {@link createPostgresStorage}. */
export interface PostgresStorageOptions {
  /** `postgres://…` (`DATABASE_URL`): a plain server, or Supabase's direct or pooled URL. */
  connectionString: string;
  /** Folder of the bucket files (`<bucketDir>/<bucket>/<path>`). */
  bucketDir: string;
  /** Most pooled connections. Default 10. */
  poolSize?: number;
  /** `statement_timeout` of every call, in milliseconds. Default: the server's. */
  statementTimeoutMs?: number;
  /** Apply exai's migrations before returning. Default false (run `exai-migrate` instead). */
  migrate?: boolean;
  logger?: SqlLogger;
}

/**
 * Storage on a PostgreSQL server (or Supabase's database) through a connection pool, with bucket
 * files on local disk. Nothing connects until the first call unless `migrate` is set.
 */
export async function createPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  if (typeof options.connectionString !== 'string' || options.connectionString === '') {
    throw new StorageConfigError({ setting: 'DATABASE_URL', message: 'is empty; the postgres storage needs a postgres:// connection string.' });
  }
  const timeout = options.statementTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new StorageConfigError({ setting: 'statementTimeoutMs', message: `must be a non-negative number of milliseconds, got ${timeout}.` });
  }
  const client = new PgClient({ connectionString: options.connectionString, poolSize: options.poolSize, logger: options.logger });
  if (options.migrate === true) {
    try {
      await applyMigrations(client, { logger: options.logger });
    } catch (error) {
      await client.close();
      throw mapSqlError(error);
    }
  }
  return new SqlStorage({
    kind: 'postgres',
    client,
    buckets: new LocalBucket(options.bucketDir),
    statementTimeoutMs: options.statementTimeoutMs,
    logger: options.logger,
  });
}
