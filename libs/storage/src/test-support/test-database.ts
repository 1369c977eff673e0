import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** True when `DATABASE_URL` names a PostgreSQL server to test against (CI always sets it). */
export const hasPostgres = Boolean(process.env.DATABASE_URL);

/** A throwaway database on the `DATABASE_URL` server. */
export interface TestDatabase {
  /** Its name, `exai_test_<random>`. */
  name: string;
  connectionString: string;
  /** Ends every connection to it and drops it. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, empty database `exai_test_<random>` on the server of `DATABASE_URL`, so each spec
 * file migrates and fills its own database and parallel runs never meet.
 */
export async function createTestDatabase(serverUrl: string | undefined = process.env.DATABASE_URL): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('DATABASE_URL is not set: the PostgreSQL specs need a server (postgres://user@host:port/db).');
  const name = `exai_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(serverUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    name,
    connectionString: url.toString(),
    drop: () =>
      withAdmin(serverUrl, async (admin) => {
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [name]);
        await admin.query(`drop database if exists ${name}`);
      }),
  };
}

async function withAdmin(serverUrl: string, fn: (admin: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}
