import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../test-support/test-database.js';
import { listMigrations } from './apply-migrations.js';
import { runMigrateCommand } from './migrate-command.js';

async function run(argv: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const code = await runMigrateCommand({ argv, env, stderr: { write: (text: string) => (stderr += text) } });
  return { code, stderr };
}

describe('exai-migrate', () => {
  it('names DATABASE_URL when it is missing', async () => {
    const { code, stderr } = await run([]);
    expect(code).toBe(2);
    expect(stderr).toContain('DATABASE_URL is not set');
  });

  it('names DATABASE_URL and the host (never the password) when the database is unreachable', async () => {
    const { code, stderr } = await run([], { DATABASE_URL: 'postgres://exai:hunter2@127.0.0.1:1/exai' });
    expect(code).toBe(1);
    expect(stderr).toContain('cannot reach the database at 127.0.0.1:1/exai (DATABASE_URL)');
    expect(stderr).not.toContain('hunter2');
  });

  it('refuses unknown arguments and prints usage on --help', async () => {
    expect((await run(['--force'])).code).toBe(2);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stderr).toContain('Usage: exai-migrate');
  });
});

(hasPostgres ? describe : describe.skip)('exai-migrate against PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('applies the migrations, then reports the database up to date', async () => {
    const files = await listMigrations();
    const first = await run(['--database-url', database.connectionString]);
    expect(first.code).toBe(0);
    expect(first.stderr.trim().split('\n')).toHaveLength(files.length);
    expect(first.stderr).toContain(`applied ${files[0]!.version}_${files[0]!.name} to 127.0.0.1:5432/${database.name}`);
    const second = await run([], { DATABASE_URL: database.connectionString });
    expect(second).toEqual({ code: 0, stderr: `exai-migrate: 127.0.0.1:5432/${database.name} is up to date (${files.length} migrations).\n` });
  });
});
