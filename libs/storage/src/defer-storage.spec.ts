import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { deferStorage } from './defer-storage.js';
import { createMemoryStorage } from './memory/index.js';
import { StorageConfigError } from './storage-errors.js';

describe('deferStorage', () => {
  it('queues calls until the storage has opened, then runs them on it', async () => {
    let open!: (storage: ReturnType<typeof createMemoryStorage>) => void;
    const real = createMemoryStorage();
    const storage = deferStorage(new Promise((resolve) => (open = resolve)), 'memory');
    expect(storage.status()).toMatchObject({ state: 'down', location: 'opening' });
    const userId = randomUUID();
    const user = storage.forUser(userId);
    expect(user.userId).toBe(userId);
    const created = user.conversations.create({ continuationId: 'early' });
    open(real);
    await created;
    expect((await real.forUser(userId).conversations.get('early'))?.continuationId).toBe('early');
    await storage.service.audit.append({ action: 'test', outcome: 'success' });
    expect(await storage.service.expireConversations()).toBe(0);
    expect(storage.status()).toMatchObject({ kind: 'memory', state: 'up' });
    await storage.close();
  });

  it('fails every call with the reason the storage could not open', async () => {
    const storage = deferStorage(Promise.reject(new StorageConfigError({ setting: 'DATABASE_URL', message: 'is required' })), 'postgres');
    await expect(storage.forUser(randomUUID()).conversations.list()).rejects.toThrow('DATABASE_URL: is required');
    expect(storage.status()).toMatchObject({ state: 'down', lastError: 'DATABASE_URL: is required' });
    await storage.close();
  });
});
