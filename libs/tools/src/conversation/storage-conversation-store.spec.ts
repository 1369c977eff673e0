import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createStorage } from '@exai/storage';
import { ConversationFullError } from './conversation-store.js';
import { StorageConversationStore } from './storage-conversation-store.js';

describe('StorageConversationStore', () => {
  it('keeps threads in storage, oldest turn first, and expires them after the TTL', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    let now = Date.now();
    const store = new StorageConversationStore(storage.forUser(randomUUID()), { ttlMs: 60_000, now: () => now });
    const id = await store.create('chat');
    await store.append(id, { role: 'user', content: 'one', tool: 'chat', at: now }, { role: 'assistant', content: 'two', tool: 'chat', model: 'glm-4.6', at: now + 1 });
    await store.append(id, { role: 'user', content: 'three', tool: 'chat', at: now + 2 }, { role: 'assistant', content: 'four', tool: 'chat', at: now + 3 });
    const turns = await store.load(id);
    expect(turns?.map((turn) => turn.content)).toEqual(['one', 'two', 'three', 'four']);
    expect(turns?.[1]).toMatchObject({ role: 'assistant', model: 'glm-4.6', tool: 'chat' });
    expect(await store.load(randomUUID())).toBeUndefined();
    now += 59_000;
    expect(await store.load(id)).toBeDefined();
    now += 2_000;
    expect(await store.load(id)).toBeUndefined();
    expect(store.retention).toContain('hours after the last turn, in storage');
    await storage.close();
  });

  it('starts a thread with its first turns, which live for the TTL from their writing; more than maxTurns are refused', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    let now = Date.now();
    const user = storage.forUser(randomUUID());
    const store = new StorageConversationStore(user, { ttlMs: 60_000, maxTurns: 2, now: () => now });
    const id = await store.create('chat', { role: 'user', content: 'q', tool: 'chat', at: now }, { role: 'assistant', content: 'a', tool: 'chat', model: 'glm-4.6', provider: 'glm', at: now });
    expect((await store.load(id))?.map((turn) => [turn.role, turn.content, turn.model])).toEqual([
      ['user', 'q', undefined],
      ['assistant', 'a', 'glm-4.6'],
    ]);
    expect((await user.conversations.get(id))?.tool).toBe('chat');
    now += 61_000;
    expect(await store.load(id)).toBeUndefined();
    const three = [1, 2, 3].map((at) => ({ role: 'user' as const, content: String(at), tool: 'chat', at }));
    await expect(store.create('chat', ...three)).rejects.toBeInstanceOf(ConversationFullError);
    expect(await user.conversations.list()).toHaveLength(1);
    await storage.close();
  });

  it('restarts the TTL at every turn', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    let now = Date.now();
    const store = new StorageConversationStore(storage.forUser(randomUUID()), { ttlMs: 60_000, now: () => now });
    const id = await store.create('chat');
    now += 50_000;
    await store.append(id, { role: 'user', content: 'later', tool: 'chat', at: now });
    now += 50_000;
    expect(await store.load(id)).toHaveLength(1);
    now += 11_000;
    expect(await store.load(id)).toBeUndefined();
    await storage.close();
  });

  it('persists each turn’s tool, model, provider, files and images; the thread keeps the tool that started it', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    const user = storage.forUser(randomUUID());
    const store = new StorageConversationStore(user);
    const id = await store.create('thinkdeep');
    const at = Date.now();
    await store.append(
      id,
      { role: 'user', content: 'look', tool: 'thinkdeep', files: ['/w/a.ts', '/w/b.ts'], images: ['/w/shot.png'], at },
      { role: 'assistant', content: 'seen', tool: 'thinkdeep', model: 'kimi-k2-0905-preview', provider: 'kimi', at },
    );
    await store.append(id, { role: 'user', content: 'more', tool: 'chat', at: at + 1 }, { role: 'assistant', content: 'ok', tool: 'chat', model: 'glm-4.6', provider: 'glm', at: at + 1 });
    expect(await store.load(id)).toEqual([
      { role: 'user', content: 'look', tool: 'thinkdeep', files: ['/w/a.ts', '/w/b.ts'], images: ['/w/shot.png'], at },
      { role: 'assistant', content: 'seen', tool: 'thinkdeep', model: 'kimi-k2-0905-preview', provider: 'kimi', at },
      { role: 'user', content: 'more', tool: 'chat', at: at + 1 },
      { role: 'assistant', content: 'ok', tool: 'chat', model: 'glm-4.6', provider: 'glm', at: at + 1 },
    ]);
    expect((await user.conversations.get(id))?.tool).toBe('thinkdeep');
    await storage.close();
  });

  it('refuses turns past MAX_CONVERSATION_TURNS, naming it', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    const store = new StorageConversationStore(storage.forUser(randomUUID()), { maxTurns: 4 });
    expect(new StorageConversationStore(storage.forUser(randomUUID())).maxTurns).toBe(50);
    const id = await store.create('chat');
    const at = Date.now();
    for (let exchange = 0; exchange < 2; exchange++) {
      await store.append(id, { role: 'user', content: `q${exchange}`, tool: 'chat', at }, { role: 'assistant', content: `a${exchange}`, tool: 'chat', at });
    }
    const error = await store.append(id, { role: 'user', content: 'one more', tool: 'chat', at }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConversationFullError);
    expect((error as Error).message).toContain('limit of 4 turns (2 exchanges; MAX_CONVERSATION_TURNS)');
    expect((error as Error).message).toContain('without continuation_id');
    expect(await store.load(id)).toHaveLength(4);
    await storage.close();
  });

  it('never shows one user’s thread to another', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    const alice = new StorageConversationStore(storage.forUser(randomUUID()));
    const bob = new StorageConversationStore(storage.forUser(randomUUID()));
    const id = await alice.create('chat');
    await alice.append(id, { role: 'user', content: 'secret', tool: 'chat', at: Date.now() });
    expect(await bob.load(id)).toBeUndefined();
    await storage.close();
  });
});
