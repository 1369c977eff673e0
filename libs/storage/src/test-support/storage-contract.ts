import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import type { Storage, UserStorage } from '../storage.js';
import { DEFAULT_STORAGE_QUOTA_BYTES, MAX_OBJECT_BYTES, type TokenUsage } from '../storage-records.js';
import { FileTooLargeError, InvalidStorageInputError, QuotaExceededError, StorageNotFoundError } from '../storage-errors.js';

/** What a contract run needs: a storage, and how to dispose of it. */
export interface ContractSubject {
  storage: Storage;
  cleanup: () => Promise<void>;
}

const usage = (input: number, output: number): TokenUsage => ({
  inputTokens: input,
  cachedInputTokens: 0,
  outputTokens: output,
  reasoningTokens: 0,
  totalTokens: input + output,
});
const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const errorOf = async (promise: Promise<unknown>): Promise<unknown> => promise.then(
  () => undefined,
  (error: unknown) => error,
);

/**
 * The behaviour every adapter (`memory`, `pglite`, `postgres`, `supabase`, and the journaled wrapper
 * over any of them) must show through the `Storage` interface. Each adapter's spec calls it once.
 * Users are fresh UUIDs per run, so a shared database never leaks state between runs.
 */
export function describeStorageContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`${name}: storage contract`, () => {
    let subject: ContractSubject;
    let storage: Storage;
    let alice: UserStorage;
    let bob: UserStorage;
    const aliceId = randomUUID();
    const bobId = randomUUID();
    const thread = (label: string): string => `${label}-${randomUUID()}`;

    beforeAll(async () => {
      subject = await open();
      storage = subject.storage;
      alice = storage.forUser(aliceId);
      bob = storage.forUser(bobId);
    });
    afterAll(async () => {
      await subject?.cleanup();
    });

    describe('conversations and messages', () => {
      it('creates a thread idempotently and finds it by continuation id', async () => {
        const id = thread('create');
        const created = await alice.conversations.create({ continuationId: id, tool: 'chat', title: 'First', metadata: { a: 1 } });
        expect(created).toMatchObject({ continuationId: id, ownerId: aliceId, tool: 'chat', title: 'First', metadata: { a: 1 } });
        expect(created.createdAt).toBeInstanceOf(Date);
        const again = await alice.conversations.create({ continuationId: id, tool: 'other' });
        expect(again.id).toBe(created.id);
        expect(again.tool).toBe('chat');
        expect((await alice.conversations.get(id))?.id).toBe(created.id);
        expect(await alice.conversations.get(thread('missing'))).toBeUndefined();
      });

      it('appends turns idempotently and loads them oldest first, bumping updatedAt', async () => {
        const id = thread('append');
        const created = await alice.conversations.create({ continuationId: id, tool: 'chat' });
        const first = await alice.conversations.appendMessage(id, { role: 'user', content: 'hello', idempotencyKey: `${id}-1`, files: ['/tmp/a.ts'] });
        const repeat = await alice.conversations.appendMessage(id, { role: 'user', content: 'hello', idempotencyKey: `${id}-1` });
        expect(repeat.id).toBe(first.id);
        await alice.conversations.appendMessage(id, {
          role: 'assistant',
          content: 'hi there',
          provider: 'glm',
          model: 'glm-4.6',
          usage: usage(10, 5),
          tool: 'chat',
          metadata: { costUsd: 0.001 },
        });
        const loaded = await alice.conversations.loadThread(id);
        expect(loaded?.conversation.id).toBe(created.id);
        expect(loaded?.truncated).toBe(false);
        expect(loaded?.messages.map((message) => [message.role, message.content])).toEqual([
          ['user', 'hello'],
          ['assistant', 'hi there'],
        ]);
        expect(loaded?.messages[0]?.files).toEqual(['/tmp/a.ts']);
        expect(loaded?.messages[1]).toMatchObject({ provider: 'glm', model: 'glm-4.6', usage: usage(10, 5), tool: 'chat', metadata: { costUsd: 0.001 } });
        const after = await alice.conversations.get(id);
        expect(after!.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
      });

      it('keeps the order of turns written in quick succession', async () => {
        const id = thread('order');
        await alice.conversations.create({ continuationId: id });
        for (let index = 0; index < 12; index++) await alice.conversations.appendMessage(id, { role: index % 2 ? 'assistant' : 'user', content: `turn ${index}` });
        const loaded = await alice.conversations.loadThread(id);
        expect(loaded?.messages.map((message) => message.content)).toEqual(Array.from({ length: 12 }, (_, index) => `turn ${index}`));
      });

      it('loads the newest turns within the message and character budgets, the newest always', async () => {
        const id = thread('budget');
        await alice.conversations.create({ continuationId: id });
        for (let index = 0; index < 8; index++) await alice.conversations.appendMessage(id, { role: 'user', content: `${index}`.repeat(10) });
        const lastFive = await alice.conversations.loadThread(id, { maxMessages: 5 });
        expect(lastFive?.messages.map((message) => message.content[0])).toEqual(['3', '4', '5', '6', '7']);
        expect(lastFive?.truncated).toBe(true);
        const byChars = await alice.conversations.loadThread(id, { maxChars: 25 });
        expect(byChars?.messages.map((message) => message.content[0])).toEqual(['6', '7']);
        expect(byChars?.truncated).toBe(true);
        const newestOnly = await alice.conversations.loadThread(id, { maxChars: 1 });
        expect(newestOnly?.messages.map((message) => message.content[0])).toEqual(['7']);
        const all = await alice.conversations.loadThread(id, { maxMessages: 100 });
        expect(all?.messages).toHaveLength(8);
        expect(all?.truncated).toBe(false);
      });

      it('refuses a turn for an unknown thread with StorageNotFoundError', async () => {
        const error = await errorOf(alice.conversations.appendMessage(thread('nowhere'), { role: 'user', content: 'x' }));
        expect(StorageNotFoundError.isInstance(error)).toBe(true);
      });

      it('lists, updates and deletes a user’s threads, most recent first', async () => {
        const older = thread('list-old');
        const newer = thread('list-new');
        await alice.conversations.create({ continuationId: older, tool: 'debug' });
        await new Promise((resolve) => setTimeout(resolve, 5));
        await alice.conversations.create({ continuationId: newer, tool: 'chat' });
        const listed = await alice.conversations.list({ limit: 500 });
        const ids = listed.map((conversation) => conversation.continuationId);
        expect(ids.indexOf(newer)).toBeLessThan(ids.indexOf(older));
        expect((await alice.conversations.list({ tool: 'debug', limit: 500 })).map((conversation) => conversation.continuationId)).toContain(older);
        expect((await alice.conversations.list({ tool: 'debug', limit: 500 })).map((conversation) => conversation.continuationId)).not.toContain(newer);

        expect(await alice.conversations.update(older, { title: 'Renamed', metadata: { pinned: true } })).toBe(true);
        expect(await alice.conversations.get(older)).toMatchObject({ title: 'Renamed', metadata: { pinned: true } });
        expect(await alice.conversations.update(thread('ghost'), { title: 'x' })).toBe(false);

        await alice.conversations.appendMessage(older, { role: 'user', content: 'bye' });
        expect(await alice.conversations.delete(older)).toBe(true);
        expect(await alice.conversations.get(older)).toBeUndefined();
        expect(await alice.conversations.loadThread(older)).toBeUndefined();
        expect(await alice.conversations.delete(older)).toBe(false);
      });

      it('records a branch’s parent', async () => {
        const parent = thread('parent');
        const child = thread('child');
        await alice.conversations.create({ continuationId: parent });
        const created = await alice.conversations.create({ continuationId: child, parentContinuationId: parent });
        expect(created.parentContinuationId).toBe(parent);
        expect((await alice.conversations.get(child))?.parentContinuationId).toBe(parent);
      });

      it('never shows, changes or extends another user’s thread', async () => {
        const id = thread('private');
        await alice.conversations.create({ continuationId: id });
        await alice.conversations.appendMessage(id, { role: 'user', content: 'secret' });
        expect(await bob.conversations.get(id)).toBeUndefined();
        expect(await bob.conversations.loadThread(id)).toBeUndefined();
        expect((await bob.conversations.list({ limit: 500 })).map((conversation) => conversation.continuationId)).not.toContain(id);
        expect(await bob.conversations.update(id, { title: 'mine now' })).toBe(false);
        expect(await bob.conversations.delete(id)).toBe(false);
        const appended = await errorOf(bob.conversations.appendMessage(id, { role: 'user', content: 'intrusion' }));
        expect(appended).toBeDefined();
        const loaded = await alice.conversations.loadThread(id);
        expect(loaded?.messages.map((message) => message.content)).toEqual(['secret']);
        expect(loaded?.conversation.title).toBeUndefined();
      });

      it('expires threads past their expiry (service scope)', async () => {
        const expired = thread('expired');
        const alive = thread('alive');
        await alice.conversations.create({ continuationId: expired, expiresAt: new Date(Date.now() - 60_000) });
        await alice.conversations.create({ continuationId: alive, expiresAt: new Date(Date.now() + 3_600_000) });
        expect(await storage.service.expireConversations()).toBeGreaterThanOrEqual(1);
        expect(await alice.conversations.get(expired)).toBeUndefined();
        expect(await alice.conversations.get(alive)).toBeDefined();
      });

      it('refuses a user id that is not a UUID, naming userId', () => {
        let error: unknown;
        try {
          storage.forUser('system');
        } catch (caught) {
          error = caught;
        }
        expect(InvalidStorageInputError.isInstance(error)).toBe(true);
        expect((error as InvalidStorageInputError).field).toBe('userId');
      });
    });

    describe('files', () => {
      it('stores bytes under owner/sha[0:2]/sha/filename and reads them back', async () => {
        const bytes = bytesOf(`file body ${randomUUID()}`);
        const hash = sha256(bytes);
        const { file, deduplicated } = await alice.files.put({ filename: 'notes.md', bytes, contentType: 'text/markdown', tags: ['doc'] });
        expect(deduplicated).toBe(false);
        expect(file).toMatchObject({
          ownerId: aliceId,
          bucket: 'user-files',
          path: `${aliceId}/${hash.slice(0, 2)}/${hash}/notes.md`,
          filename: 'notes.md',
          contentType: 'text/markdown',
          sizeBytes: bytes.length,
          sha256: hash,
          tags: ['doc'],
        });
        expect(Buffer.from(await alice.files.read(file.id)).equals(Buffer.from(bytes))).toBe(true);
        expect((await alice.files.get(file.id))?.sha256).toBe(hash);
        expect((await alice.files.findBySha256(hash))?.id).toBe(file.id);
        expect((await alice.files.list({ limit: 500 })).map((listed) => listed.id)).toContain(file.id);
      });

      it('deduplicates identical content per owner and bucket', async () => {
        const bytes = bytesOf(`same ${randomUUID()}`);
        const first = await alice.files.put({ filename: 'a.txt', bytes });
        const second = await alice.files.put({ filename: 'b.txt', bytes });
        expect(second.deduplicated).toBe(true);
        expect(second.file.id).toBe(first.file.id);
        const elsewhere = await alice.files.put({ filename: 'a.txt', bytes, bucket: 'results' });
        expect(elsewhere.deduplicated).toBe(false);
        const bobs = await bob.files.put({ filename: 'a.txt', bytes });
        expect(bobs.deduplicated).toBe(false);
        expect(bobs.file.path.startsWith(`${bobId}/`)).toBe(true);
      });

      it('sanitises filenames so a path never escapes the owner’s folder', async () => {
        const { file } = await alice.files.put({ filename: '../../etc/passwd', bytes: bytesOf(`x ${randomUUID()}`) });
        expect(file.path.startsWith(`${aliceId}/`)).toBe(true);
        expect(file.path.split('/')).toHaveLength(4);
        expect(file.path).not.toContain('..');
        const empty = await errorOf(alice.files.put({ filename: '', bytes: bytesOf('x') }));
        expect(InvalidStorageInputError.isInstance(empty)).toBe(true);
      });

      it('checks the quota before writing, and writes nothing over it', async () => {
        const userId = randomUUID();
        const user = storage.forUser(userId);
        expect((await user.quota.get()).storageQuotaBytes).toBe(DEFAULT_STORAGE_QUOTA_BYTES);
        await storage.service.setQuota(userId, { storageQuotaBytes: 100 });
        await user.files.put({ filename: 'small.txt', bytes: new Uint8Array(60) });
        const error = await errorOf(user.files.put({ filename: 'big.txt', bytes: new Uint8Array(50).fill(1) }));
        expect(QuotaExceededError.isInstance(error)).toBe(true);
        expect(error).toMatchObject({ quotaBytes: 100, usedBytes: 60, requestedBytes: 50 });
        expect((await user.files.list()).map((file) => file.filename)).toEqual(['small.txt']);
        expect(await user.quota.get()).toMatchObject({ storageQuotaBytes: 100, storageUsedBytes: 60 });
        // Identical content costs nothing: dedup comes before the quota.
        expect((await user.files.put({ filename: 'again.txt', bytes: new Uint8Array(60) })).deduplicated).toBe(true);
      });

      it('refuses objects over 100 MB', async () => {
        const error = await errorOf(alice.files.put({ filename: 'huge.bin', bytes: new Uint8Array(MAX_OBJECT_BYTES + 1) }));
        expect(FileTooLargeError.isInstance(error)).toBe(true);
      });

      it('deletes a file and its bytes; another user can neither see nor delete it', async () => {
        const { file } = await alice.files.put({ filename: 'gone.txt', bytes: bytesOf(`gone ${randomUUID()}`) });
        expect(await bob.files.get(file.id)).toBeUndefined();
        expect(StorageNotFoundError.isInstance(await errorOf(bob.files.read(file.id)))).toBe(true);
        expect(await bob.files.delete(file.id)).toBe(false);
        expect(await alice.files.delete(file.id)).toBe(true);
        expect(await alice.files.get(file.id)).toBeUndefined();
        expect(StorageNotFoundError.isInstance(await errorOf(alice.files.read(file.id)))).toBe(true);
        expect(await alice.files.delete(file.id)).toBe(false);
      });

      it('maps external ids to stored files, per user', async () => {
        const { file } = await alice.files.put({ filename: 'mapped.ts', bytes: bytesOf(`mapped ${randomUUID()}`) });
        await alice.files.mapExternalId('/home/alice/mapped.ts', 'path', file.id);
        await alice.files.mapExternalId('/home/alice/mapped.ts', 'path', file.id);
        expect((await alice.files.resolveExternalId('/home/alice/mapped.ts', 'path'))?.id).toBe(file.id);
        expect(await alice.files.resolveExternalId('/home/alice/mapped.ts', 'provider')).toBeUndefined();
        expect(await bob.files.resolveExternalId('/home/alice/mapped.ts', 'path')).toBeUndefined();
      });

      it('links files to threads', async () => {
        const id = thread('files');
        await alice.conversations.create({ continuationId: id });
        const { file } = await alice.files.put({ filename: 'linked.txt', bytes: bytesOf(`linked ${randomUUID()}`) });
        await alice.conversations.attachFile(id, file.id);
        await alice.conversations.attachFile(id, file.id);
        expect((await alice.conversations.listFiles(id)).map((listed) => listed.id)).toEqual([file.id]);
      });

      it('records file operations', async () => {
        const { file } = await alice.files.put({ filename: 'ops.txt', bytes: bytesOf(`ops ${randomUUID()}`) });
        await alice.files.recordOperation({ operation: 'provider_upload', status: 'ok', fileId: file.id, provider: 'kimi', bytes: 10, durationMs: 5 });
        const operations = await alice.files.listOperations({ fileId: file.id });
        expect(operations.map((operation) => operation.operation)).toContain('provider_upload');
        expect(operations.find((operation) => operation.operation === 'provider_upload')).toMatchObject({ provider: 'kimi', status: 'ok', bytes: 10 });
      });
    });

    describe('provider uploads', () => {
      it('finds a live upload by content hash and provider, to reuse its file id', async () => {
        const { file } = await alice.files.put({ filename: 'up.txt', bytes: bytesOf(`up ${randomUUID()}`) });
        const providerFileId = `file-${randomUUID()}`;
        const recorded = await alice.uploads.record({ sha256: file.sha256, provider: 'kimi', providerFileId, fileId: file.id, filename: 'up.txt', sizeBytes: file.sizeBytes, purpose: 'file-extract' });
        expect(recorded).toMatchObject({ status: 'uploaded', provider: 'kimi', providerFileId, fileId: file.id });
        expect((await alice.uploads.record({ sha256: file.sha256, provider: 'kimi', providerFileId })).id).toBe(recorded.id);
        expect((await alice.uploads.find(file.sha256, 'kimi'))?.providerFileId).toBe(providerFileId);
        expect(await alice.uploads.find(file.sha256, 'glm')).toBeUndefined();
        expect(await bob.uploads.find(file.sha256, 'kimi')).toBeUndefined();

        const used = new Date(Date.now() + 1_000);
        await alice.uploads.markUsed(recorded.id, used);
        expect((await alice.uploads.find(file.sha256, 'kimi'))?.lastUsedAt.getTime()).toBe(used.getTime());
        await alice.uploads.setStatus(recorded.id, 'deleted');
        expect(await alice.uploads.find(file.sha256, 'kimi')).toBeUndefined();
        expect((await alice.uploads.list({ status: 'deleted' })).map((upload) => upload.id)).toContain(recorded.id);
      });

      it('lists orphaned and expired uploads', async () => {
        const userId = randomUUID();
        const user = storage.forUser(userId);
        const { file } = await user.files.put({ filename: 'orphan.txt', bytes: bytesOf(`orphan ${randomUUID()}`) });
        const orphan = await user.uploads.record({ sha256: file.sha256, provider: 'kimi', providerFileId: `file-${randomUUID()}`, fileId: file.id });
        const kept = await user.uploads.record({ sha256: 'a'.repeat(64), provider: 'glm', providerFileId: `file-${randomUUID()}`, expiresAt: new Date(Date.now() - 1_000) });
        await user.files.delete(file.id);
        expect((await user.uploads.listOrphaned('kimi')).map((upload) => upload.id)).toEqual([orphan.id]);
        expect((await user.uploads.listExpired({ provider: 'glm' })).map((upload) => upload.id)).toEqual([kept.id]);
        expect((await user.uploads.listExpired({ unusedSince: new Date(Date.now() + 60_000), provider: 'kimi' })).map((upload) => upload.id)).toEqual([orphan.id]);
        expect(await user.uploads.find('a'.repeat(64), 'glm')).toBeUndefined();
      });
    });

    describe('records', () => {
      it('appends audit entries a user can read but never change; the service sees all', async () => {
        const id = randomUUID();
        await alice.audit.append({ id, action: 'files.delete', outcome: 'success', resource: 'file:1', ip: '127.0.0.1', details: { bytes: 3 } });
        await alice.audit.append({ id, action: 'files.delete', outcome: 'success' });
        await storage.service.audit.append({ action: 'auth.failure', outcome: 'failure', details: { reason: 'expired token' } });
        await storage.service.audit.append({ action: 'auth.success', outcome: 'success', userId: bobId });
        const mine = await alice.audit.list({ action: 'files.delete' });
        expect(mine.filter((entry) => entry.id === id)).toHaveLength(1);
        expect(mine[0]).toMatchObject({ userId: aliceId, resource: 'file:1', ip: '127.0.0.1', details: { bytes: 3 } });
        expect((await bob.audit.list({ action: 'files.delete' })).some((entry) => entry.id === id)).toBe(false);
        expect((await bob.audit.list({ action: 'auth.success' })).length).toBeGreaterThanOrEqual(1);
        const all = await storage.service.audit.list({ action: 'auth.failure', limit: 500 });
        expect(all.some((entry) => entry.userId === undefined && entry.details['reason'] === 'expired token')).toBe(true);
      });

      it('purges audit entries only through the service purge', async () => {
        const before = new Date(Date.now() + 1);
        await storage.service.audit.append({ action: 'purge.me', outcome: 'success', createdAt: new Date(Date.now() - 86_400_000 * 400) });
        expect(await storage.service.purgeAudit(new Date(before.getTime() - 86_400_000 * 365))).toBeGreaterThanOrEqual(1);
        expect(await storage.service.audit.list({ action: 'purge.me' })).toEqual([]);
      });

      it('sums usage per UTC day, per user', async () => {
        const userId = randomUUID();
        const user = storage.forUser(userId);
        const day = new Date('2026-11-20T10:00:00Z');
        const id = randomUUID();
        await user.usage.append({ id, provider: 'glm', model: 'glm-4.6', usage: usage(100, 50), costUsd: 0.01, tool: 'chat', createdAt: day });
        await user.usage.append({ id, provider: 'glm', model: 'glm-4.6', usage: usage(100, 50), costUsd: 0.01, tool: 'chat', createdAt: day });
        await user.usage.append({ provider: 'kimi', model: 'kimi-k2', usage: usage(10, 5), costUsd: 0.002, webSearchCalls: 1, createdAt: new Date('2026-11-20T23:59:00Z') });
        await user.usage.append({ provider: 'kimi', model: 'kimi-k2', usage: usage(1, 1), costUsd: 0.001, createdAt: new Date('2026-11-21T00:01:00Z') });
        const totals = await user.usage.totalsByDay({ since: new Date('2026-11-19T00:00:00Z'), until: new Date('2026-11-22T00:00:00Z') });
        expect(totals.map((total) => total.day)).toEqual(['2026-11-21', '2026-11-20']);
        expect(totals[1]).toMatchObject({ calls: 2, inputTokens: 110, outputTokens: 55, totalTokens: 165 });
        expect(totals[1]!.costUsd).toBeCloseTo(0.012, 8);
        expect(await storage.forUser(randomUUID()).usage.totalsByDay({ since: new Date('2026-11-19T00:00:00Z') })).toEqual([]);
        expect((await user.usage.list({ limit: 10 })).length).toBe(3);
      });

      it('records tool calls and filters them by tool, status and time', async () => {
        const userId = randomUUID();
        const user = storage.forUser(userId);
        const first = await user.toolCalls.start({ tool: 'chat', sessionId: 's1' });
        const second = await user.toolCalls.start({ tool: 'debug', continuationId: 'c-1' });
        await user.toolCalls.finish(first, { status: 'success', durationMs: 120, provider: 'glm', model: 'glm-4.6' });
        await user.toolCalls.finish(second, { status: 'error', errorCode: 'timeout', errorMessage: 'no answer' });
        expect((await user.toolCalls.list({ tool: 'chat' })).map((call) => [call.id, call.status, call.durationMs, call.model])).toEqual([[first, 'success', 120, 'glm-4.6']]);
        expect((await user.toolCalls.list({ status: 'error' }))[0]).toMatchObject({ id: second, errorCode: 'timeout', errorMessage: 'no answer', continuationId: 'c-1' });
        expect(await user.toolCalls.list({ since: new Date(Date.now() + 60_000) })).toEqual([]);
        expect((await user.toolCalls.list()).map((call) => call.id).sort()).toEqual([first, second].sort());
        expect(await storage.forUser(randomUUID()).toolCalls.list()).toEqual([]);
      });

      it('stores routing decisions', async () => {
        const user = storage.forUser(randomUUID());
        await user.routingDecisions.append({ mode: 'auto', chosenModel: 'glm-4.5-flash', category: 'fast', chain: [{ model: 'glm-4.5-flash' }], reasons: ['cheapest fast model'], estimatedCostUsd: 0 });
        expect(await user.routingDecisions.list()).toEqual([
          expect.objectContaining({ mode: 'auto', chosenModel: 'glm-4.5-flash', category: 'fast', reasons: ['cheapest fast model'], chain: [{ model: 'glm-4.5-flash' }] }),
        ]);
      });

      it('tracks sessions', async () => {
        const user = storage.forUser(randomUUID());
        const id = `session-${randomUUID()}`;
        await user.sessions.open({ id, transport: 'websocket', clientName: 'claude-code', clientVersion: '2.0', ip: '10.0.0.1', replica: 'r1' });
        await user.sessions.open({ id, transport: 'websocket' });
        await user.sessions.seen(id);
        expect((await user.sessions.list({ open: true })).map((session) => session.id)).toEqual([id]);
        await user.sessions.close(id);
        expect(await user.sessions.list({ open: true })).toEqual([]);
        expect((await user.sessions.list())[0]).toMatchObject({ id, transport: 'websocket', clientName: 'claude-code', replica: 'r1' });
        expect((await user.sessions.list())[0]?.endedAt).toBeInstanceOf(Date);
      });

      it('keeps workflow state per continuation id and tool, per user', async () => {
        const id = thread('workflow');
        const put = await alice.workflows.put(id, 'debug', { stepNumber: 1, totalSteps: 3, state: { findings: ['a'] } });
        expect(put).toMatchObject({ continuationId: id, tool: 'debug', stepNumber: 1, totalSteps: 3, state: { findings: ['a'] } });
        await alice.workflows.put(id, 'debug', { stepNumber: 2, totalSteps: 3, state: { findings: ['a', 'b'] } });
        expect(await alice.workflows.get(id, 'debug')).toMatchObject({ stepNumber: 2, state: { findings: ['a', 'b'] } });
        expect(await alice.workflows.get(id, 'codereview')).toBeUndefined();
        expect(await bob.workflows.get(id, 'debug')).toBeUndefined();
        expect(await alice.workflows.delete(id, 'debug')).toBe(true);
        expect(await alice.workflows.get(id, 'debug')).toBeUndefined();
      });

      it('records metric samples (service scope)', async () => {
        const name = `exai_test_metric_${randomUUID().slice(0, 8)}`;
        await storage.service.recordMetrics([
          { name, value: 1, labels: { tool: 'chat' } },
          { name, value: 2, labels: { tool: 'chat' } },
        ]);
        const samples = await storage.service.listMetrics({ name });
        expect(samples.map((sample) => sample.value).sort()).toEqual([1, 2]);
        expect(samples[0]?.labels).toEqual({ tool: 'chat' });
      });

      it('reports its status', () => {
        const status = storage.status();
        expect(status.kind).toBe(storage.kind);
        expect(status.state).toBe('up');
        expect(status.journalBacklog).toBe(0);
        expect(status.location).not.toMatch(/password|secret|key=/i);
      });
    });
  });
}
