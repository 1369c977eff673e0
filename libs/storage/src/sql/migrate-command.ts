import { applyMigrations, listMigrations } from './apply-migrations.js';
import { isConnectionError } from './map-sql-error.js';
import { migrationsDirectory } from './migrations-directory.js';
import { describeConnection, PgClient } from './pg-client.js';

/** What {@link runMigrateCommand} reads and writes, so tests can drive it without a process. */
export interface MigrateCommandIo {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage: exai-migrate [--database-url postgres://…]

Applies exai's SQL migrations (platform prerequisites, tables, row-level security, buckets) to the
database at --database-url or DATABASE_URL. Migrations already applied are skipped, so it is safe
to run on every deploy. Works on plain PostgreSQL and on Supabase (direct or pooled URL).
`;

/** `exai-migrate`: applies the migrations to `DATABASE_URL` and returns the process exit code. */
export async function runMigrateCommand(io: MigrateCommandIo): Promise<number> {
  const args = parseArgs(io.argv);
  if (args === 'help') {
    io.stderr.write(USAGE);
    return 0;
  }
  if (typeof args === 'string') {
    io.stderr.write(`exai-migrate: ${args}\n\n${USAGE}`);
    return 2;
  }
  const url = args.databaseUrl ?? io.env.DATABASE_URL;
  if (!url) {
    io.stderr.write('exai-migrate: DATABASE_URL is not set. Set it (or pass --database-url) to the postgres:// URL of the database to migrate.\n');
    return 2;
  }
  const where = describeConnection(url);
  const client = new PgClient({ connectionString: url, poolSize: 1 });
  try {
    const directory = migrationsDirectory();
    const known = new Map((await listMigrations(directory)).map((file) => [file.version, file.name]));
    const applied = await applyMigrations(client, { directory });
    if (applied.length === 0) io.stderr.write(`exai-migrate: ${where} is up to date (${known.size} migrations).\n`);
    for (const version of applied) io.stderr.write(`exai-migrate: applied ${version}_${known.get(version) ?? ''} to ${where}\n`);
    return 0;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    if (isConnectionError(error)) {
      io.stderr.write(`exai-migrate: cannot reach the database at ${where} (DATABASE_URL): ${detail}\n`);
    } else {
      io.stderr.write(`exai-migrate: migrating ${where} failed: ${detail}\n`);
    }
    return 1;
  } finally {
    await client.close();
  }
}

function parseArgs(argv: readonly string[]): { databaseUrl?: string } | 'help' | string {
  const result: { databaseUrl?: string } = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--database-url') {
      const value = argv[++index];
      if (value === undefined) return '--database-url needs a value.';
      result.databaseUrl = value;
    } else if (arg.startsWith('--database-url=')) {
      result.databaseUrl = arg.slice('--database-url='.length);
    } else {
      return `unknown argument ${JSON.stringify(arg)}.`;
    }
  }
  return result;
}
