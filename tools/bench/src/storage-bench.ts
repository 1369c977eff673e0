import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { percentile } from '@exai/harness';
import { createStorage, type Storage, type StorageConfig } from '@exai/storage';

/** Figures of one storage engine. */
export interface StorageBenchRow {
  engine: string;
  /** `loadThread` of a 50-turn thread. */
  loadP50Ms: number;
  loadP99Ms: number;
  /** One `appendMessage`, sequential. */
  appendP50Ms: number;
  appendP99Ms: number;
  /** Turns appended per second by 8 concurrent writers on separate threads. */
  insertsPerSecond: number;
}

const turnText = (index: number): string =>
  `${index % 2 ? 'Assistant' : 'User'} turn ${index}: ` + 'The retry loop sleeps after the last attempt because the check comes after the delay. '.repeat(4);

async function measure(engine: string, storage: Storage, options: { loads: number; appends: number; concurrentAppends: number }): Promise<StorageBenchRow> {
  const user = storage.forUser(randomUUID());
  // A 50-turn thread, as a long continuation has.
  const threadId = `bench-${randomUUID()}`;
  await user.conversations.create({ continuationId: threadId, tool: 'chat' });
  for (let index = 0; index < 50; index++) {
    await user.conversations.appendMessage(threadId, { role: index % 2 ? 'assistant' : 'user', content: turnText(index), ...(index % 2 ? { provider: 'glm', model: 'glm-4.6' } : {}) });
  }
  for (let index = 0; index < 100; index++) await user.conversations.loadThread(threadId, { maxMessages: 50 });
  const loads: number[] = [];
  for (let index = 0; index < options.loads; index++) {
    const started = performance.now();
    const thread = await user.conversations.loadThread(threadId, { maxMessages: 50 });
    loads.push(performance.now() - started);
    if (thread?.messages.length !== 50) throw new Error(`loadThread returned ${thread?.messages.length} turns, expected 50`);
  }

  const appendThread = `bench-append-${randomUUID()}`;
  await user.conversations.create({ continuationId: appendThread });
  const appends: number[] = [];
  for (let index = 0; index < options.appends; index++) {
    const started = performance.now();
    await user.conversations.appendMessage(appendThread, { role: 'user', content: turnText(index) });
    appends.push(performance.now() - started);
  }

  const writers = 8;
  const perWriter = Math.ceil(options.concurrentAppends / writers);
  const threads = await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      const id = `bench-writer-${writer}-${randomUUID()}`;
      await user.conversations.create({ continuationId: id });
      return id;
    }),
  );
  const started = performance.now();
  await Promise.all(
    threads.map(async (id) => {
      for (let index = 0; index < perWriter; index++) await user.conversations.appendMessage(id, { role: 'user', content: turnText(index) });
    }),
  );
  const insertsPerSecond = (writers * perWriter) / ((performance.now() - started) / 1000);

  loads.sort((a, b) => a - b);
  appends.sort((a, b) => a - b);
  return {
    engine,
    loadP50Ms: percentile(loads, 0.5),
    loadP99Ms: percentile(loads, 0.99),
    appendP50Ms: percentile(appends, 0.5),
    appendP99Ms: percentile(appends, 0.99),
    insertsPerSecond,
  };
}

/**
 * Storage figures as the product runs them (`createStorage`: the adapter behind its breaker and
 * journal): PGlite in a fresh data directory, and the PostgreSQL server of `DATABASE_URL` in a fresh
 * database (skipped, and said so, without it).
 */
export async function runStorageBench(options: { loads: number; appends: number; concurrentAppends: number }): Promise<{ rows: StorageBenchRow[]; skipped: string[] }> {
  const rows: StorageBenchRow[] = [];
  const skipped: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'exai-bench-'));
  try {
    const storage = await createStorage({ config: { kind: 'pglite', dataDir: join(dataDir, 'pglite-engine') } });
    try {
      rows.push(await measure('PGlite (embedded, on disk)', storage, options));
    } finally {
      await storage.close();
    }

    const url = process.env['DATABASE_URL'];
    if (!url) {
      skipped.push('PostgreSQL: DATABASE_URL is not set');
    } else {
      const database = `exai_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query(`create database ${database}`);
      const target = new URL(url);
      target.pathname = `/${database}`;
      const config: StorageConfig = { kind: 'postgres', dataDir: join(dataDir, 'postgres-engine'), connectionString: target.toString(), migrate: true };
      try {
        const storage = await createStorage({ config });
        try {
          rows.push(await measure(`PostgreSQL ${target.host} (pool)`, storage, options));
        } finally {
          await storage.close();
        }
      } finally {
        await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [database]);
        await admin.query(`drop database if exists ${database}`);
        await admin.end();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { rows, skipped };
}
