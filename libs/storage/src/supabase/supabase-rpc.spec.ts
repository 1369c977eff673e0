// The SQL side of the Supabase adapter, on real engines: every migration of supabase/migrations
// applied in order to PGlite (always) and to a scratch database of the PostgreSQL server of
// DATABASE_URL (when set; created and dropped here), then the functions of 20261124000300_rpc.sql
// and the writes the adapter sends through PostgREST, run as Supabase runs them: `set role
// authenticated` with the JWT claims in `request.jwt.claims`, or as `service_role`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

const migrationsDir = fileURLToPath(new URL('../../../../supabase/migrations/', import.meta.url));

/** What the tests need of an engine: run SQL as a role, in a transaction rolled back or kept. */
interface Engine {
  exec(sql: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

function pgliteEngine(): Engine {
  const db = new PGlite();
  return {
    exec: async (sql) => {
      await db.exec(sql);
    },
    query: async <T,>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows,
    close: () => db.close(),
  };
}

async function postgresEngine(url: string): Promise<Engine> {
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const name = `exai_supabase_rpc_${process.pid}_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const target = new URL(url);
  target.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: target.toString() });
  await client.connect();
  return {
    exec: async (sql) => {
      await client.query(sql);
    },
    query: async <T,>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    close: async () => {
      await client.end();
      await admin.query(`drop database if exists ${name}`);
      await admin.end();
    },
  };
}

/**
 * Runs one statement in its own transaction as PostgREST would for `role`: `set local role` and the
 * claims in `request.jwt.claims` (with `sub` as `auth.uid()`); committed, or rolled back on error.
 */
async function as<T = Record<string, unknown>>(engine: Engine, role: 'authenticated' | 'service_role' | 'anon', sub: string | undefined, sql: string, params: unknown[] = []): Promise<T[]> {
  const claims = JSON.stringify({ role, ...(sub ? { sub } : {}) });
  await engine.exec(`begin; set local role ${role}; select set_config('request.jwt.claims', '${claims}', true);`);
  try {
    const rows = await engine.query<T>(sql, params);
    await engine.exec('commit');
    return rows;
  } catch (error) {
    await engine.exec('rollback');
    throw error;
  }
}

const sha = (character: string): string => character.repeat(64);

function describeRpc(name: string, open: () => Promise<Engine>): void {
  describe(`supabase migrations and RPC functions on ${name}`, () => {
    let engine: Engine;
    const alice = randomUUID();
    const bob = randomUUID();

    beforeAll(async () => {
      engine = await open();
      for (const file of readdirSync(migrationsDir).filter((entry) => entry.endsWith('.sql')).sort()) {
        await engine.exec(readFileSync(join(migrationsDir, file), 'utf8'));
      }
      await engine.exec(`
        insert into public.file_metadata (owner_id, bucket, path, filename, size_bytes, sha256) values
          ('${alice}', 'user-files', '${alice}/aa/${sha('a')}/a.txt', 'a.txt', 60, '${sha('a')}'),
          ('${alice}', 'results', '${alice}/bb/${sha('b')}/b.txt', 'b.txt', 15, '${sha('b')}'),
          ('${bob}', 'user-files', '${bob}/aa/${sha('a')}/a.txt', 'a.txt', 7, '${sha('a')}');
        insert into public.user_quotas (user_id, storage_quota_bytes, monthly_cost_budget_usd) values ('${alice}', 100, 2.5);
        insert into public.usage_events (user_id, provider, model, input_tokens, output_tokens, total_tokens, cost_usd, created_at) values
          ('${alice}', 'glm', 'glm-4.6', 100, 50, 150, 0.01, '2026-11-20T10:00:00Z'),
          ('${alice}', 'kimi', 'kimi-k2', 10, 5, 15, 0.002, '2026-11-20T23:59:00Z'),
          ('${alice}', 'kimi', 'kimi-k2', 1, 1, 2, 0.001, '2026-11-21T00:01:00Z'),
          ('${alice}', 'kimi', 'kimi-k2', 9, 9, 18, 0.009, '2026-11-22T00:00:00Z'),
          ('${bob}', 'glm', 'glm-4.6', 1000, 1000, 2000, 1, '2026-11-20T12:00:00Z');
      `);
    });

    afterAll(async () => {
      await engine?.close();
    });

    it('creates the functions as security invoker, callable by users and the service role, not by anon', async () => {
      const functions = await engine.query<{ proname: string; prosecdef: boolean; user_can: boolean; service_can: boolean; anon_can: boolean }>(`
        select p.proname, p.prosecdef,
          has_function_privilege('authenticated', p.oid, 'execute') as user_can,
          has_function_privilege('service_role', p.oid, 'execute') as service_can,
          has_function_privilege('anon', p.oid, 'execute') as anon_can
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.proname like 'exai\\_%' order by p.proname`);
      expect(functions).toEqual(
        ['exai_storage_quota', 'exai_touch_file', 'exai_usage_totals_by_day'].map((proname) => ({ proname, prosecdef: false, user_can: true, service_can: true, anon_can: false })),
      );
    });

    it('exai_storage_quota: the quota row (nulls without one) and the bytes stored, under row-level security', async () => {
      // Cast to int4/float8: node-postgres returns int8 and numeric as strings, PGlite as numbers.
      const call = `select user_id, storage_quota_bytes::int as storage_quota_bytes, storage_used_bytes::int as storage_used_bytes,
        monthly_token_budget::int as monthly_token_budget, monthly_cost_budget_usd::float8 as monthly_cost_budget_usd from public.exai_storage_quota($1)`;
      expect(await as(engine, 'authenticated', alice, call, [alice])).toEqual([
        { user_id: alice, storage_quota_bytes: 100, storage_used_bytes: 75, monthly_token_budget: null, monthly_cost_budget_usd: 2.5 },
      ]);
      expect(await as(engine, 'authenticated', bob, call, [bob])).toEqual([
        { user_id: bob, storage_quota_bytes: null, storage_used_bytes: 7, monthly_token_budget: null, monthly_cost_budget_usd: null },
      ]);
      // Another user's figures stay hidden: their rows are not visible to the caller.
      expect(await as(engine, 'authenticated', bob, call, [alice])).toMatchObject([{ storage_quota_bytes: null, storage_used_bytes: 0 }]);
      expect(await as(engine, 'service_role', undefined, call, [alice])).toMatchObject([{ storage_quota_bytes: 100, storage_used_bytes: 75 }]);
      await expect(as(engine, 'anon', undefined, call, [alice])).rejects.toThrow(/permission denied/);
    });

    it('exai_usage_totals_by_day: sums per UTC day in [since, until), newest day first, only the caller’s', async () => {
      const call = `select day, calls::int as calls, input_tokens::int as input_tokens, output_tokens::int as output_tokens,
        total_tokens::int as total_tokens, cost_usd::float8 as cost_usd from public.exai_usage_totals_by_day($1, $2, $3)`;
      const range = ['2026-11-19T00:00:00Z', '2026-11-22T00:00:00Z'];
      const totals = await as<{ day: string; cost_usd: number }>(engine, 'authenticated', alice, call, [alice, ...range]);
      expect(totals.map((total) => total.day)).toEqual(['2026-11-21', '2026-11-20']);
      expect(totals[1]).toMatchObject({ calls: 2, input_tokens: 110, output_tokens: 55, total_tokens: 165 });
      expect(totals[1]!.cost_usd).toBeCloseTo(0.012, 8);
      expect(await as(engine, 'authenticated', bob, call, [alice, ...range])).toEqual([]);
    });

    it('exai_touch_file: counts a read of the owner’s file and returns its row; nothing for anyone else', async () => {
      const [file] = await engine.query<{ id: string }>(`select id from public.file_metadata where owner_id = $1 and bucket = 'user-files'`, [alice]);
      const call = 'select id, access_count from public.exai_touch_file($1, $2)';
      expect(await as(engine, 'authenticated', alice, call, [alice, file!.id])).toEqual([{ id: file!.id, access_count: 1 }]);
      expect(await as(engine, 'authenticated', bob, call, [alice, file!.id])).toEqual([]);
      expect(await as(engine, 'service_role', undefined, call, [bob, file!.id])).toEqual([]);
      expect(await as(engine, 'service_role', undefined, call, [alice, file!.id])).toEqual([{ id: file!.id, access_count: 2 }]);
    });

    it('lets a user write what the adapter sends: idempotent inserts, a turn, a link, a mapping, the forward-only bump', async () => {
      const thread = `rpc-${randomUUID()}`;
      const [conversation] = await as<{ id: string; updated_at: Date }>(
        engine,
        'authenticated',
        alice,
        `insert into public.conversations (continuation_id, owner_id) values ($1, $2) on conflict (continuation_id) do nothing returning id, updated_at`,
        [thread, alice],
      );
      const insertTurn = `insert into public.messages (conversation_id, owner_id, role, content, idempotency_key) values ($1, $2, 'user', 'hi', $3)
        on conflict (idempotency_key) do nothing returning seq, created_at`;
      const [turn] = await as<{ created_at: Date }>(engine, 'authenticated', alice, insertTurn, [conversation!.id, alice, `${thread}-1`]);
      expect(turn).toBeDefined();
      expect(await as(engine, 'authenticated', alice, insertTurn, [conversation!.id, alice, `${thread}-1`])).toEqual([]);
      // Bob cannot add a turn to Alice's thread, even naming himself the owner.
      await expect(as(engine, 'authenticated', bob, insertTurn, [conversation!.id, bob, `${thread}-2`])).rejects.toThrow(/row-level security/);
      const bump = `update public.conversations set updated_at = $1 where id = $2 and owner_id = $3 and updated_at < $1 returning id`;
      expect(await as(engine, 'authenticated', alice, bump, [turn!.created_at, conversation!.id, alice])).toHaveLength(1);
      expect(await as(engine, 'authenticated', alice, bump, [new Date('2000-01-01'), conversation!.id, alice])).toEqual([]);

      const [file] = await engine.query<{ id: string }>(`select id from public.file_metadata where owner_id = $1 and bucket = 'results'`, [alice]);
      const link = `insert into public.conversation_files (conversation_id, file_id, owner_id) values ($1, $2, $3) on conflict (conversation_id, file_id) do nothing`;
      await as(engine, 'authenticated', alice, link, [conversation!.id, file!.id, alice]);
      await as(engine, 'authenticated', alice, link, [conversation!.id, file!.id, alice]);
      const map = `insert into public.file_id_mappings (owner_id, external_id, source, file_id) values ($1, '/a.txt', 'path', $2)
        on conflict (owner_id, source, external_id) do update set file_id = excluded.file_id returning id`;
      const [first] = await as<{ id: string }>(engine, 'authenticated', alice, map, [alice, file!.id]);
      expect(await as(engine, 'authenticated', alice, map, [alice, file!.id])).toEqual([first]);
      const audit = `insert into public.audit_logs (id, user_id, action, outcome) values ($1, $2, 'files.delete', 'success') on conflict (id) do nothing returning id`;
      const auditId = randomUUID();
      expect(await as(engine, 'authenticated', alice, audit, [auditId, alice])).toEqual([{ id: auditId }]);
      expect(await as(engine, 'authenticated', alice, audit, [auditId, alice])).toEqual([]);
    });

    it('lets the service role set quotas with a merging upsert and purge audit entries', async () => {
      const user = randomUUID();
      const upsert = `insert into public.user_quotas (user_id, storage_quota_bytes) values ($1, $2) on conflict (user_id) do update set storage_quota_bytes = excluded.storage_quota_bytes returning storage_quota_bytes::int as storage_quota_bytes`;
      await as(engine, 'service_role', undefined, upsert, [user, 10]);
      expect(await as(engine, 'service_role', undefined, upsert, [user, 20])).toEqual([{ storage_quota_bytes: 20 }]);
      await as(engine, 'service_role', undefined, `insert into public.audit_logs (action, outcome, created_at) values ('old', 'success', now() - interval '400 days')`);
      const [purged] = await as<{ removed: number }>(engine, 'service_role', undefined, `select public.purge_audit_logs(now() - interval '365 days')::int as removed`);
      expect(purged!.removed).toBeGreaterThanOrEqual(1);
      await expect(as(engine, 'authenticated', alice, `select public.purge_audit_logs(now())`)).rejects.toThrow(/permission denied/);
    });

    it('keys a stored path per bucket: the same content under the same name fits in two buckets', async () => {
      const path = `${alice}/aa/${sha('a')}/a.txt`;
      const insert = `insert into public.file_metadata (owner_id, bucket, path, filename, size_bytes, sha256) values ($1, $2, $3, 'a.txt', 60, $4) returning bucket`;
      expect(await as(engine, 'authenticated', alice, insert, [alice, 'generated-files', path, sha('a')])).toEqual([{ bucket: 'generated-files' }]);
      await expect(as(engine, 'authenticated', alice, insert.replace("'a.txt', 60", "'a.txt', 61"), [alice, 'user-files', path, sha('a')])).rejects.toThrow(/duplicate key/);
    });
  });
}

describeRpc('PGlite', async () => pgliteEngine());

const databaseUrl = process.env['DATABASE_URL'];
/** A real PostgreSQL server too; CI and the dev machine set DATABASE_URL. */
if (databaseUrl) describeRpc('PostgreSQL', () => postgresEngine(databaseUrl));
else describe.skip('supabase migrations and RPC functions on PostgreSQL (requires DATABASE_URL)', () => it('runs with DATABASE_URL', () => undefined));
