import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SqlLogger } from './sql-logger.js';
import { migrationsDirectory } from './migrations-directory.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';

/** Options of {@link applyMigrations}. */
export interface ApplyMigrationsOptions {
  /** Folder of `<version>_<name>.sql` files. Default {@link migrationsDirectory}. */
  directory?: string;
  logger?: SqlLogger;
}

/** One migration file. */
export interface MigrationFile {
  version: string;
  name: string;
  path: string;
}

// One key for every exai process migrating this database, so concurrent starts apply each file once.
const MIGRATION_LOCK = 'select pg_advisory_xact_lock(7311146993719142770)';

// The table the Supabase CLI keeps, so `supabase db push` and exai agree on what is applied.
const CREATE_HISTORY = `
  create schema if not exists supabase_migrations;
  create table if not exists supabase_migrations.schema_migrations (version text primary key, statements text[], name text);
`;

/** The `<version>_<name>.sql` files of `directory`, in filename order. */
export async function listMigrations(directory: string = migrationsDirectory()): Promise<MigrationFile[]> {
  const names = (await readdir(directory)).filter((name) => /^\d+_.+\.sql$/.test(name)).sort();
  return names.map((file) => {
    const separator = file.indexOf('_');
    return { version: file.slice(0, separator), name: file.slice(separator + 1, -'.sql'.length), path: join(directory, file) };
  });
}

/**
 * Applies the migrations not yet recorded in `supabase_migrations.schema_migrations`, each in its own
 * transaction under an advisory lock, and returns the versions it applied. Safe at every startup.
 */
export async function applyMigrations(client: SqlClient, options: ApplyMigrationsOptions = {}): Promise<string[]> {
  const migrations = await listMigrations(options.directory ?? migrationsDirectory());
  const applied = await client.transaction(async (tx) => {
    await tx.query(MIGRATION_LOCK);
    await tx.exec(CREATE_HISTORY);
    return appliedVersions(tx);
  });
  const done: string[] = [];
  for (const migration of migrations) {
    if (applied.has(migration.version)) continue;
    const sql = await readFile(migration.path, 'utf8');
    const ran = await client.transaction(async (tx) => {
      await tx.query(MIGRATION_LOCK);
      // Another process may have applied it while this one waited for the lock.
      const again = await tx.query('select 1 from supabase_migrations.schema_migrations where version = $1', [migration.version]);
      if (again.length > 0) return false;
      await tx.exec(sql);
      // The Supabase CLI stores the file split into statements; the whole file is one entry here.
      await tx.query('insert into supabase_migrations.schema_migrations (version, statements, name) values ($1, $2, $3)', [
        migration.version,
        [sql],
        migration.name,
      ]);
      return true;
    });
    if (ran) {
      done.push(migration.version);
      options.logger?.info({ version: migration.version, name: migration.name }, 'applied migration');
    }
  }
  return done;
}

async function appliedVersions(tx: SqlExecutor): Promise<Set<string>> {
  const rows = await tx.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
  return new Set(rows.map((row) => row.version));
}
