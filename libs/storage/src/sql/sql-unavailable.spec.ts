import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { StorageUnavailableError } from '../storage-errors.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../test-support/test-database.js';
import { createPgliteStorage } from './create-pglite-storage.js';
import { createPostgresStorage } from './create-postgres-storage.js';
import { PgClient } from './pg-client.js';
import { SqlHealth } from './sql-health.js';
import { SqlScope } from './sql-scope.js';

describe('an unreachable database', () => {
  let bucketDir: string;
  beforeAll(async () => {
    bucketDir = await mkdtemp(join(tmpdir(), 'exai-buckets-'));
  });
  afterAll(async () => {
    await rm(bucketDir, { recursive: true, force: true });
  });

  it('PostgreSQL: calls fail with StorageUnavailableError and status says down, without credentials', async () => {
    const storage = await createPostgresStorage({ connectionString: 'postgres://exai:s3cret@127.0.0.1:1/exai', bucketDir });
    try {
      expect(storage.status()).toMatchObject({ kind: 'postgres', state: 'up', location: '127.0.0.1:1/exai' });
      const error = await storage.forUser(randomUUID()).conversations.get('x').catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageUnavailableError);
      const status = storage.status();
      expect(status.state).toBe('down');
      expect(status.lastError).toContain('ECONNREFUSED');
      expect(JSON.stringify(status)).not.toContain('s3cret');
      await expect(storage.service.expireConversations()).rejects.toBeInstanceOf(StorageUnavailableError);
    } finally {
      await storage.close();
    }
  });

  it('PostgreSQL: migrating at creation fails with StorageUnavailableError', async () => {
    await expect(createPostgresStorage({ connectionString: 'postgres://exai@127.0.0.1:1/exai', bucketDir, migrate: true })).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('refuses settings that cannot work, naming them', async () => {
    await expect(createPostgresStorage({ connectionString: '', bucketDir })).rejects.toMatchObject({ code: 'storage_config', setting: 'DATABASE_URL' });
    await expect(createPostgresStorage({ connectionString: 'postgres://x@127.0.0.1:1/x', bucketDir, statementTimeoutMs: Number.NaN })).rejects.toMatchObject({
      setting: 'statementTimeoutMs',
    });
  });

  it('PGlite: a closed database is unavailable', async () => {
    const storage = await createPgliteStorage();
    await storage.close();
    await expect(storage.forUser(randomUUID()).conversations.list()).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(storage.status()).toMatchObject({ kind: 'pglite', state: 'down', location: 'memory' });
  });
});

(hasPostgres ? describe : describe.skip)('a PostgreSQL connection dropped mid-call', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('fails that call as unavailable, then recovers on a fresh connection', async () => {
    const client = new PgClient({ connectionString: database.connectionString, poolSize: 2 });
    const health = new SqlHealth();
    const scope = new SqlScope({ client, health });
    try {
      const sleeping = scope.query('select pg_sleep(10)').catch((caught: unknown) => caught);
      const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await admin.connect();
      try {
        for (let tries = 0; tries < 50; tries++) {
          const killed = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and pid <> pg_backend_pid()`, [
            database.name,
          ]);
          if (killed.rows.length > 0) break;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        await admin.end();
      }
      expect(await sleeping).toBeInstanceOf(StorageUnavailableError);
      expect(health.state).toBe('down');
      expect(await scope.query('select 1 as one')).toEqual([{ one: 1 }]);
      expect(health.state).toBe('up');
    } finally {
      await client.close();
    }
  });
});
