import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { createStorage } from '@exai/storage';
import { StorageConversationStore } from './storage-conversation-store.js';

describe('StorageConversationStore', () => {
  it('keeps threads in storage, replays the newest turns oldest first, and expires them after the TTL', async () => {
    const storage = await createStorage({ config: { kind: 'memory' } });
    let now = Date.now();
    const store = new StorageConversationStore(storage.forUser(randomUUID()), { ttlMs: 60_000, maxTurns: 3, now: () => now });
    const id = await store.create('chat');
    await store.append(id, { role: 'user', content: 'one', tool: 'chat', at: now }, { role: 'assistant', content: 'two', tool: 'chat', model: 'glm-4.6', at: now + 1 });
    await store.append(id, { role: 'user', content: 'three', tool: 'chat', at: now + 2 }, { role: 'assistant', content: 'four', tool: 'chat', at: now + 3 });
    const turns = await store.load(id);
    expect(turns?.map((turn) => turn.content)).toEqual(['two', 'three', 'four']);
    expect(turns?.[0]).toMatchObject({ role: 'assistant', model: 'glm-4.6', tool: 'chat' });
    expect(await store.load(randomUUID())).toBeUndefined();
    now += 59_000;
    expect(await store.load(id)).toBeDefined();
    now += 2_000;
    expect(await store.load(id)).toBeUndefined();
    expect(store.retention).toContain('in storage');
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
