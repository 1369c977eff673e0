import { createHash, randomUUID } from 'node:crypto';
import type { FileRepository } from '../storage.js';
import {
  BUCKETS,
  MAX_OBJECT_BYTES,
  type BucketName,
  type ExternalIdSource,
  type FileOperation,
  type NewFile,
  type NewFileOperation,
  type PutFileResult,
  type StoredFile,
} from '../storage-records.js';
import { FileTooLargeError, InvalidStorageInputError, QuotaExceededError, StorageNotFoundError } from '../storage-errors.js';
import { copy, listLimit, newestFirst, objectKey, type FileRow, type MemoryStore, withoutSeq } from './memory-store.js';
import { quotaOf } from './memory-quota.js';
// One sanitiser for every adapter, so a file gets the same path whichever stores it.
import { sanitizeFilename } from '../sanitize-filename.js';
import { isUuid } from '../validate-input.js';

/** The `StoredFile` of a row. */
export function toStoredFile(row: FileRow): StoredFile {
  const { accessCount: _accessCount, ...file } = withoutSeq(row);
  return file;
}

const mappingKey = (ownerId: string, source: ExternalIdSource, externalId: string): string => `${ownerId}\0${source}\0${externalId}`;

/**
 * Bucket files of one owner in a {@link MemoryStore}: dedup by `(owner, bucket, sha256)`, the
 * 100 MB object limit and the owner's quota checked before anything is written.
 */
export function createMemoryFiles(store: MemoryStore, ownerId: string): FileRepository {
  const own = (fileId: string): FileRow | undefined => {
    const row = store.files.get(fileId);
    return row?.ownerId === ownerId ? row : undefined;
  };

  return {
    async put(input: NewFile): Promise<PutFileResult> {
      const filename = sanitizeFilename(input.filename);
      const bucket: BucketName = input.bucket ?? 'user-files';
      if (!BUCKETS.includes(bucket)) throw new InvalidStorageInputError({ field: 'bucket', message: `must be one of ${BUCKETS.join(', ')}` });
      if (!(input.bytes instanceof Uint8Array)) throw new InvalidStorageInputError({ field: 'bytes', message: 'must be a Uint8Array' });
      const sizeBytes = input.bytes.byteLength;
      if (sizeBytes > MAX_OBJECT_BYTES) throw new FileTooLargeError({ filename, sizeBytes, limitBytes: MAX_OBJECT_BYTES });
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
      for (const row of store.files.values()) {
        if (row.ownerId === ownerId && row.bucket === bucket && row.sha256 === sha256) {
          store.recordFileOperation(ownerId, row.id, 'dedup', 0);
          return { file: toStoredFile(row), deduplicated: true };
        }
      }
      // Identical content was checked first: it costs no quota.
      const quota = quotaOf(store, ownerId);
      const usedBytes = store.usedBytes(ownerId);
      if (usedBytes + sizeBytes > quota.storageQuotaBytes) {
        throw new QuotaExceededError({ quotaBytes: quota.storageQuotaBytes, usedBytes, requestedBytes: sizeBytes });
      }
      const now = new Date();
      const row: FileRow = {
        id: randomUUID(),
        ownerId,
        bucket,
        path: `${ownerId}/${sha256.slice(0, 2)}/${sha256}/${filename}`,
        filename,
        contentType: input.contentType ?? 'application/octet-stream',
        sizeBytes,
        sha256,
        tags: copy(input.tags ?? []),
        metadata: copy(input.metadata ?? {}),
        createdAt: now,
        lastAccessedAt: new Date(now),
        accessCount: 0,
        seq: store.nextSeq(),
      };
      store.objects.set(objectKey(bucket, row.path), new Uint8Array(input.bytes));
      store.files.set(row.id, row);
      store.recordFileOperation(ownerId, row.id, 'put', sizeBytes);
      return { file: toStoredFile(row), deduplicated: false };
    },

    async get(fileId: string): Promise<StoredFile | undefined> {
      const row = own(fileId);
      return row && toStoredFile(row);
    },

    async findBySha256(sha256: string, bucket?: BucketName): Promise<StoredFile | undefined> {
      const rows = [...store.files.values()].filter((row) => row.ownerId === ownerId && row.sha256 === sha256 && (bucket === undefined || row.bucket === bucket));
      // The oldest copy, as the SQL adapters answer.
      const oldest = [...rows].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.seq - b.seq)[0];
      return oldest && toStoredFile(oldest);
    },

    async read(fileId: string): Promise<Uint8Array> {
      const row = own(fileId);
      const bytes = row && store.objects.get(objectKey(row.bucket, row.path));
      if (!row || !bytes) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      row.accessCount++;
      row.lastAccessedAt = new Date();
      return new Uint8Array(bytes);
    },

    async delete(fileId: string): Promise<boolean> {
      const row = own(fileId);
      if (!row) return false;
      store.deleteFile(row);
      return true;
    },

    async list(options: { bucket?: BucketName; limit?: number } = {}): Promise<StoredFile[]> {
      const rows = [...store.files.values()].filter((row) => row.ownerId === ownerId && (options.bucket === undefined || row.bucket === options.bucket));
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map(toStoredFile);
    },

    async mapExternalId(externalId: string, source: ExternalIdSource, fileId: string): Promise<void> {
      if (!own(fileId)) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      // `unique (owner_id, source, external_id)`: mapping the name again points it at the new file.
      store.mappings.set(mappingKey(ownerId, source, externalId), fileId);
    },

    async resolveExternalId(externalId: string, source: ExternalIdSource): Promise<StoredFile | undefined> {
      const fileId = store.mappings.get(mappingKey(ownerId, source, externalId));
      const row = fileId === undefined ? undefined : own(fileId);
      return row && toStoredFile(row);
    },

    async recordOperation(input: NewFileOperation): Promise<void> {
      const id = input.id ?? randomUUID();
      if (!isUuid(id)) throw new InvalidStorageInputError({ field: 'id', message: 'must be a UUID' });
      if (store.fileOperations.has(id)) return;
      const operation: FileOperation & { seq: number } = {
        id,
        ownerId,
        // The file may be gone already (an operation recorded after a delete): keep the record, unlinked.
        fileId: input.fileId !== undefined && own(input.fileId) ? input.fileId : undefined,
        operation: input.operation,
        provider: input.provider,
        status: input.status,
        bytes: input.bytes,
        durationMs: input.durationMs === undefined ? undefined : Math.round(input.durationMs),
        error: input.error,
        createdAt: new Date(),
        seq: store.nextSeq(),
      };
      store.fileOperations.set(id, operation);
    },

    async listOperations(options: { fileId?: string; limit?: number } = {}): Promise<FileOperation[]> {
      const rows = [...store.fileOperations.values()].filter((row) => row.ownerId === ownerId && (options.fileId === undefined || row.fileId === options.fileId));
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },
  };
}
