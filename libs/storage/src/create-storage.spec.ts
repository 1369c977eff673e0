import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createStorage } from './create-storage.js';
import { DataDirLockedError } from './data-dir-lock.js';
import { readStorageConfig } from './storage-config.js';
import { StorageConfigError } from './storage-errors.js';

const dirs: string[] = [];
const scratch = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'exai-create-storage-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('readStorageConfig', () => {
  it('defaults to PGlite in ~/.exai, and honours EXAI_DATA_DIR', () => {
    expect(readStorageConfig({})).toEqual({ kind: 'pglite', dataDir: join(homedir(), '.exai') });
    expect(readStorageConfig({ EXAI_DATA_DIR: '~/work/exai' })).toEqual({ kind: 'pglite', dataDir: join(homedir(), 'work/exai') });
    expect(readStorageConfig({ EXAI_STORAGE: 'MEMORY' })).toEqual({ kind: 'memory' });
  });

  it('reads the postgres and supabase settings', () => {
    expect(readStorageConfig({ EXAI_STORAGE: 'postgres', DATABASE_URL: 'postgres://u:p@db:5432/exai', EXAI_DB_POOL_SIZE: '4', EXAI_DATA_DIR: '/srv/exai' })).toEqual({
      kind: 'postgres',
      dataDir: '/srv/exai',
      connectionString: 'postgres://u:p@db:5432/exai',
      poolSize: 4,
      migrate: true,
    });
    expect(readStorageConfig({ EXAI_STORAGE: 'supabase', SUPABASE_URL: 'https://p.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k', SUPABASE_JWT_SECRET: 's', EXAI_DATA_DIR: '/srv/exai' })).toEqual({
      kind: 'supabase',
      dataDir: '/srv/exai',
      url: 'https://p.supabase.co',
      serviceRoleKey: 'k',
      jwtSecret: 's',
    });
  });

  it('names every missing or bad setting at once', () => {
    let error: unknown;
    try {
      readStorageConfig({ EXAI_STORAGE: 'postgres', DATABASE_URL: 'mysql://x', EXAI_DB_POOL_SIZE: '0', EXAI_DB_MIGRATE: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(StorageConfigError.isInstance(error)).toBe(true);
    expect((error as StorageConfigError).setting).toBe('DATABASE_URL, EXAI_DB_POOL_SIZE, EXAI_DB_MIGRATE');
    expect((error as Error).message).toContain('DATABASE_URL must start with postgres://');
    expect(() => readStorageConfig({ EXAI_STORAGE: 'sqlite' })).toThrow('EXAI_STORAGE: must be one of pglite, postgres, supabase, memory; got "sqlite"');
  });
});

describe('createStorage', () => {
  it('keeps PGlite data across restarts, and lets one process at a time use the data folder', async () => {
    const dataDir = scratch();
    const userId = randomUUID();
    const first = await createStorage({ config: { kind: 'pglite', dataDir } });
    await first.forUser(userId).conversations.create({ continuationId: 'kept' });
    await first.forUser(userId).conversations.appendMessage('kept', { role: 'user', content: 'still here' });
    expect(first.status()).toMatchObject({ kind: 'pglite', state: 'up', journalBacklog: 0 });

    const second = await createStorage({ config: { kind: 'pglite', dataDir } }).catch((error: unknown) => error);
    expect(DataDirLockedError.isInstance(second)).toBe(true);
    expect((second as DataDirLockedError).pid).toBe(process.pid);
    await first.close();

    const reopened = await createStorage({ config: { kind: 'pglite', dataDir } });
    const thread = await reopened.forUser(userId).conversations.loadThread('kept');
    expect(thread?.messages.map((message) => message.content)).toEqual(['still here']);
    await reopened.close();
  }, 60_000);

  it('takes over a lock its dead owner left behind', async () => {
    const dataDir = scratch();
    writeFileSync(join(dataDir, 'exai.lock'), '999999999');
    const storage = await createStorage({ config: { kind: 'pglite', dataDir } });
    await storage.close();
  }, 60_000);
});

describe('createStorage on a PostgreSQL that is down at startup', () => {
  it('starts on the journal, retries the migrations in the background, and stops retrying when closed', async () => {
    // A "database" that accepts connections and drops them at once: every attempt is counted.
    let connections = 0;
    const server = createServer((socket) => {
      connections += 1;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const storage = await createStorage({
        config: { kind: 'postgres', connectionString: `postgres://exai@127.0.0.1:${port}/exai`, dataDir: scratch(), migrate: true },
      });
      expect(storage.status()).toMatchObject({ kind: 'postgres' });
      // A write is accepted (journaled) although the database is away.
      await storage.forUser(randomUUID()).conversations.create({ continuationId: 'journaled' });
      expect(storage.status().journalBacklog).toBeGreaterThan(0);
      await storage.close();
      const afterClose = connections;
      // The migration retry runs every 5 s: after close, none may start.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(connections).toBe(afterClose);
    } finally {
      server.close();
    }
  }, 60_000);
});
