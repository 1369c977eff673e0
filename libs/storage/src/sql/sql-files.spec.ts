import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { QuotaExceededError, StorageNotFoundError } from '../storage-errors.js';
import { sqlEngines, type SqlTestEngine } from '../test-support/sql-test-engines.js';

const bytesOf = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Every file under `dir`, relative. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

describe.each(sqlEngines)('files and provider uploads on $name', ({ enabled, open }) => {
  const run = enabled ? it : it.skip;
  let engine: SqlTestEngine;
  const count = async (sql: string, params: unknown[]): Promise<number> => Number((await engine.client.query<{ n: unknown }>(sql, params))[0]?.n);

  beforeAll(async () => {
    if (enabled) engine = await open();
  });
  afterAll(async () => {
    await engine?.close();
  });

  run('writes bytes, the storage.objects row, the metadata and a put operation', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    const bytes = bytesOf(`hello ${userId}`);
    const { file } = await user.files.put({ filename: 'hello.txt', bytes, contentType: 'text/plain' });
    expect(await readFile(join(engine.bucketDir, 'user-files', file.path), 'utf8')).toBe(`hello ${userId}`);
    const [object] = await engine.client.query<{ owner: string; metadata: Record<string, unknown> }>(
      'select owner, metadata from storage.objects where bucket_id = $1 and name = $2',
      ['user-files', file.path],
    );
    expect(object).toMatchObject({ owner: userId, metadata: { size: bytes.length, mimetype: 'text/plain', sha256: file.sha256 } });
    expect((await user.files.listOperations({ fileId: file.id })).map((operation) => [operation.operation, operation.bytes])).toEqual([['put', bytes.length]]);
  });

  run('deduplicates without writing new bytes, and records the dedup', async () => {
    const user = engine.storage.forUser(randomUUID());
    const bytes = bytesOf(`dedup ${randomUUID()}`);
    const first = await user.files.put({ filename: 'one.txt', bytes });
    const before = await filesUnder(engine.bucketDir);
    const second = await user.files.put({ filename: 'two.txt', bytes });
    expect(second).toEqual({ file: first.file, deduplicated: true });
    expect(await filesUnder(engine.bucketDir)).toEqual(before);
    expect((await user.files.listOperations({ fileId: first.file.id })).map((operation) => operation.operation).sort()).toEqual(['dedup', 'put']);
  });

  run('over quota: nothing written, not bytes, object, metadata nor operation', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    await engine.storage.service.setQuota(userId, { storageQuotaBytes: 10 });
    const before = await filesUnder(engine.bucketDir);
    const error = await user.files.put({ filename: 'big.bin', bytes: new Uint8Array(11) }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExceededError);
    expect(error).toMatchObject({ quotaBytes: 10, usedBytes: 0, requestedBytes: 11 });
    expect(await filesUnder(engine.bucketDir)).toEqual(before);
    expect(await count('select count(*) as n from public.file_metadata where owner_id = $1', [userId])).toBe(0);
    expect(await count(`select count(*) as n from storage.objects where name like $1`, [`${userId}/%`])).toBe(0);
    expect(await count('select count(*) as n from public.file_operations where owner_id = $1', [userId])).toBe(0);
    // Exactly at the quota is allowed.
    await expect(user.files.put({ filename: 'fits.bin', bytes: new Uint8Array(10) })).resolves.toMatchObject({ deduplicated: false });
  });

  run('concurrent puts by one user cannot both pass the same quota', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    await engine.storage.service.setQuota(userId, { storageQuotaBytes: 15 });
    const results = await Promise.allSettled([0, 1, 2].map((index) => user.files.put({ filename: `${index}.bin`, bytes: new Uint8Array(10).fill(index) })));
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect((await user.quota.get()).storageUsedBytes).toBe(10);
  });

  run('reading counts the access; deleting removes bytes, object row, metadata and empty folders', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    const { file } = await user.files.put({ filename: 'read.txt', bytes: bytesOf(`read ${userId}`) });
    await user.files.read(file.id);
    await user.files.read(file.id);
    const [row] = await engine.client.query<{ access_count: number }>('select access_count from public.file_metadata where id = $1', [file.id]);
    expect(row?.access_count).toBe(2);
    expect((await user.files.get(file.id))!.lastAccessedAt.getTime()).toBeGreaterThanOrEqual(file.lastAccessedAt.getTime());

    expect(await user.files.delete(file.id)).toBe(true);
    await expect(stat(join(engine.bucketDir, 'user-files', userId))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await count('select count(*) as n from storage.objects where name = $1', [file.path])).toBe(0);
    expect(await count('select count(*) as n from public.file_metadata where id = $1', [file.id])).toBe(0);
    expect((await user.files.listOperations()).map((operation) => operation.operation)).toContain('delete');
  });

  run('sanitises names but keeps them readable', async () => {
    const user = engine.storage.forUser(randomUUID());
    const { file } = await user.files.put({ filename: 'Rapport final\u0007 (v2)/..\\été.pdf', bytes: bytesOf(randomUUID()) });
    expect(file.filename).toBe('Rapport final (v2)_._été.pdf');
    expect(file.path.endsWith('/Rapport final (v2)_._été.pdf')).toBe(true);
    await expect(user.files.put({ filename: '..', bytes: bytesOf('x') })).rejects.toMatchObject({ field: 'filename' });
    await expect(user.files.put({ filename: 'x', bytes: bytesOf('x'), bucket: 'avatars' as 'results' })).rejects.toMatchObject({ field: 'bucket' });
  });

  run('treats ids that are not UUIDs as unknown files', async () => {
    const user = engine.storage.forUser(randomUUID());
    expect(await user.files.get('nope')).toBeUndefined();
    expect(await user.files.delete('nope')).toBe(false);
    await expect(user.files.read('nope')).rejects.toBeInstanceOf(StorageNotFoundError);
    await expect(user.files.mapExternalId('/a', 'path', randomUUID())).rejects.toBeInstanceOf(StorageNotFoundError);
  });

  run('remaps an external id to a newer file', async () => {
    const user = engine.storage.forUser(randomUUID());
    const first = await user.files.put({ filename: 'a.ts', bytes: bytesOf(`v1 ${randomUUID()}`) });
    const second = await user.files.put({ filename: 'a.ts', bytes: bytesOf(`v2 ${randomUUID()}`) });
    await user.files.mapExternalId('/src/a.ts', 'path', first.file.id);
    await user.files.mapExternalId('/src/a.ts', 'path', second.file.id);
    expect((await user.files.resolveExternalId('/src/a.ts', 'path'))?.id).toBe(second.file.id);
  });

  run('records an operation once per id, and keeps it when its file is gone', async () => {
    const user = engine.storage.forUser(randomUUID());
    const id = randomUUID();
    await user.files.recordOperation({ id, operation: 'download', status: 'failed', error: 'timeout', fileId: randomUUID() });
    await user.files.recordOperation({ id, operation: 'download', status: 'failed', error: 'timeout' });
    expect(await user.files.listOperations()).toEqual([expect.objectContaining({ id, operation: 'download', status: 'failed', error: 'timeout', fileId: undefined })]);
  });

  run('find returns only live uploads; orphaned and expired lists follow their rules', async () => {
    const userId = randomUUID();
    const user = engine.storage.forUser(userId);
    const sha = (label: string): string => createHash('sha256').update(label + userId).digest('hex');
    const { file } = await user.files.put({ filename: 'live.txt', bytes: bytesOf(`live ${userId}`) });
    const live = await user.uploads.record({ sha256: file.sha256, provider: 'glm', providerFileId: `live-${userId}`, fileId: file.id });
    const expired = await user.uploads.record({ sha256: sha('expired'), provider: 'glm', providerFileId: `expired-${userId}`, expiresAt: new Date(Date.now() - 1_000) });
    const failed = await user.uploads.record({ sha256: sha('failed'), provider: 'glm', providerFileId: `failed-${userId}` });
    await user.uploads.setStatus(failed.id, 'failed');
    const stale = await user.uploads.record({ sha256: sha('stale'), provider: 'kimi', providerFileId: `stale-${userId}` });
    await user.uploads.markUsed(stale.id, new Date(Date.now() - 86_400_000));

    expect((await user.uploads.find(file.sha256, 'glm'))?.id).toBe(live.id);
    expect(await user.uploads.find(sha('expired'), 'glm')).toBeUndefined();
    expect(await user.uploads.find(sha('failed'), 'glm')).toBeUndefined();
    // markUsed never moves last use backwards (a replayed, older mark).
    expect((await user.uploads.find(sha('stale'), 'kimi'))?.lastUsedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // Live and without a stored file: the stale one (never linked). Not the expired or failed ones.
    expect((await user.uploads.listOrphaned()).map((upload) => upload.id)).toEqual([stale.id]);
    expect(await user.uploads.listOrphaned('glm')).toEqual([]);
    expect((await user.uploads.listExpired({})).map((upload) => upload.id)).toEqual([expired.id]);
    const later = new Date(Date.now() + 3_600_000);
    expect((await user.uploads.listExpired({ now: later, unusedSince: later })).map((upload) => upload.id).sort()).toEqual([live.id, expired.id, stale.id].sort());
    expect((await user.uploads.listExpired({ now: new Date(0), unusedSince: new Date(Date.now() - 60_000) })).map((upload) => upload.id)).toEqual([]);
    expect((await user.uploads.list({ provider: 'glm' })).map((upload) => upload.id).sort()).toEqual([live.id, expired.id, failed.id].sort());
    expect((await user.uploads.list({ status: 'failed' })).map((upload) => upload.id)).toEqual([failed.id]);
  });
});
