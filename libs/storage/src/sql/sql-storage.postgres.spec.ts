import { describe } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageContract } from '../test-support/storage-contract.js';
import { createTestDatabase, hasPostgres } from '../test-support/test-database.js';
import { createPostgresStorage } from './create-postgres-storage.js';

(hasPostgres ? describe : describe.skip)('postgres', () => {
  describeStorageContract('postgres', async () => {
    const database = await createTestDatabase();
    const bucketDir = await mkdtemp(join(tmpdir(), 'exai-buckets-'));
    const storage = await createPostgresStorage({ connectionString: database.connectionString, bucketDir, migrate: true });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await database.drop();
        await rm(bucketDir, { recursive: true, force: true });
      },
    };
  });
});
