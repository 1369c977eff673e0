import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Storage, UserStorage } from '../storage.js';
import { StorageNotFoundError, StorageUnavailableError } from '../storage-errors.js';
import { createMemoryStorage } from '../memory/index.js';
import { describeStorageContract } from '../test-support/storage-contract.js';
import { createJournaledStorage, type JournaledStorage, type JournaledStorageOptions } from './journaled-storage.js';
import type { StorageLogger } from './storage-logger.js';

/**
 * A view of a storage whose calls fail with `StorageUnavailableError` while `down` is set, as an
 * adapter's do when its database cannot be reached. With `lostReplies`, calls reach the storage and
 * then fail (the database committed, the answer was lost). Closing the view leaves the storage open,
 * so several views (processes) can share one memory store.
 */
function faultyView(inner: Storage) {
  const switches = { down: false, lostReplies: false, calls: 0 };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property) as unknown;
        if (typeof value === 'function') {
          return async (...args: unknown[]) => {
            switches.calls++;
            if (switches.down) throw new StorageUnavailableError({ message: 'connect ECONNREFUSED 127.0.0.1:5432 (test)' });
            const result = await (value as (...parameters: unknown[]) => Promise<unknown>).apply(object, args);
            if (switches.lostReplies) throw new StorageUnavailableError({ message: 'Connection terminated unexpectedly (test)' });
            return result;
          };
        }
        return typeof value === 'object' && value !== null ? wrap(value) : value;
      },
    });
  const storage: Storage = {
    kind: inner.kind,
    forUser: (userId) => wrap(inner.forUser(userId)),
    service: wrap(inner.service),
    status: () => inner.status(),
    close: () => Promise.resolve(),
  };
  return { storage, switches };
}

/**
 * A view of `inner` whose every call takes `delayMs`, counts how many run at once (`most`), and fails
 * with `StorageUnavailableError` for the users in `refused`.
 */
function slowView(inner: Storage, delayMs: number) {
  const state = { most: 0, running: 0, refused: new Set<string>() };
  const wrap = <T extends object>(target: T, id: string): T =>
    new Proxy(target, {
      get(object, property) {
        const value = Reflect.get(object, property) as unknown;
        if (typeof value === 'function') {
          return async (...args: unknown[]) => {
            state.running++;
            state.most = Math.max(state.most, state.running);
            try {
              await new Promise((resolve) => setTimeout(resolve, delayMs));
              if (state.refused.has(id)) throw new StorageUnavailableError({ message: 'connect ECONNREFUSED (test)' });
              return await (value as (...parameters: unknown[]) => Promise<unknown>).apply(object, args);
            } finally {
              state.running--;
            }
          };
        }
        return typeof value === 'object' && value !== null ? wrap(value, id) : value;
      },
    });
  const storage: Storage = { ...inner, forUser: (id) => wrap(inner.forUser(id), id) };
  return Object.assign(state, { storage });
}

type LogCall = { level: string; object: Record<string, unknown>; message: string };
function captureLogger(): StorageLogger & { calls: LogCall[] } {
  const calls: LogCall[] = [];
  const at = (level: string) => (object: Record<string, unknown>, message: string) => {
    calls.push({ level, object, message });
  };
  return { calls, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const contents = async (user: UserStorage, continuationId: string): Promise<string[]> =>
  ((await user.conversations.loadThread(continuationId, { maxMessages: 1000 }))?.messages ?? []).map((message) => message.content);

const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describeStorageContract('journaled memory', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'exai-journaled-contract-'));
  const storage = await createJournaledStorage(createMemoryStorage(), { dataDir });
  return {
    storage,
    cleanup: async () => {
      await storage.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('journaled storage', () => {
  let dataDir: string;
  let memory: Storage;
  let view: ReturnType<typeof faultyView>;
  let storage: JournaledStorage;
  let logger: ReturnType<typeof captureLogger>;
  const userId = randomUUID();
  const open = (overrides: Partial<JournaledStorageOptions> = {}, inner: Storage = view.storage) =>
    createJournaledStorage(inner, { dataDir, logger, probeIntervalMs: 60_000, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 60_000 }, ...overrides });

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'exai-journaled-'));
    memory = createMemoryStorage();
    view = faultyView(memory);
    logger = captureLogger();
    storage = await open();
  });
  afterEach(async () => {
    view.switches.down = false;
    view.switches.lostReplies = false;
    await storage.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps a conversation going through an outage: turns are journaled, readable, and replayed exactly once, in order', async () => {
    const user = storage.forUser(userId);
    const direct = memory.forUser(userId);
    await user.conversations.create({ continuationId: 'c-1', tool: 'chat' });
    await user.conversations.appendMessage('c-1', { role: 'user', content: 'turn 1' });
    await user.conversations.appendMessage('c-1', { role: 'assistant', content: 'turn 2' });

    view.switches.down = true;
    const written = await user.conversations.appendMessage('c-1', { role: 'user', content: 'turn 3', model: 'glm-4.6' });
    expect(written).toMatchObject({ role: 'user', content: 'turn 3', model: 'glm-4.6', files: [], metadata: {} });
    expect(written.idempotencyKey).toEqual(expect.any(String));
    expect(written.createdAt).toBeInstanceOf(Date);
    for (let turn = 4; turn <= 6; turn++) await user.conversations.appendMessage('c-1', { role: turn % 2 ? 'user' : 'assistant', content: `turn ${turn}` });
    await user.conversations.update('c-1', { title: 'During the outage' });

    expect(storage.status()).toMatchObject({ state: 'degraded', journalBacklog: 5, journalReplayed: 0 });
    expect(storage.status().lastError).toContain('ECONNREFUSED');
    const during = await user.conversations.loadThread('c-1', { maxMessages: 100 });
    expect(during?.messages.map((message) => message.content)).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5', 'turn 6']);
    expect(during?.truncated).toBe(false);
    expect(during?.conversation.title).toBe('During the outage');
    expect((await user.conversations.loadThread('c-1', { maxMessages: 2 }))?.messages.map((message) => message.content)).toEqual(['turn 5', 'turn 6']);
    expect(await contents(direct, 'c-1')).toEqual(['turn 1', 'turn 2']);

    view.switches.down = false;
    expect(await storage.replayNow()).toBe(5);
    expect(await contents(direct, 'c-1')).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5', 'turn 6']);
    expect((await direct.conversations.get('c-1'))?.title).toBe('During the outage');
    expect(storage.status()).toMatchObject({ state: 'up', journalBacklog: 0, journalReplayed: 5 });
    expect(await contents(user, 'c-1')).toHaveLength(6);

    // Down again before the thread was read back: the replayed turns are still in view.
    view.switches.down = true;
    expect(await contents(user, 'c-1')).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5', 'turn 6']);
  });

  it('survives a crash during the outage: a new process on the same data directory shows and replays the journal', async () => {
    const direct = memory.forUser(userId);
    const first = storage.forUser(userId);
    await first.conversations.create({ continuationId: 'c-2' });
    await first.conversations.appendMessage('c-2', { role: 'user', content: 'before' });
    view.switches.down = true;
    await first.conversations.appendMessage('c-2', { role: 'assistant', content: 'during 1' });
    await first.conversations.appendMessage('c-2', { role: 'user', content: 'during 2' });
    await first.conversations.create({ continuationId: 'c-3', title: 'born in the outage' });
    await first.conversations.appendMessage('c-3', { role: 'user', content: 'new thread' });
    await first.usage.append({ provider: 'glm', model: 'glm-4.6', usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, totalTokens: 2 }, costUsd: 0.001 });
    // The crash: this process never closes, never replays, and never reaches the database again
    // (its view stays down). A torn line is what it was writing when it died.
    appendFileSync(join(dataDir, 'journal', 'storage.jsonl'), '{"seq":99,"at":"2026-');
    const crashed = storage;

    const restartedView = faultyView(memory);
    restartedView.switches.down = true;
    const restarted = await open({}, restartedView.storage);
    storage = restarted;
    try {
      const user = restarted.forUser(userId);
      expect(restarted.status()).toMatchObject({ state: 'degraded', journalBacklog: 5 });
      const during = await user.conversations.loadThread('c-2');
      // Only the outage's turns are known to the new process; older ones may exist.
      expect(during?.messages.map((message) => message.content)).toEqual(['during 1', 'during 2']);
      expect(during?.truncated).toBe(true);
      expect((await user.conversations.loadThread('c-3'))?.messages.map((message) => message.content)).toEqual(['new thread']);
      await user.conversations.appendMessage('c-2', { role: 'assistant', content: 'after restart' });

      restartedView.switches.down = false;
      expect(await restarted.replayNow()).toBe(6);
      expect(await contents(direct, 'c-2')).toEqual(['before', 'during 1', 'during 2', 'after restart']);
      expect(await contents(direct, 'c-3')).toEqual(['new thread']);
      expect((await direct.conversations.get('c-3'))?.title).toBe('born in the outage');
      expect(await direct.usage.list()).toHaveLength(1);
      expect(logger.calls.some((call) => call.level === 'warn' && call.message.includes('torn last line'))).toBe(true);
    } finally {
      await crashed.close(); // releases the dead process's file handle; its view is still down, so it replays nothing
    }
    expect(await contents(direct, 'c-2')).toEqual(['before', 'during 1', 'during 2', 'after restart']);
  });

  it('replays idempotently when the database committed but the answer was lost, for every journaled write', async () => {
    const user = storage.forUser(userId);
    const direct = memory.forUser(userId);
    await user.conversations.create({ continuationId: 'c-4' });
    const { file } = await user.files.put({ filename: 'a.txt', bytes: new TextEncoder().encode('a') });
    /** The write reaches the database, its answer is lost, so it is journaled too; then the journal replays it. */
    const committedAndJournaled = async <T>(write: () => Promise<T>): Promise<T> => {
      view.switches.lostReplies = true;
      const answer = await write();
      view.switches.lostReplies = false;
      expect(storage.status().journalBacklog).toBe(1);
      expect(await storage.replayNow()).toBe(1);
      return answer;
    };

    await committedAndJournaled(() => user.conversations.create({ continuationId: 'c-5', title: 'lost reply' }));
    await committedAndJournaled(() => user.conversations.appendMessage('c-4', { role: 'user', content: 'committed twice?' }));
    await committedAndJournaled(() => user.conversations.update('c-4', { metadata: { a: 1 } }));
    await committedAndJournaled(() => user.conversations.attachFile('c-4', file.id));
    await committedAndJournaled(() => user.audit.append({ action: 'files.read', outcome: 'success' }));
    await committedAndJournaled(() => storage.service.audit.append({ action: 'auth.success', outcome: 'success', userId }));
    await committedAndJournaled(() =>
      user.usage.append({ provider: 'kimi', model: 'kimi-k2', usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningTokens: 0, totalTokens: 2 }, costUsd: 0 }),
    );
    const callId = await committedAndJournaled(() => user.toolCalls.start({ tool: 'chat' }));
    await committedAndJournaled(() => user.toolCalls.finish(callId, { status: 'success', durationMs: 5 }));
    await committedAndJournaled(() => user.routingDecisions.append({ mode: 'auto', chosenModel: 'glm-4.6' }));
    await committedAndJournaled(() => user.sessions.open({ id: 'session-1', transport: 'stdio' }));
    await committedAndJournaled(() => user.sessions.seen('session-1'));
    await committedAndJournaled(() => user.workflows.put('c-4', 'debug', { stepNumber: 1, state: { a: 1 } }));
    await committedAndJournaled(() => user.files.recordOperation({ operation: 'get', status: 'ok', fileId: file.id }));
    await committedAndJournaled(() => user.files.mapExternalId('/tmp/a.txt', 'path', file.id));
    const upload = await committedAndJournaled(() => user.uploads.record({ sha256: file.sha256, provider: 'kimi', providerFileId: 'kimi-file-1', fileId: file.id }));
    expect(upload).toMatchObject({ status: 'uploaded', providerFileId: 'kimi-file-1' });
    const used = new Date(Date.now() + 60_000);
    await committedAndJournaled(() => user.uploads.markUsed(upload.id, used));
    await committedAndJournaled(() => user.uploads.setStatus(upload.id, 'deleted'));
    await committedAndJournaled(() => user.sessions.close('session-1'));
    await committedAndJournaled(() => user.workflows.delete('c-4', 'review'));
    await committedAndJournaled(() => user.conversations.delete('c-5'));

    expect(await contents(direct, 'c-4')).toEqual(['committed twice?']);
    expect((await direct.conversations.get('c-4'))?.metadata).toEqual({ a: 1 });
    expect((await direct.conversations.list({ limit: 100 })).map((conversation) => conversation.continuationId)).toEqual(['c-4']);
    expect(await direct.conversations.listFiles('c-4')).toHaveLength(1);
    expect(await direct.audit.list()).toHaveLength(2);
    expect(await direct.usage.list()).toHaveLength(1);
    expect(await direct.toolCalls.list()).toEqual([expect.objectContaining({ id: callId, status: 'success', durationMs: 5 })]);
    expect(await direct.routingDecisions.list()).toHaveLength(1);
    expect(await direct.sessions.list()).toEqual([expect.objectContaining({ id: 'session-1', endedAt: expect.any(Date) })]);
    expect(await direct.workflows.get('c-4', 'debug')).toMatchObject({ stepNumber: 1, state: { a: 1 } });
    expect((await direct.files.listOperations({ fileId: file.id })).filter((operation) => operation.operation === 'get')).toHaveLength(1);
    expect((await direct.files.resolveExternalId('/tmp/a.txt', 'path'))?.id).toBe(file.id);
    expect(await direct.uploads.list()).toEqual([expect.objectContaining({ status: 'deleted', lastUsedAt: used })]);
    expect(storage.status()).toMatchObject({ state: 'up', journalBacklog: 0, journalReplayed: 21 });
  });

  it('points later changes of an upload recorded during the outage at the stored record', async () => {
    const user = storage.forUser(userId);
    const direct = memory.forUser(userId);
    const sha256 = 'b'.repeat(64);
    view.switches.down = true;
    const upload = await user.uploads.record({ sha256, provider: 'glm', providerFileId: 'glm-file-1' });
    expect((await user.uploads.record({ sha256, provider: 'glm', providerFileId: 'glm-file-1' })).id).toBe(upload.id);
    const used = new Date(Date.now() + 60_000);
    await user.uploads.markUsed(upload.id, used);
    view.switches.down = false;
    expect(await storage.replayNow()).toBe(3);
    expect(await direct.uploads.list()).toEqual([expect.objectContaining({ providerFileId: 'glm-file-1', lastUsedAt: used })]);
    // The provisional id keeps working once the record is in the database.
    await user.uploads.setStatus(upload.id, 'expired');
    expect(await direct.uploads.list()).toEqual([expect.objectContaining({ status: 'expired' })]);
  });

  it('queues writes behind the journal until it is replayed, so their order holds', async () => {
    const user = storage.forUser(userId);
    const direct = memory.forUser(userId);
    await user.conversations.create({ continuationId: 'c-6' });
    view.switches.down = true;
    await user.conversations.appendMessage('c-6', { role: 'user', content: 'first' });
    view.switches.down = false;
    await user.conversations.appendMessage('c-6', { role: 'user', content: 'second' });
    expect(storage.status().journalBacklog).toBe(2);
    expect(await contents(direct, 'c-6')).toEqual([]);
    expect(await contents(user, 'c-6')).toEqual(['first', 'second']);
    expect(await storage.replayNow()).toBe(2);
    expect(await contents(direct, 'c-6')).toEqual(['first', 'second']);
    await user.conversations.appendMessage('c-6', { role: 'user', content: 'third' });
    expect(storage.status().journalBacklog).toBe(0);
    expect(await contents(direct, 'c-6')).toEqual(['first', 'second', 'third']);
  });

  it('replays in the background once the database answers again', async () => {
    await storage.close();
    storage = await open({ probeIntervalMs: 20, breaker: { consecutiveFailures: 1, halfOpenAfterMs: 20 } });
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-7' });
    view.switches.down = true;
    for (let turn = 1; turn <= 3; turn++) await user.conversations.appendMessage('c-7', { role: 'user', content: `turn ${turn}` });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(storage.status().journalBacklog).toBe(3);
    view.switches.down = false;
    await waitFor(() => logger.calls.some((call) => call.message.includes('journal empty')));
    expect(await contents(memory.forUser(userId), 'c-7')).toEqual(['turn 1', 'turn 2', 'turn 3']);
    expect(storage.status()).toMatchObject({ state: 'up', journalReplayed: 3 });
    expect(logger.calls.filter((call) => call.level === 'warn' && call.message.includes('writes go to the journal'))).toHaveLength(1);
    expect(logger.calls.find((call) => call.level === 'info' && call.message.includes('journal replayed'))?.object).toMatchObject({ replayed: 3, backlog: 0 });
  });

  it('opens the breaker after consecutive unavailability and then stops calling the database', async () => {
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-8' });
    view.switches.down = true;
    await user.conversations.appendMessage('c-8', { role: 'user', content: '1' });
    await user.conversations.loadThread('c-8');
    const calls = view.switches.calls;
    await user.conversations.appendMessage('c-8', { role: 'user', content: '2' });
    await user.conversations.loadThread('c-8');
    await user.audit.list().catch(() => undefined);
    expect(view.switches.calls).toBe(calls);
    expect(storage.status().state).toBe('degraded');
    // The open breaker does not hide why: the database's own error is reported.
    expect(storage.status().lastError).toContain('ECONNREFUSED');
    await expect(user.usage.list()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('passes the caller’s own errors through, neither journaling nor counting them', async () => {
    const user = storage.forUser(userId);
    for (let attempt = 0; attempt < 3; attempt++) {
      await expect(user.conversations.appendMessage('nowhere', { role: 'user', content: 'x' })).rejects.toBeInstanceOf(StorageNotFoundError);
    }
    expect(storage.status()).toMatchObject({ state: 'up', journalBacklog: 0 });
    await user.conversations.create({ continuationId: 'c-9' });
    expect(view.switches.calls).toBe(4);
  });

  it('refuses a turn for a thread it knows is gone, even while the database is away', async () => {
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-10' });
    view.switches.down = true;
    expect(await user.conversations.delete('c-10')).toBe(true);
    await expect(user.conversations.appendMessage('c-10', { role: 'user', content: 'x' })).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await user.conversations.loadThread('c-10')).toBeUndefined();
    expect(await user.conversations.get('c-10')).toBeUndefined();
  });

  it('sets aside a journaled write the database refuses for good, and replays the rest', async () => {
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-11' });
    view.switches.down = true;
    await user.conversations.appendMessage('never-read', { role: 'user', content: 'orphan' });
    await user.conversations.appendMessage('c-11', { role: 'user', content: 'kept' });
    view.switches.down = false;
    expect(await storage.replayNow()).toBe(1);
    expect(storage.status().journalBacklog).toBe(0);
    expect(await contents(memory.forUser(userId), 'c-11')).toEqual(['kept']);
    const rejected = readFileSync(join(dataDir, 'journal', 'rejected.jsonl'), 'utf8');
    expect(rejected).toContain('orphan');
    expect(logger.calls.some((call) => call.level === 'error' && call.message.includes('refused a journaled write'))).toBe(true);
  });

  it("replays several users' writes at once, each user's in order, and acknowledges only what is done", async () => {
    // A database where each call takes 10 ms (one write at a time, 8 users × 6 turns take ~500 ms),
    // and where the users in `refused` cannot be reached.
    const slow = slowView(view.storage, 10);
    const { refused } = slow;
    await storage.close();
    storage = await open({}, slow.storage);
    const users = Array.from({ length: 8 }, () => randomUUID());
    for (const id of users) await storage.forUser(id).conversations.create({ continuationId: `c-${id}` });
    view.switches.down = true;
    for (let turn = 1; turn <= 6; turn++) {
      await Promise.all(users.map((id) => storage.forUser(id).conversations.appendMessage(`c-${id}`, { role: turn % 2 ? 'user' : 'assistant', content: `turn ${turn}` })));
    }
    expect(storage.status().journalBacklog).toBe(48);
    view.switches.down = false;
    slow.most = 0;
    const started = Date.now();
    expect(await storage.replayNow()).toBe(48);
    expect(slow.most).toBeGreaterThan(1);
    expect(Date.now() - started).toBeLessThan(400);
    for (const id of users) expect(await contents(memory.forUser(id), `c-${id}`)).toEqual(['turn 1', 'turn 2', 'turn 3', 'turn 4', 'turn 5', 'turn 6']);
    expect(storage.status()).toMatchObject({ state: 'up', journalBacklog: 0, journalReplayed: 48 });

    // A user still unreachable stops only its own writes: the journal keeps everything from its
    // first entry on, and what another user got replayed past it is replayed again, harmlessly.
    const [probe, blocked, other] = users as [string, string, string];
    view.switches.down = true;
    for (const id of [probe, blocked, other]) await storage.forUser(id).conversations.appendMessage(`c-${id}`, { role: 'user', content: `late ${id}` });
    view.switches.down = false;
    refused.add(blocked);
    expect(await storage.replayNow()).toBe(1);
    expect(storage.status().journalBacklog).toBe(2);
    expect((await contents(memory.forUser(other), `c-${other}`)).filter((text) => text.startsWith('late'))).toEqual([`late ${other}`]);
    refused.delete(blocked);
    await storage.replayNow();
    expect(storage.status().journalBacklog).toBe(0);
    for (const id of [probe, blocked, other]) expect((await contents(memory.forUser(id), `c-${id}`)).filter((text) => text.startsWith('late'))).toEqual([`late ${id}`]);
  });

  it('makes writes wait for the replay while the database answers but the journal outgrows it, never during an outage', async () => {
    const slow = slowView(view.storage, 5);
    await storage.close();
    storage = await open({ backpressureBacklog: 10, probeIntervalMs: 20, breaker: { consecutiveFailures: 2, halfOpenAfterMs: 20 } }, slow.storage);
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-bp' });
    // The outage: 30 writes journaled at once, none waits.
    view.switches.down = true;
    const outage = Date.now();
    for (let turn = 1; turn <= 30; turn++) await user.conversations.appendMessage('c-bp', { role: 'user', content: `down ${turn}` });
    expect(Date.now() - outage).toBeLessThan(1000);
    expect(storage.status().journalBacklog).toBe(30);
    // The database answers again, slower than a writer that does not wait: each write now returns
    // only once the backlog is within the limit.
    view.switches.down = false;
    await waitFor(() => storage.status().journalReplayed > 0);
    const seen: number[] = [];
    for (let turn = 1; turn <= 40; turn++) {
      await user.conversations.appendMessage('c-bp', { role: 'user', content: `up ${turn}` });
      seen.push(storage.status().journalBacklog);
    }
    expect(Math.max(...seen)).toBeLessThanOrEqual(10);
    await storage.replayNow();
    const stored = await contents(memory.forUser(userId), 'c-bp');
    expect(stored).toHaveLength(70);
    expect(stored.slice(28, 32)).toEqual(['down 29', 'down 30', 'up 1', 'up 2']);
  });

  it('serves other reads from their last answer while down, and fails those it never answered', async () => {
    const user = storage.forUser(userId);
    await user.toolCalls.start({ tool: 'chat' });
    expect(await user.toolCalls.list()).toHaveLength(1);
    await user.workflows.put('c-12', 'debug', { stepNumber: 1, state: {} });
    view.switches.down = true;
    expect(await user.toolCalls.list()).toHaveLength(1);
    expect(await user.workflows.get('c-12', 'debug')).toMatchObject({ stepNumber: 1 });
    await user.workflows.put('c-12', 'debug', { stepNumber: 2, state: { b: 2 } });
    expect(await user.workflows.get('c-12', 'debug')).toMatchObject({ stepNumber: 2, state: { b: 2 } });
    await expect(user.usage.list()).rejects.toBeInstanceOf(StorageUnavailableError);
    await expect(user.conversations.loadThread('never-seen')).rejects.toBeInstanceOf(StorageUnavailableError);
  });

  it('refuses file contents while down, with a clear message, and drops metrics with a warning', async () => {
    const user = storage.forUser(userId);
    view.switches.down = true;
    const error = await user.files.put({ filename: 'a.txt', bytes: new Uint8Array(1) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageUnavailableError);
    expect((error as Error).message).toMatch(/cannot be reached.*file contents are not journaled/);
    await expect(storage.service.recordMetrics([{ name: 'exai_test', value: 1 }])).resolves.toBeUndefined();
    expect(logger.calls.some((call) => call.level === 'warn' && call.message.includes('metric samples dropped'))).toBe(true);
    expect(storage.status().journalBacklog).toBe(0);
  });

  it('lists threads created, changed and deleted during the outage', async () => {
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'old' });
    await user.conversations.create({ continuationId: 'doomed' });
    expect((await user.conversations.list()).map((conversation) => conversation.continuationId).sort()).toEqual(['doomed', 'old']);
    view.switches.down = true;
    await user.conversations.create({ continuationId: 'new' });
    await user.conversations.delete('doomed');
    await user.conversations.appendMessage('old', { role: 'user', content: 'bump' });
    expect((await user.conversations.list()).map((conversation) => conversation.continuationId)).toEqual(['old', 'new']);
    view.switches.down = false;
    expect((await user.conversations.list()).map((conversation) => conversation.continuationId)).toEqual(['old', 'new']);
  });

  it('tries a last replay when closed', async () => {
    const user = storage.forUser(userId);
    await user.conversations.create({ continuationId: 'c-13' });
    view.switches.down = true;
    await user.conversations.appendMessage('c-13', { role: 'user', content: 'flushed on close' });
    view.switches.down = false;
    await storage.close();
    expect(await contents(memory.forUser(userId), 'c-13')).toEqual(['flushed on close']);
    expect(readFileSync(join(dataDir, 'journal', 'storage.jsonl'), 'utf8')).toBe('');
    await expect(storage.forUser(userId).conversations.get('c-13')).rejects.toBeInstanceOf(StorageUnavailableError);
    expect(existsSync(join(dataDir, 'journal'))).toBe(true);
  });
});
