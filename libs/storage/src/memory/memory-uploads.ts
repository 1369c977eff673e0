import { randomUUID } from 'node:crypto';
import type { ProviderUploadRepository } from '../storage.js';
import type { NewProviderUpload, ProviderName, ProviderUpload, UploadStatus } from '../storage-records.js';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import { listLimit, newestFirst, type MemoryStore, type Sequenced, withoutSeq } from './memory-store.js';

const sha256Pattern = /^[0-9a-f]{64}$/;
const providers: readonly ProviderName[] = ['glm', 'kimi'];
const statuses: readonly UploadStatus[] = ['uploaded', 'deleted', 'expired', 'failed'];

/** Provider uploads of one owner in a {@link MemoryStore}; `(provider, provider_file_id)` is unique. */
export function createMemoryUploads(store: MemoryStore, ownerId: string): ProviderUploadRepository {
  const own = (uploadId: string): Sequenced<ProviderUpload> | undefined => {
    const row = store.uploads.get(uploadId);
    return row?.ownerId === ownerId ? row : undefined;
  };
  const live = (row: ProviderUpload): boolean => row.ownerId === ownerId && row.status === 'uploaded';
  const fileGone = (row: ProviderUpload): boolean => row.fileId === undefined || !store.files.has(row.fileId);

  return {
    async record(input: NewProviderUpload): Promise<ProviderUpload> {
      if (!sha256Pattern.test(input.sha256)) throw new InvalidStorageInputError({ field: 'sha256', message: 'must be 64 lower-case hex digits' });
      if (!providers.includes(input.provider)) throw new InvalidStorageInputError({ field: 'provider', message: `must be one of ${providers.join(', ')}` });
      for (const row of store.uploads.values()) {
        if (row.provider === input.provider && row.providerFileId === input.providerFileId) {
          if (row.ownerId !== ownerId) throw new InvalidStorageInputError({ field: 'providerFileId', message: 'is already recorded' });
          return withoutSeq(row);
        }
      }
      if (input.fileId !== undefined && store.files.get(input.fileId)?.ownerId !== ownerId) {
        throw new StorageNotFoundError({ resource: `file ${input.fileId}` });
      }
      const now = new Date();
      const row: Sequenced<ProviderUpload> = {
        id: randomUUID(),
        ownerId,
        fileId: input.fileId,
        sha256: input.sha256,
        provider: input.provider,
        providerFileId: input.providerFileId,
        filename: input.filename,
        sizeBytes: input.sizeBytes,
        purpose: input.purpose,
        status: 'uploaded',
        expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt),
        lastUsedAt: now,
        createdAt: new Date(now),
        seq: store.nextSeq(),
      };
      store.uploads.set(row.id, row);
      return withoutSeq(row);
    },

    async find(sha256: string, provider: ProviderName): Promise<ProviderUpload | undefined> {
      const now = Date.now();
      const rows = [...store.uploads.values()].filter(
        (row) => live(row) && row.sha256 === sha256 && row.provider === provider && (row.expiresAt === undefined || row.expiresAt.getTime() > now),
      );
      const newest = newestFirst(rows, (row) => row.lastUsedAt, 1)[0];
      return newest && withoutSeq(newest);
    },

    async markUsed(uploadId: string, at?: Date): Promise<void> {
      const row = own(uploadId);
      const used = new Date(at ?? Date.now());
      if (row && used.getTime() > row.lastUsedAt.getTime()) row.lastUsedAt = used;
    },

    async setStatus(uploadId: string, status: UploadStatus): Promise<void> {
      if (!statuses.includes(status)) throw new InvalidStorageInputError({ field: 'status', message: `must be one of ${statuses.join(', ')}` });
      const row = own(uploadId);
      if (row) row.status = status;
    },

    async list(options: { provider?: ProviderName; status?: UploadStatus; limit?: number } = {}): Promise<ProviderUpload[]> {
      const rows = [...store.uploads.values()].filter(
        (row) => row.ownerId === ownerId && (options.provider === undefined || row.provider === options.provider) && (options.status === undefined || row.status === options.status),
      );
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },

    async listOrphaned(provider?: ProviderName): Promise<ProviderUpload[]> {
      const rows = [...store.uploads.values()].filter((row) => live(row) && (provider === undefined || row.provider === provider) && fileGone(row));
      return newestFirst(rows, (row) => row.createdAt, Number.MAX_SAFE_INTEGER).map((row) => withoutSeq(row));
    },

    async listExpired(options: { now?: Date; unusedSince?: Date; provider?: ProviderName }): Promise<ProviderUpload[]> {
      const now = (options.now ?? new Date()).getTime();
      const unusedSince = options.unusedSince?.getTime();
      const rows = [...store.uploads.values()].filter(
        (row) =>
          live(row) &&
          (options.provider === undefined || row.provider === options.provider) &&
          ((row.expiresAt !== undefined && row.expiresAt.getTime() <= now) || (unusedSince !== undefined && row.lastUsedAt.getTime() < unusedSince)),
      );
      return newestFirst(rows, (row) => row.createdAt, Number.MAX_SAFE_INTEGER).map((row) => withoutSeq(row));
    },
  };
}
