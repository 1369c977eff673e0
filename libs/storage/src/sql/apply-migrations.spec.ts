import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { StorageConfigError } from '../storage-errors.js';
import { createTestDatabase, hasPostgres, type TestDatabase } from '../test-support/test-database.js';
import { applyMigrations, listMigrations } from './apply-migrations.js';
import { migrationsDirectory } from './migrations-directory.js';
import { PgClient } from './pg-client.js';
import { createPgliteClient, type PgliteClient } from './pglite-client.js';
import type { SqlClient } from './sql-client.js';

const TABLES = [
  'public.conversations',
  'public.messages',
  'public.file_metadata',
  'public.conversation_files',
  'public.provider_file_uploads',
  'public.file_id_mappings',
  'public.file_operations',
  'public.audit_logs',
  'public.user_quotas',
  'public.usage_events',
  'public.tool_calls',
  'public.routing_decisions',
  'public.sessions',
  'public.workflow_states',
  'monitoring.metrics_raw',
];

async function expectMigrated(client: SqlClient): Promise<void> {
  const rows = await client.query<{ name: string }>(
    `select n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind = 'r' and n.nspname in ('public', 'monitoring') and c.relrowsecurity`,
  );
  expect(rows.map((row) => row.name).sort()).toEqual(expect.arrayContaining([...TABLES].sort()));
  const history = await client.query<{ version: string; name: string; statements: string[] }>(
    'select version, name, statements from supabase_migrations.schema_migrations order by version',
  );
  const files = await listMigrations();
  expect(history.map((row) => [row.version, row.name])).toEqual(files.map((file) => [file.version, file.name]));
  expect(history[0]?.statements).toEqual([await readFile(files[0]!.path, 'utf8')]);
}

describe('listMigrations and migrationsDirectory', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'exai-migrations-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('lists <version>_<name>.sql files in filename order, ignoring anything else', async () => {
    const dir = join(root, 'list');
    await mkdir(dir);
    for (const name of ['20250102000000_second.sql', '20250101000000_first_one.sql', 'README.md', 'notes.sql']) await writeFile(join(dir, name), '');
    expect((await listMigrations(dir)).map(({ version, name }) => [version, name])).toEqual([
      ['20250101000000', 'first_one'],
      ['20250102000000', 'second'],
    ]);
  });

  it('finds the workspace’s supabase/migrations from source', async () => {
    const dir = migrationsDirectory();
    expect(dir.endsWith(join('supabase', 'migrations'))).toBe(true);
    expect((await listMigrations(dir)).length).toBeGreaterThanOrEqual(3);
  });

  it('prefers <package root>/migrations for a built module, and walks up to supabase/migrations otherwise', async () => {
    const workspace = join(root, 'workspace');
    const pkg = join(workspace, 'node_modules', '@exai', 'storage');
    await mkdir(join(pkg, 'dist', 'sql'), { recursive: true });
    await mkdir(join(workspace, 'supabase', 'migrations'), { recursive: true });
    await writeFile(join(pkg, 'package.json'), '{}');
    await writeFile(join(workspace, 'supabase', 'migrations', '1_a.sql'), '');
    const built = pathToFileURL(join(pkg, 'dist', 'sql', 'migrations-directory.js')).href;
    expect(migrationsDirectory(built)).toBe(join(workspace, 'supabase', 'migrations'));
    await mkdir(join(pkg, 'migrations'));
    await writeFile(join(pkg, 'migrations', '1_a.sql'), '');
    expect(migrationsDirectory(built)).toBe(join(pkg, 'migrations'));
  });

  it('names what it looked for when there are none', () => {
    const lonely = pathToFileURL(join(tmpdir(), 'exai-nowhere', 'dist', 'x.js')).href;
    expect(() => migrationsDirectory(lonely)).toThrow(StorageConfigError);
  });
});

describe('applyMigrations on PGlite', () => {
  let client: PgliteClient;
  beforeAll(async () => {
    client = await createPgliteClient();
  });
  afterAll(async () => {
    await client.close();
  });

  it('applies every migration once and records it as the Supabase CLI does; re-applying is a no-op', async () => {
    const files = await listMigrations();
    expect(await applyMigrations(client)).toEqual(files.map((file) => file.version));
    await expectMigrated(client);
    expect(await applyMigrations(client)).toEqual([]);
  });

  it('keeps the platform prerequisites runnable where they already exist (as on Supabase)', async () => {
    const [platform] = await listMigrations();
    const sql = await readFile(platform!.path, 'utf8');
    await expect(client.transaction((tx) => tx.exec(sql))).resolves.toBeUndefined();
  });

  it('rolls a failing migration back whole and does not record it', async () => {
    const other = await createPgliteClient();
    const dir = await mkdtemp(join(tmpdir(), 'exai-bad-migrations-'));
    try {
      await writeFile(join(dir, '1_good.sql'), 'create table good (id int);');
      await writeFile(join(dir, '2_bad.sql'), 'create table half (id int);\nselect * from missing_table;');
      await expect(applyMigrations(other, { directory: dir })).rejects.toMatchObject({ code: '42P01' });
      const recorded = await other.query<{ version: string }>('select version from supabase_migrations.schema_migrations');
      expect(recorded.map((row) => row.version)).toEqual(['1']);
      expect(await other.query(`select 1 from pg_class where relname = 'half'`)).toEqual([]);
      await writeFile(join(dir, '2_bad.sql'), 'create table half (id int);');
      expect(await applyMigrations(other, { directory: dir })).toEqual(['2']);
    } finally {
      await other.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

(hasPostgres ? describe : describe.skip)('applyMigrations on PostgreSQL', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('lets concurrent starts apply each migration exactly once', async () => {
    const clients = [0, 1, 2].map(() => new PgClient({ connectionString: database.connectionString, poolSize: 2 }));
    try {
      const results = await Promise.all(clients.map((client) => applyMigrations(client)));
      const files = await listMigrations();
      expect(results.flat().sort()).toEqual(files.map((file) => file.version));
      await expectMigrated(clients[0]!);
      expect(await applyMigrations(clients[1]!)).toEqual([]);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });
});
