import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { InvalidStorageInputError } from '../storage-errors.js';
import { sqlEngines, type SqlTestEngine } from '../test-support/sql-test-engines.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';
import { SqlStorage } from './sql-storage.js';
import { MemoryBucket } from './memory-bucket.js';

/** A client that counts the statements sent, to hold loadThread to its round trips. */
function countingClient(inner: SqlClient): { client: SqlClient; statements: string[] } {
  const statements: string[] = [];
  const wrap = (executor: SqlExecutor): SqlExecutor => ({
    query: (text, params) => {
      statements.push(text);
      return executor.query(text, params);
    },
    exec: (text) => executor.exec(text),
  });
  const client: SqlClient = {
    kind: inner.kind,
    location: inner.location,
    query: (text, params) => wrap(inner).query(text, params),
    exec: (text) => inner.exec(text),
    transaction: (fn, setup) => {
      if (setup !== undefined) statements.push(setup);
      return inner.transaction((tx) => fn(wrap(tx)), setup);
    },
    close: () => inner.close(),
  };
  return { client, statements };
}

describe.each(sqlEngines)('conversations on $name', ({ name, enabled, open }) => {
  const run = enabled ? it : it.skip;
  let engine: SqlTestEngine;
  const userId = randomUUID();
  const thread = (label: string): string => `${label}-${randomUUID()}`;

  beforeAll(async () => {
    if (enabled) engine = await open();
  });
  afterAll(async () => {
    await engine?.close();
  });

  run('a replayed turn is stored once and does not bump the thread again', async () => {
    const user = engine.storage.forUser(userId);
    const id = thread('replay');
    await user.conversations.create({ continuationId: id, createdAt: new Date('2026-01-01T00:00:00Z') });
    const at = new Date('2026-01-02T00:00:00Z');
    const first = await user.conversations.appendMessage(id, { role: 'user', content: 'once', idempotencyKey: `${id}-k`, createdAt: at });
    expect((await user.conversations.get(id))?.updatedAt.toISOString()).toBe(at.toISOString());
    const replay = await user.conversations.appendMessage(id, { role: 'user', content: 'changed?', idempotencyKey: `${id}-k`, createdAt: new Date('2026-02-01T00:00:00Z') });
    expect(replay).toEqual(first);
    expect((await user.conversations.get(id))?.updatedAt.toISOString()).toBe(at.toISOString());
    const [count] = await engine.client.query<{ n: unknown }>('select count(*) as n from public.messages where idempotency_key = $1', [`${id}-k`]);
    expect(Number(count?.n)).toBe(1);
  });

  run('refuses an idempotency key another user’s turn already holds, naming the field', async () => {
    const mine = thread('mine');
    const theirs = thread('theirs');
    const other = engine.storage.forUser(randomUUID());
    await other.conversations.create({ continuationId: theirs });
    await other.conversations.appendMessage(theirs, { role: 'user', content: 'x', idempotencyKey: `${theirs}-k` });
    const user = engine.storage.forUser(userId);
    await user.conversations.create({ continuationId: mine });
    await expect(user.conversations.appendMessage(mine, { role: 'user', content: 'y', idempotencyKey: `${theirs}-k` })).rejects.toMatchObject({
      code: 'invalid_storage_input',
      field: 'idempotencyKey',
    });
  });

  run('orders turns with the same timestamp by insertion, and reports an empty thread', async () => {
    const user = engine.storage.forUser(userId);
    const id = thread('same-time');
    await user.conversations.create({ continuationId: id });
    expect(await user.conversations.loadThread(id)).toMatchObject({ messages: [], truncated: false });
    const at = new Date();
    for (let index = 0; index < 5; index++) await user.conversations.appendMessage(id, { role: 'user', content: `t${index}`, createdAt: at });
    const loaded = await user.conversations.loadThread(id, { maxMessages: 3 });
    expect(loaded?.messages.map((message) => message.content)).toEqual(['t2', 't3', 't4']);
    expect(loaded?.truncated).toBe(true);
    const exact = await user.conversations.loadThread(id, { maxMessages: 5 });
    expect(exact?.truncated).toBe(false);
    await expect(user.conversations.loadThread(id, { maxMessages: 0 })).rejects.toBeInstanceOf(InvalidStorageInputError);
  });

  run('keeps a message budget and a character budget together', async () => {
    const user = engine.storage.forUser(userId);
    const id = thread('budgets');
    await user.conversations.create({ continuationId: id });
    for (const content of ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee']) await user.conversations.appendMessage(id, { role: 'user', content });
    const loaded = await user.conversations.loadThread(id, { maxMessages: 4, maxChars: 9 });
    expect(loaded?.messages.map((message) => message.content)).toEqual(['dddd', 'eeee']);
    expect(loaded?.truncated).toBe(true);
    const huge = await user.conversations.loadThread(id, { maxChars: 2 });
    expect(huge?.messages.map((message) => message.content)).toEqual(['eeee']);
  });

  run('update changes only what the patch names; expiry can be cleared', async () => {
    const user = engine.storage.forUser(userId);
    const id = thread('patch');
    await user.conversations.create({ continuationId: id, title: 'T', expiresAt: new Date(Date.now() + 60_000), metadata: { a: 1 } });
    await user.conversations.update(id, { metadata: { b: 2 } });
    expect(await user.conversations.get(id)).toMatchObject({ title: 'T', metadata: { a: 1, b: 2 } });
    await user.conversations.update(id, { expiresAt: null });
    expect((await user.conversations.get(id))?.expiresAt).toBeUndefined();
    expect((await user.conversations.get(id))?.title).toBe('T');
  });

  run('deleting a thread removes its turns and file links but not the files', async () => {
    const user = engine.storage.forUser(userId);
    const id = thread('cascade');
    const created = await user.conversations.create({ continuationId: id });
    await user.conversations.appendMessage(id, { role: 'user', content: 'x' });
    const { file } = await user.files.put({ filename: 'kept.txt', bytes: new TextEncoder().encode(id) });
    await user.conversations.attachFile(id, file.id);
    expect(await user.conversations.delete(id)).toBe(true);
    expect(await engine.client.query('select 1 from public.messages where conversation_id = $1', [created.id])).toEqual([]);
    expect(await engine.client.query('select 1 from public.conversation_files where conversation_id = $1', [created.id])).toEqual([]);
    expect(await user.files.get(file.id)).toBeDefined();
  });

  run('service expiry removes expired threads, expired workflow states and the states of expired threads', async () => {
    const user = engine.storage.forUser(userId);
    const gone = thread('gone');
    const kept = thread('kept');
    const past = new Date(Date.now() - 1_000);
    await user.conversations.create({ continuationId: gone, expiresAt: past });
    await user.conversations.create({ continuationId: kept });
    await user.workflows.put(gone, 'debug', { stepNumber: 1, state: {} });
    await user.workflows.put(kept, 'debug', { stepNumber: 1, state: {}, expiresAt: past });
    await user.workflows.put(kept, 'codereview', { stepNumber: 1, state: {} });
    expect(await engine.storage.service.expireConversations()).toBeGreaterThanOrEqual(1);
    expect(await user.conversations.get(gone)).toBeUndefined();
    expect(await user.conversations.get(kept)).toBeDefined();
    expect(await user.workflows.get(gone, 'debug')).toBeUndefined();
    expect(await user.workflows.get(kept, 'debug')).toBeUndefined();
    expect(await user.workflows.get(kept, 'codereview')).toBeDefined();
    expect(await engine.storage.service.expireConversations()).toBe(0);
  });

  run('loads a 50-turn thread in one statement after the role switch, fast', async () => {
    const counting = countingClient(engine.client);
    const storage = new SqlStorage({ kind: engine.client.kind, client: counting.client, buckets: new MemoryBucket() });
    const user = storage.forUser(userId);
    const id = thread('timing');
    await user.conversations.create({ continuationId: id });
    for (let index = 0; index < 50; index++) {
      await user.conversations.appendMessage(id, { role: index % 2 ? 'assistant' : 'user', content: `turn ${index} `.repeat(40) });
    }
    counting.statements.length = 0;
    expect((await user.conversations.loadThread(id))?.messages).toHaveLength(50);
    // The role switch (sent with `begin`) and one query: no per-message round trips.
    expect(counting.statements).toHaveLength(2);
    expect(counting.statements[0]).toContain(`set_config('role', 'authenticated', true)`);

    for (let index = 0; index < 20; index++) await user.conversations.loadThread(id);
    const samples: number[] = [];
    for (let index = 0; index < 200; index++) {
      const started = performance.now();
      await user.conversations.loadThread(id);
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    const p50 = samples[100]!;
    const p95 = samples[190]!;
    // Figures for the reader; the 2 ms target is checked by `npm run bench`, never by a test.
    console.log(`loadThread, 50 turns, ${name}: p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms`);
    expect(p50).toBeGreaterThan(0);
  });
});
