import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import { attempt, sqlEngines, type SqlTestEngine } from '../test-support/sql-test-engines.js';

/** Tables a user reads, inserts, updates and deletes (their own rows only), and the owner column. */
const OWNED = [
  { table: 'public.conversations', owner: 'owner_id', change: "title = 'taken'" },
  { table: 'public.messages', owner: 'owner_id', change: "content = 'taken'" },
  { table: 'public.file_metadata', owner: 'owner_id', change: "filename = 'taken'" },
  { table: 'public.conversation_files', owner: 'owner_id', change: 'added_at = now()' },
  { table: 'public.provider_file_uploads', owner: 'owner_id', change: "status = 'deleted'" },
  { table: 'public.file_id_mappings', owner: 'owner_id', change: "external_id = 'taken'" },
  { table: 'public.workflow_states', owner: 'owner_id', change: 'step_number = 99' },
  { table: 'public.sessions', owner: 'user_id', change: "replica = 'taken'" },
  { table: 'public.tool_calls', owner: 'user_id', change: "status = 'error'" },
  { table: 'storage.objects', owner: '(storage.foldername(name))[1]::uuid', change: "metadata = '{}'::jsonb" },
];
/** Records: a user reads and adds their own rows and never changes any. */
const APPEND_ONLY = [
  { table: 'public.usage_events', owner: 'user_id' },
  { table: 'public.audit_logs', owner: 'user_id' },
  { table: 'public.file_operations', owner: 'owner_id' },
  { table: 'public.routing_decisions', owner: 'user_id' },
];
const ALL = [...OWNED, ...APPEND_ONLY, { table: 'public.user_quotas', owner: 'user_id' }];

interface Seeded {
  conversationId: string;
  fileId: string;
}

/** One row in every table for `owner`, written by the connecting superuser (no row-level security). */
async function seed(engine: SqlTestEngine, owner: string): Promise<Seeded> {
  const sha = createHash('sha256').update(owner).digest('hex');
  const path = `${owner}/${sha.slice(0, 2)}/${sha}/f.txt`;
  const q = <T = Record<string, unknown>>(text: string, params: unknown[]) => engine.client.query<T>(text, params);
  const [conversation] = await q<{ id: string }>('insert into public.conversations (continuation_id, owner_id) values ($1, $2) returning id', [`rls-${owner}`, owner]);
  const [file] = await q<{ id: string }>(
    `insert into public.file_metadata (owner_id, bucket, path, filename, size_bytes, sha256) values ($1, 'user-files', $2, 'f.txt', 1, $3) returning id`,
    [owner, path, sha],
  );
  const conversationId = conversation!.id;
  const fileId = file!.id;
  await q(`insert into public.messages (conversation_id, owner_id, role, content, idempotency_key) values ($1, $2, 'user', 'mine', $3)`, [conversationId, owner, randomUUID()]);
  await q('insert into public.conversation_files (conversation_id, file_id, owner_id) values ($1, $2, $3)', [conversationId, fileId, owner]);
  await q(`insert into public.provider_file_uploads (owner_id, file_id, sha256, provider, provider_file_id) values ($1, $2, $3, 'kimi', $4)`, [owner, fileId, sha, `pf-${owner}`]);
  await q(`insert into public.file_id_mappings (owner_id, external_id, source, file_id) values ($1, '/x', 'path', $2)`, [owner, fileId]);
  await q(`insert into public.workflow_states (continuation_id, tool, owner_id) values ($1, 'debug', $2)`, [`rls-${owner}`, owner]);
  await q(`insert into public.sessions (id, user_id, transport) values ($1, $2, 'stdio')`, [`s-${owner}`, owner]);
  await q(`insert into public.tool_calls (user_id, tool, status) values ($1, 'chat', 'running')`, [owner]);
  await q(`insert into public.usage_events (user_id, provider, model) values ($1, 'glm', 'glm-4.6')`, [owner]);
  await q(`insert into public.audit_logs (user_id, action, outcome) values ($1, 'test', 'success')`, [owner]);
  await q(`insert into public.file_operations (owner_id, file_id, operation, status) values ($1, $2, 'put', 'ok')`, [owner, fileId]);
  await q(`insert into public.routing_decisions (user_id, mode, chosen_model) values ($1, 'auto', 'glm-4.6')`, [owner]);
  await q('insert into public.user_quotas (user_id) values ($1)', [owner]);
  await q(`insert into storage.objects (bucket_id, name, owner) values ('user-files', $1, $2)`, [path, owner]);
  return { conversationId, fileId };
}

const countAll = async (engine: SqlTestEngine, table: string, owner: string, column: string): Promise<number> => {
  const [row] = await engine.client.query<{ n: unknown }>(`select count(*) as n from ${table} where ${column} = $1`, [owner]);
  return Number(row?.n);
};

describe.each(sqlEngines)('row-level security on $name', ({ enabled, open }) => {
  const run = enabled ? it : it.skip;
  let engine: SqlTestEngine;
  const alice = randomUUID();
  const bob = randomUUID();
  let bobs: Seeded;
  let alices: Seeded;

  beforeAll(async () => {
    if (!enabled) return;
    engine = await open();
    alices = await seed(engine, alice);
    bobs = await seed(engine, bob);
  });
  afterAll(async () => {
    await engine?.close();
  });

  run('a user sees only their own rows in every user-data table', async () => {
    for (const { table, owner } of ALL) {
      const visible = await attempt(engine.client, { user: alice }, `select ${owner}::text as owner from ${table}`);
      expect({ table, code: visible.code }).toEqual({ table, code: undefined });
      expect({ table, owners: [...new Set(visible.rows!.map((row) => row.owner))] }).toEqual({ table, owners: [alice] });
      const foreign = await attempt(engine.client, { user: alice }, `select count(*) as n from ${table} where ${owner} = $1`, [bob]);
      expect({ table, n: Number(foreign.rows?.[0]?.n) }).toEqual({ table, n: 0 });
    }
  });

  run('a user can neither update nor delete another user’s rows', async () => {
    for (const { table, owner, change } of OWNED) {
      const updated = await attempt(engine.client, { user: alice }, `update ${table} set ${change} where ${owner} = $1 returning 1`, [bob]);
      expect({ table, rows: updated.rows?.length }).toEqual({ table, rows: 0 });
      const deleted = await attempt(engine.client, { user: alice }, `delete from ${table} where ${owner} = $1 returning 1`, [bob]);
      expect({ table, rows: deleted.rows?.length }).toEqual({ table, rows: 0 });
      expect({ table, kept: await countAll(engine, table, bob, owner) }).toEqual({ table, kept: 1 });
    }
  });

  run('a user cannot move their own row to another user', async () => {
    for (const { table, owner } of OWNED.filter((item) => item.table !== 'storage.objects')) {
      const moved = await attempt(engine.client, { user: alice }, `update ${table} set ${owner} = $1 where ${owner} = $2`, [bob, alice]);
      expect({ table, code: moved.code }).toEqual({ table, code: '42501' });
    }
    const renamed = await attempt(engine.client, { user: alice }, `update storage.objects set name = $1 || '/x' where (storage.foldername(name))[1] = $2`, [bob, alice]);
    expect(renamed.code).toBe('42501');
  });

  run('records (usage, audit, file operations, routing decisions) and quotas cannot be changed by users at all', async () => {
    for (const { table, owner } of [...APPEND_ONLY, { table: 'public.user_quotas', owner: 'user_id' }]) {
      for (const statement of [`update ${table} set ${owner} = ${owner} where ${owner} = $1`, `delete from ${table} where ${owner} = $1`]) {
        const result = await attempt(engine.client, { user: alice }, statement, [alice]);
        expect({ table, statement, code: result.code }).toEqual({ table, statement, code: '42501' });
      }
    }
    const quota = await attempt(engine.client, { user: alice }, 'insert into public.user_quotas (user_id, storage_quota_bytes) values ($1, 1)', [randomUUID()]);
    expect(quota.code).toBe('42501');
  });

  run('anonymous callers see nothing', async () => {
    for (const { table } of [...ALL, { table: 'monitoring.metrics_raw' }]) {
      const result = await attempt(engine.client, 'anon', `select count(*) as n from ${table}`);
      // No grant at all: permission denied; either way no row is visible.
      expect({ table, outcome: result.code ?? Number(result.rows?.[0]?.n) }).toEqual({ table, outcome: '42501' });
    }
  });

  run('the service role sees every user’s rows, metrics included', async () => {
    for (const { table, owner } of ALL) {
      const result = await attempt(engine.client, 'service_role', `select count(*) as n from ${table} where ${owner} in ($1, $2)`, [alice, bob]);
      expect({ table, n: Number(result.rows?.[0]?.n) }).toEqual({ table, n: 2 });
    }
    expect((await attempt(engine.client, 'service_role', `insert into monitoring.metrics_raw (name, value) values ('m', 1) returning id`)).rows).toHaveLength(1);
    expect((await attempt(engine.client, { user: alice }, 'select count(*) from monitoring.metrics_raw')).code).toBe('42501');
  });

  run('refuses cross-user inserts: a turn into another user’s thread, a link or mapping to their file, an object under their id', async () => {
    const sha = 'b'.repeat(64);
    const refused = [
      ['conversation owned by another', `insert into public.conversations (continuation_id, owner_id) values ('x-${randomUUID()}', $1)`, [bob]],
      ['message into their thread', `insert into public.messages (conversation_id, owner_id, role, content, idempotency_key) values ($1, $2, 'user', 'x', '${randomUUID()}')`, [bobs.conversationId, alice]],
      ['message in their name', `insert into public.messages (conversation_id, owner_id, role, content, idempotency_key) values ($1, $2, 'user', 'x', '${randomUUID()}')`, [alices.conversationId, bob]],
      ['link to their file', 'insert into public.conversation_files (conversation_id, file_id, owner_id) values ($1, $2, $3)', [alices.conversationId, bobs.fileId, alice]],
      ['link into their thread', 'insert into public.conversation_files (conversation_id, file_id, owner_id) values ($1, $2, $3)', [bobs.conversationId, alices.fileId, alice]],
      ['mapping to their file', `insert into public.file_id_mappings (owner_id, external_id, source, file_id) values ($1, '/y', 'path', $2)`, [alice, bobs.fileId]],
      ['upload of their file', `insert into public.provider_file_uploads (owner_id, file_id, sha256, provider, provider_file_id) values ($1, $2, '${sha}', 'glm', 'p-${randomUUID()}')`, [alice, bobs.fileId]],
      ['object under their id', `insert into storage.objects (bucket_id, name) values ('user-files', $1 || '/aa/${sha}/x.txt')`, [bob]],
      ['object in a foreign bucket', `insert into storage.objects (bucket_id, name) values ('avatars', $1 || '/x.txt')`, [alice]],
      ['audit record about them', `insert into public.audit_logs (user_id, action, outcome) values ($1, 'forged', 'success')`, [bob]],
    ] as const;
    for (const [label, statement, params] of refused) {
      const result = await attempt(engine.client, { user: alice }, statement, [...params]);
      expect({ label, refused: result.code !== undefined }).toEqual({ label, refused: true });
    }
  });

  run('audit rows cannot be updated, deleted or truncated, by users or the service role, except through purge', async () => {
    const attempts = [
      [{ user: alice }, 'update public.audit_logs set action = $1', ['changed']],
      [{ user: alice }, 'delete from public.audit_logs where user_id = $1', [alice]],
      ['service_role', 'update public.audit_logs set action = $1', ['changed']],
      ['service_role', 'delete from public.audit_logs where user_id = $1', [alice]],
      ['service_role', 'truncate public.audit_logs', []],
    ] as const;
    for (const [actor, statement, params] of attempts) {
      const result = await attempt(engine.client, actor, statement, [...params]);
      expect({ statement, refused: result.code !== undefined }).toEqual({ statement, refused: true });
    }
    // The purge switch is an ordinary setting: setting it by hand must not be enough to delete.
    const switched = await attempt(engine.client, 'service_role', `with s as (select set_config('exai.audit_purge', 'on', true)) delete from public.audit_logs where user_id = $1 and exists (select 1 from s)`, [alice]);
    expect(switched.code).toBe('42501');
    // Even the table's owner (the superuser that migrated) meets the trigger.
    await expect(engine.client.query('update public.audit_logs set action = $1', ['changed'])).rejects.toMatchObject({ code: '42501' });
    expect(await countAll(engine, 'public.audit_logs', alice, 'user_id')).toBe(1);

    expect((await attempt(engine.client, { user: alice }, 'select public.purge_audit_logs(now())')).code).toBe('42501');
    const purged = await attempt(engine.client, 'service_role', `select public.purge_audit_logs(now() + interval '1 day') as n`);
    expect(Number(purged.rows?.[0]?.n)).toBeGreaterThanOrEqual(2);
    expect(await countAll(engine, 'public.audit_logs', alice, 'user_id')).toBe(0);
  });

  run('the repositories refuse the same cross-user writes with typed errors', async () => {
    const aliceStorage = engine.storage.forUser(alice);
    await expect(aliceStorage.conversations.appendMessage(`rls-${bob}`, { role: 'user', content: 'x' })).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(aliceStorage.conversations.attachFile(`rls-${alice}`, bobs.fileId)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(aliceStorage.files.mapExternalId('/z', 'path', bobs.fileId)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(aliceStorage.uploads.record({ sha256: 'c'.repeat(64), provider: 'glm', providerFileId: `p-${randomUUID()}`, fileId: bobs.fileId })).rejects.toBeInstanceOf(
      StorageNotFoundError,
    );
    await expect(aliceStorage.conversations.create({ continuationId: `rls-${bob}` })).rejects.toBeInstanceOf(InvalidStorageInputError);
    await expect(aliceStorage.uploads.record({ sha256: 'c'.repeat(64), provider: 'kimi', providerFileId: `pf-${bob}` })).rejects.toBeInstanceOf(InvalidStorageInputError);
    const workflow = aliceStorage.workflows.put(`rls-${bob}`, 'debug', { stepNumber: 1, state: {} });
    await expect(workflow).rejects.toMatchObject({ code: 'invalid_storage_input', field: 'continuationId' });
    expect(await aliceStorage.files.read(bobs.fileId).catch((error: unknown) => error)).toBeInstanceOf(StorageNotFoundError);
    expect(await aliceStorage.files.delete(bobs.fileId)).toBe(false);
    expect(await aliceStorage.workflows.delete(`rls-${bob}`, 'debug')).toBe(false);
    expect(await aliceStorage.quota.get()).toMatchObject({ userId: alice });
    // Nothing of Bob's changed.
    expect(await countAll(engine, 'public.messages', bob, 'owner_id')).toBe(1);
    expect(await countAll(engine, 'public.file_metadata', bob, 'owner_id')).toBe(1);
    expect(await countAll(engine, 'public.workflow_states', bob, 'owner_id')).toBe(1);
  });
});
