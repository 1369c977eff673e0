import { describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describeStorageContract } from '../test-support/storage-contract.js';
import { createPgliteStorage } from './create-pglite-storage.js';

describeStorageContract('pglite (in memory)', async () => {
  const storage = await createPgliteStorage();
  return { storage, cleanup: () => storage.close() };
});

describe('createPgliteStorage with a data directory', () => {
  it('keeps the database in <dataDir>/pglite and bucket files in <dataDir>/buckets across restarts, migrating once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'exai-pglite-'));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }));
    const userId = randomUUID();
    try {
      const first = await createPgliteStorage({ dataDir, logger });
      expect(lines.filter((line) => line.includes('applied migration')).length).toBeGreaterThanOrEqual(3);
      const user = first.forUser(userId);
      await user.conversations.create({ continuationId: 'persisted' });
      await user.conversations.appendMessage('persisted', { role: 'user', content: 'still here' });
      const { file } = await user.files.put({ filename: 'kept.txt', bytes: new TextEncoder().encode('bytes on disk') });
      expect(first.status()).toMatchObject({ kind: 'pglite', state: 'up', location: dataDir });
      await first.close();

      expect((await readdir(dataDir)).sort()).toEqual(['buckets', 'pglite']);
      expect(await readFile(join(dataDir, 'buckets', 'user-files', file.path), 'utf8')).toBe('bytes on disk');

      lines.length = 0;
      const second = await createPgliteStorage({ dataDir, logger });
      try {
        expect(lines.filter((line) => line.includes('applied migration'))).toEqual([]);
        const again = second.forUser(userId);
        expect((await again.conversations.loadThread('persisted'))?.messages.map((message) => message.content)).toEqual(['still here']);
        expect(new TextDecoder().decode(await again.files.read(file.id))).toBe('bytes on disk');
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // Two on-disk PGlite opens and a full migration: seconds alone, far more on a busy 2-core CI machine.
  }, 120_000);
});
