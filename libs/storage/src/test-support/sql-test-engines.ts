import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBucket } from '../local-bucket.js';
import { applyMigrations } from '../sql/apply-migrations.js';
import { PgClient } from '../sql/pg-client.js';
import { createPgliteClient } from '../sql/pglite-client.js';
import type { SqlClient, SqlExecutor } from '../sql/sql-client.js';
import { SqlStorage } from '../sql/sql-storage.js';
import { createTestDatabase, hasPostgres } from './test-database.js';

/** A migrated database of one engine, with a storage over it and its bucket folder. */
export interface SqlTestEngine {
  client: SqlClient;
  storage: SqlStorage;
  bucketDir: string;
  /** Admin URL of the database (postgres only). */
  connectionString: string | undefined;
  close(): Promise<void>;
}

/** The engines a SQL spec runs on: PGlite always, PostgreSQL when `DATABASE_URL` is set. */
export const sqlEngines: Array<{ name: 'pglite' | 'postgres'; enabled: boolean; open: () => Promise<SqlTestEngine> }> = [
  { name: 'pglite', enabled: true, open: openPglite },
  { name: 'postgres', enabled: hasPostgres, open: openPostgres },
];

async function openPglite(): Promise<SqlTestEngine> {
  const client = await createPgliteClient();
  await applyMigrations(client);
  return withStorage(client, undefined, async () => undefined);
}

async function openPostgres(): Promise<SqlTestEngine> {
  const database = await createTestDatabase();
  const client = new PgClient({ connectionString: database.connectionString, poolSize: 4 });
  await applyMigrations(client);
  return withStorage(client, database.connectionString, () => database.drop());
}

async function withStorage(client: SqlClient, connectionString: string | undefined, drop: () => Promise<void>): Promise<SqlTestEngine> {
  const bucketDir = await mkdtemp(join(tmpdir(), 'exai-buckets-'));
  const storage = new SqlStorage({ kind: client.kind, client, buckets: new LocalBucket(bucketDir) });
  return {
    client,
    storage,
    bucketDir,
    connectionString,
    close: async () => {
      await client.close();
      await drop();
      await rm(bucketDir, { recursive: true, force: true });
    },
  };
}

/** Who a raw statement runs as: a user (`authenticated` with their JWT claims), `anon`, or `service_role`. */
export type SqlActor = { user: string } | 'anon' | 'service_role';

/** A raw statement's rows, or the SQLSTATE it failed with. */
export type SqlAttempt = { rows: Record<string, unknown>[]; code?: undefined } | { rows?: undefined; code: string; message: string };

/** Runs `fn` as PostgREST would for `actor`, without the adapter's error mapping. */
export async function runAs<T>(client: SqlClient, actor: SqlActor, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const role = actor === 'anon' || actor === 'service_role' ? actor : 'authenticated';
  const claims = typeof actor === 'object' ? { sub: actor.user, role } : { role };
  return client.transaction(async (tx) => {
    await tx.query(`select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)`, [role, JSON.stringify(claims)]);
    return fn(tx);
  });
}

/** One statement as `actor`: its rows, or the error code it failed with (the transaction rolls back). */
export async function attempt(client: SqlClient, actor: SqlActor, text: string, params: unknown[] = []): Promise<SqlAttempt> {
  try {
    return { rows: await runAs(client, actor, (tx) => tx.query(text, params)) };
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    return { code: code ?? 'unknown', message: message ?? String(error) };
  }
}
