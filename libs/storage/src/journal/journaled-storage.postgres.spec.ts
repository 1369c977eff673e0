import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage, UserStorage } from '../storage.js';
import { createPostgresStorage } from '../sql/index.js';
import { startTcpProxy, type TcpProxy } from '../test-support/tcp-proxy.js';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.js';
import { createJournaledStorage, type JournaledStorage } from './journaled-storage.js';

const turns = async (user: UserStorage, continuationId: string): Promise<string[]> =>
  ((await user.conversations.loadThread(continuationId, { maxMessages: 500 }))?.messages ?? []).map((message) => message.content);

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

/**
 * The outage the issue describes, against a real PostgreSQL server: the adapter talks to it
 * through a TCP proxy the test cuts mid-conversation (every connection reset, new ones refused)
 * and restores.
 */
(process.env.DATABASE_URL ? describe : describe.skip)('journaled postgres storage through an outage', () => {
  let database: TestDatabase;
  let target: URL;
  /** The database seen directly, not through the proxy: what really got stored. */
  let truth: Storage;
  let dataDir: string;
  let bucketDir: string;
  const opened: Array<{ close(): Promise<void> }> = [];

  /** A postgres storage behind its own proxy, journaled in `dataDir`: one "process". */
  const startProcess = async (): Promise<{ proxy: TcpProxy; storage: JournaledStorage }> => {
    const proxy = await startTcpProxy({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
    opened.push(proxy);
    const inner = await createPostgresStorage({ connectionString: proxy.url(database.connectionString), bucketDir });
    const storage = await createJournaledStorage(inner, { dataDir, probeIntervalMs: 100, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 100 } });
    opened.unshift(storage);
    return { proxy, storage };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    target = new URL(database.connectionString);
    bucketDir = await mkdtemp(join(tmpdir(), 'exai-outage-buckets-'));
    truth = await createPostgresStorage({ connectionString: database.connectionString, bucketDir, migrate: true });
  });
  afterAll(async () => {
    await truth?.close();
    await database?.drop();
    await rm(bucketDir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'exai-outage-data-'));
  });
  afterEach(async () => {
    for (const resource of opened.splice(0)) await resource.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every turn written while the database is cut off, and stores each exactly once, in order, when it returns', async () => {
    const { proxy, storage } = await startProcess();
    const userId = randomUUID();
    const user = storage.forUser(userId);
    const continuationId = `outage-${randomUUID()}`;
    await user.conversations.create({ continuationId, tool: 'chat', expiresAt: new Date(Date.now() + 3_600_000) });
    const expected: string[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      expected.push(`turn ${turn}`);
      await user.conversations.appendMessage(continuationId, { role: turn % 2 ? 'user' : 'assistant', content: `turn ${turn}` });
    }
    expect(await turns(user, continuationId)).toEqual(expected);

    proxy.cut();
    const callId = await user.toolCalls.start({ tool: 'chat', continuationId });
    for (let turn = 5; turn <= 12; turn++) {
      expected.push(`turn ${turn}`);
      await user.conversations.appendMessage(continuationId, { role: turn % 2 ? 'user' : 'assistant', content: `turn ${turn}`, model: 'glm-4.6' });
      // The thread read during the outage already has every turn written during it.
      expect(await turns(user, continuationId)).toEqual(expected);
    }
    await user.conversations.update(continuationId, { expiresAt: new Date(Date.now() + 7_200_000), metadata: { during: 'outage' } });
    await user.toolCalls.finish(callId, { status: 'success', durationMs: 42, model: 'glm-4.6' });
    await user.usage.append({ provider: 'glm', model: 'glm-4.6', usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningTokens: 0, totalTokens: 15 }, costUsd: 0.001, continuationId });
    expect(storage.status()).toMatchObject({ state: 'degraded', journalBacklog: 12 });
    expect(await turns(truth.forUser(userId), continuationId)).toEqual(expected.slice(0, 4));

    proxy.restore();
    await waitFor(() => storage.status().journalBacklog === 0);
    expect(storage.status()).toMatchObject({ state: 'up', journalBacklog: 0, journalReplayed: 12 });
    const stored = truth.forUser(userId);
    const thread = await stored.conversations.loadThread(continuationId, { maxMessages: 500 });
    expect(thread?.messages.map((message) => message.content)).toEqual(expected);
    expect(new Set(thread?.messages.map((message) => message.idempotencyKey)).size).toBe(expected.length);
    expect(thread?.conversation.metadata).toEqual({ during: 'outage' });
    expect(await stored.toolCalls.list()).toEqual([expect.objectContaining({ id: callId, status: 'success', durationMs: 42 })]);
    expect(await stored.usage.list()).toHaveLength(1);
    expect(await turns(user, continuationId)).toEqual(expected);
  });

  it('loses nothing when the connection is reset while a write is in flight', async () => {
    const { proxy, storage } = await startProcess();
    const userId = randomUUID();
    const user = storage.forUser(userId);
    const continuationId = `in-flight-${randomUUID()}`;
    await user.conversations.create({ continuationId });
    const expected = Array.from({ length: 30 }, (_, index) => `turn ${index + 1}`);
    for (const [index, content] of expected.entries()) {
      const written = user.conversations.appendMessage(continuationId, { role: 'user', content });
      // Cut just after turn 11 is sent (its answer may be lost after the commit); restore before turn 21.
      if (index === 10) setImmediate(() => proxy.cut());
      if (index === 20) proxy.restore();
      await written;
    }
    await waitFor(() => storage.status().journalBacklog === 0);
    const thread = await truth.forUser(userId).conversations.loadThread(continuationId, { maxMessages: 500 });
    expect(thread?.messages.map((message) => message.content)).toEqual(expected);
    expect(storage.status().journalReplayed).toBeGreaterThanOrEqual(10);
  });

  it('replays the journal of a process that crashed during the outage, from a new process started while the database is still away', async () => {
    const first = await startProcess();
    const userId = randomUUID();
    const continuationId = `crash-${randomUUID()}`;
    const expected: string[] = [];
    const write = async (user: UserStorage, content: string): Promise<void> => {
      expected.push(content);
      await user.conversations.appendMessage(continuationId, { role: expected.length % 2 ? 'user' : 'assistant', content });
    };
    const before = first.storage.forUser(userId);
    await before.conversations.create({ continuationId, tool: 'chat' });
    await write(before, 'before 1');
    await write(before, 'before 2');
    first.proxy.cut();
    for (let turn = 1; turn <= 5; turn++) await write(before, `during ${turn}`);
    expect(first.storage.status().journalBacklog).toBe(5);
    // The crash: the first process never closes, never replays, and never reaches the database
    // again (its proxy stays cut).

    const second = await startProcess();
    second.proxy.cut();
    const after = second.storage.forUser(userId);
    expect(second.storage.status()).toMatchObject({ state: 'degraded', journalBacklog: 5 });
    // The new process knows the thread from the journal: the outage's turns, older ones left out.
    const during = await after.conversations.loadThread(continuationId);
    expect(during?.messages.map((message) => message.content)).toEqual(expected.slice(2));
    expect(during?.truncated).toBe(true);
    for (let turn = 1; turn <= 3; turn++) await write(after, `after restart ${turn}`);

    second.proxy.restore();
    await waitFor(() => second.storage.status().journalBacklog === 0);
    expect(second.storage.status()).toMatchObject({ state: 'up', journalReplayed: 8 });
    const thread = await truth.forUser(userId).conversations.loadThread(continuationId, { maxMessages: 500 });
    expect(thread?.messages.map((message) => message.content)).toEqual(expected);
    expect(new Set(thread?.messages.map((message) => message.idempotencyKey)).size).toBe(expected.length);
    expect(await turns(after, continuationId)).toEqual(expected);
  });
});
