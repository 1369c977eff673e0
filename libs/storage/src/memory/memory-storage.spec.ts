import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { describeStorageContract } from '../test-support/storage-contract.js';
import { InvalidStorageInputError, QuotaExceededError, StorageNotFoundError } from '../storage-errors.js';
import { createMemoryStorage } from './memory-storage.js';

describeStorageContract('memory', async () => {
  const storage = createMemoryStorage();
  return { storage, cleanup: () => storage.close() };
});

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('memory storage', () => {
  it('returns copies: changing an answer changes nothing stored', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    const created = await user.conversations.create({ continuationId: 'copies', metadata: { a: 1 } });
    created.metadata['a'] = 2;
    created.title = 'changed';
    const message = await user.conversations.appendMessage('copies', { role: 'user', content: 'x', files: ['a'] });
    message.files.push('b');
    const thread = await user.conversations.loadThread('copies');
    expect(thread?.conversation).toMatchObject({ metadata: { a: 1 }, title: undefined });
    expect(thread?.messages[0]?.files).toEqual(['a']);
    const bytes = bytesOf('content');
    const { file } = await user.files.put({ filename: 'a.txt', bytes });
    bytes[0] = 0;
    const read = await user.files.read(file.id);
    read[1] = 0;
    expect(Buffer.from(await user.files.read(file.id)).toString()).toBe('content');
  });

  it('normalises user ids to lower case, as PostgreSQL prints a uuid', async () => {
    const storage = createMemoryStorage();
    const id = randomUUID();
    const user = storage.forUser(id.toUpperCase());
    expect(user.userId).toBe(id);
    expect((await user.conversations.create({ continuationId: 'case' })).ownerId).toBe(id);
    expect(await storage.forUser(id).conversations.get('case')).toBeDefined();
  });

  it('refuses a continuation id, idempotency key or workflow key another user holds, without revealing their row', async () => {
    const storage = createMemoryStorage();
    const alice = storage.forUser(randomUUID());
    const bob = storage.forUser(randomUUID());
    await alice.conversations.create({ continuationId: 'taken' });
    await alice.conversations.appendMessage('taken', { role: 'user', content: 'x', idempotencyKey: 'key-1' });
    await bob.conversations.create({ continuationId: 'bobs' });
    await expect(bob.conversations.create({ continuationId: 'taken' })).rejects.toBeInstanceOf(InvalidStorageInputError);
    await expect(bob.conversations.appendMessage('bobs', { role: 'user', content: 'y', idempotencyKey: 'key-1' })).rejects.toBeInstanceOf(InvalidStorageInputError);
    // A session id another user opened is left alone (`on conflict do nothing`), and stays theirs.
    await alice.sessions.open({ id: 's-1', transport: 'stdio' });
    await bob.sessions.open({ id: 's-1', transport: 'websocket' });
    expect(await bob.sessions.list()).toEqual([]);
    expect((await alice.sessions.list())[0]?.transport).toBe('stdio');
    await expect(bob.workflows.put('taken', 'debug', { stepNumber: 1, state: {} })).resolves.toMatchObject({ ownerId: bob.userId });
    await expect(alice.workflows.put('taken', 'debug', { stepNumber: 1, state: {} })).rejects.toBeInstanceOf(InvalidStorageInputError);
  });

  it('refuses to link another user’s file, or a file to another user’s thread', async () => {
    const storage = createMemoryStorage();
    const alice = storage.forUser(randomUUID());
    const bob = storage.forUser(randomUUID());
    await alice.conversations.create({ continuationId: 'a-thread' });
    await bob.conversations.create({ continuationId: 'b-thread' });
    const { file } = await alice.files.put({ filename: 'a.txt', bytes: bytesOf('a') });
    await expect(bob.conversations.attachFile('b-thread', file.id)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(bob.conversations.attachFile('a-thread', file.id)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(bob.files.mapExternalId('/x', 'path', file.id)).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(bob.uploads.record({ sha256: file.sha256, provider: 'glm', providerFileId: 'f-1', fileId: file.id })).rejects.toBeInstanceOf(StorageNotFoundError);
    expect(await bob.conversations.listFiles('a-thread')).toEqual([]);
  });

  it('deleting a thread removes its turns and links, frees their keys and clears branches’ parent', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    await user.conversations.create({ continuationId: 'parent' });
    await user.conversations.create({ continuationId: 'child', parentContinuationId: 'parent' });
    await user.conversations.appendMessage('parent', { role: 'user', content: 'x', idempotencyKey: 'k' });
    expect(await user.conversations.delete('parent')).toBe(true);
    expect((await user.conversations.get('child'))?.parentContinuationId).toBeUndefined();
    await user.conversations.create({ continuationId: 'parent' });
    const again = await user.conversations.appendMessage('parent', { role: 'user', content: 'new', idempotencyKey: 'k' });
    expect(again.content).toBe('new');
  });

  it('orders turns by their createdAt, then by insertion', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    await user.conversations.create({ continuationId: 't' });
    const at = Date.now();
    await user.conversations.appendMessage('t', { role: 'user', content: 'second', createdAt: new Date(at + 10) });
    await user.conversations.appendMessage('t', { role: 'user', content: 'first', createdAt: new Date(at) });
    await user.conversations.appendMessage('t', { role: 'user', content: 'third', createdAt: new Date(at + 10) });
    expect((await user.conversations.loadThread('t'))?.messages.map((message) => message.content)).toEqual(['first', 'second', 'third']);
  });

  it('deleting a file gives its quota back and unlinks uploads, mappings and thread links', async () => {
    const storage = createMemoryStorage();
    const userId = randomUUID();
    const user = storage.forUser(userId);
    await storage.service.setQuota(userId, { storageQuotaBytes: 10 });
    await user.conversations.create({ continuationId: 't' });
    const { file } = await user.files.put({ filename: 'a.bin', bytes: new Uint8Array(8) });
    await user.conversations.attachFile('t', file.id);
    await user.files.mapExternalId('/a.bin', 'path', file.id);
    await expect(user.files.put({ filename: 'b.bin', bytes: new Uint8Array(8).fill(1) })).rejects.toBeInstanceOf(QuotaExceededError);
    expect(await user.files.delete(file.id)).toBe(true);
    expect(await user.conversations.listFiles('t')).toEqual([]);
    expect(await user.files.resolveExternalId('/a.bin', 'path')).toBeUndefined();
    expect((await user.files.put({ filename: 'b.bin', bytes: new Uint8Array(8).fill(1) })).deduplicated).toBe(false);
    expect((await user.quota.get()).storageUsedBytes).toBe(8);
  });

  it('keeps a file’s sanitised name in its path and record, as the SQL adapters do', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    const { file } = await user.files.put({ filename: 'C:\\Users\\me\\my report (final).pdf', bytes: bytesOf('r') });
    expect(file.filename).toBe('C:_Users_me_my report (final).pdf');
    expect(file.path.endsWith(`/${file.sha256}/C:_Users_me_my report (final).pdf`)).toBe(true);
    await expect(user.files.put({ filename: '..', bytes: bytesOf('dots') })).rejects.toMatchObject({ field: 'filename' });
  });

  it('records puts, dedups and deletes as file operations, as the SQL adapters do', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    const { file } = await user.files.put({ filename: 'a.txt', bytes: bytesOf('ops') });
    await user.files.put({ filename: 'b.txt', bytes: bytesOf('ops') });
    await user.files.delete(file.id);
    expect((await user.files.listOperations()).map((operation) => [operation.operation, operation.bytes])).toEqual([
      ['delete', 3],
      ['dedup', 0],
      ['put', 3],
    ]);
  });

  it('refuses a limit or message budget that is not a positive integer', async () => {
    const user = createMemoryStorage().forUser(randomUUID());
    await user.conversations.create({ continuationId: 't' });
    await expect(user.conversations.list({ limit: 0 })).rejects.toMatchObject({ field: 'limit' });
    await expect(user.conversations.loadThread('t', { maxMessages: 1.5 })).rejects.toMatchObject({ field: 'maxMessages' });
  });

  it('sets and clears quota budgets (service scope), validating the user id', async () => {
    const storage = createMemoryStorage();
    const userId = randomUUID();
    expect(await storage.service.setQuota(userId, { monthlyTokenBudget: 1000, monthlyCostBudgetUsd: 5 })).toMatchObject({ monthlyTokenBudget: 1000, monthlyCostBudgetUsd: 5 });
    expect(await storage.service.setQuota(userId, { monthlyTokenBudget: null })).toMatchObject({ monthlyTokenBudget: undefined, monthlyCostBudgetUsd: 5 });
    await expect(storage.service.getQuota('nobody')).rejects.toMatchObject({ field: 'userId' });
  });

  it('expires workflow states past their expiry and those of expired threads', async () => {
    const storage = createMemoryStorage();
    const user = storage.forUser(randomUUID());
    const past = new Date(Date.now() - 1000);
    await user.conversations.create({ continuationId: 'gone', expiresAt: past });
    await user.workflows.put('gone', 'review', { stepNumber: 1, state: {} });
    await user.workflows.put('w', 'debug', { stepNumber: 1, state: {}, expiresAt: past });
    await user.workflows.put('w', 'review', { stepNumber: 1, state: {} });
    expect(await storage.service.expireConversations()).toBe(1);
    expect(await user.workflows.get('w', 'debug')).toBeUndefined();
    expect(await user.workflows.get('gone', 'review')).toBeUndefined();
    expect(await user.workflows.get('w', 'review')).toBeDefined();
  });

  it('reports itself up, in memory', () => {
    expect(createMemoryStorage().status()).toEqual({ kind: 'memory', state: 'up', journalBacklog: 0, journalReplayed: 0, location: 'memory', lastError: undefined });
  });
});
