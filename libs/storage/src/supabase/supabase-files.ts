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
import { sanitizeFilename } from '../sanitize-filename.js';
import type { UserScope } from './supabase-gateway.js';
import { fetchQuota } from './supabase-quota.js';
import { FILE_COLUMNS, FILE_OPERATION_COLUMNS, toFileOperation, toStoredFile, type FileOperationRow, type FileRow } from './supabase-rows.js';
import { listLimit, requireOneOf, requireText, requireUuid } from './supabase-validation.js';

const sources: readonly ExternalIdSource[] = ['path', 'provider', 'client'];
const sha256Pattern = /^[0-9a-f]{64}$/;

const operation = (name: string): string => `files.${name}`;

/**
 * Bucket files of one owner: bytes in Supabase Storage at `{owner}/{sha[0:2]}/{sha}/{filename}`,
 * metadata in `file_metadata`, dedup by `(owner, bucket, sha256)`, the 100 MB object limit and the
 * owner's quota checked before any byte is sent.
 */
export function createSupabaseFiles({ db, ownerId }: UserScope): FileRepository {
  const table = (name: string) => db.client.from(name);

  const findBySha = async (name: string, sha256: string, bucket: BucketName | undefined): Promise<FileRow | undefined> => {
    let query = table('file_metadata').select(FILE_COLUMNS).eq('owner_id', ownerId).eq('sha256', sha256);
    if (bucket !== undefined) query = query.eq('bucket', bucket);
    return (await db.rows<FileRow>(operation(name), query.order('created_at', { ascending: false }).limit(1)))[0];
  };

  const isOwn = async (name: string, fileId: string): Promise<boolean> =>
    (await db.rows(operation(name), table('file_metadata').select('id').eq('id', fileId).eq('owner_id', ownerId).limit(1))).length > 0;

  return {
    async put(input: NewFile): Promise<PutFileResult> {
      const filename = sanitizeFilename(input.filename);
      const bucket = requireOneOf(input.bucket ?? 'user-files', BUCKETS, 'bucket');
      if (!(input.bytes instanceof Uint8Array)) throw new InvalidStorageInputError({ field: 'bytes', message: 'must be a Uint8Array' });
      const sizeBytes = input.bytes.byteLength;
      if (sizeBytes > MAX_OBJECT_BYTES) throw new FileTooLargeError({ filename, sizeBytes, limitBytes: MAX_OBJECT_BYTES });
      const sha256 = createHash('sha256').update(input.bytes).digest('hex');
      const existing = await findBySha('put', sha256, bucket);
      if (existing) return { file: toStoredFile(existing), deduplicated: true };
      // Identical content was checked first: it costs no quota. Two puts racing may both pass the
      // check (PostgREST has no transaction across requests); each is still below 100 MB.
      const quota = await fetchQuota(db, ownerId, operation('put'));
      if (quota.storageUsedBytes + sizeBytes > quota.storageQuotaBytes) {
        throw new QuotaExceededError({ quotaBytes: quota.storageQuotaBytes, usedBytes: quota.storageUsedBytes, requestedBytes: sizeBytes });
      }
      const path = `${ownerId}/${sha256.slice(0, 2)}/${sha256}/${filename}`;
      const contentType = input.contentType ?? 'application/octet-stream';
      // Bytes first, metadata second: a failure in between leaves an object no row points at (and a
      // retry finds it in place), never a row whose bytes are missing.
      await db.upload(operation('put'), bucket, path, input.bytes, contentType);
      const row = {
        owner_id: ownerId,
        bucket,
        path,
        filename,
        content_type: contentType,
        size_bytes: sizeBytes,
        sha256,
        tags: input.tags ?? [],
        metadata: input.metadata ?? {},
      };
      const [inserted] = await db.rows<FileRow>(
        operation('put'),
        table('file_metadata').upsert(row, { onConflict: 'owner_id,bucket,sha256', ignoreDuplicates: true }).select(FILE_COLUMNS),
      );
      if (inserted) return { file: toStoredFile(inserted), deduplicated: false };
      // A concurrent put of the same content stored its row first: this put is a dedup.
      const winner = await findBySha('put', sha256, bucket);
      if (!winner) throw new StorageNotFoundError({ resource: `file ${sha256}`, message: `${operation('put')}: the file stored concurrently is gone again.` });
      if (winner.path !== path) await db.remove(operation('put'), bucket, [path]);
      return { file: toStoredFile(winner), deduplicated: true };
    },

    async get(fileId: string): Promise<StoredFile | undefined> {
      const id = requireUuid(fileId, 'fileId');
      const [row] = await db.rows<FileRow>(operation('get'), table('file_metadata').select(FILE_COLUMNS).eq('id', id).eq('owner_id', ownerId).limit(1));
      return row && toStoredFile(row);
    },

    async findBySha256(sha256: string, bucket?: BucketName): Promise<StoredFile | undefined> {
      if (!sha256Pattern.test(sha256)) return undefined;
      const row = await findBySha('findBySha256', sha256, bucket);
      return row && toStoredFile(row);
    },

    async read(fileId: string): Promise<Uint8Array> {
      const id = requireUuid(fileId, 'fileId');
      // `exai_touch_file` counts the access and returns the row in one request (an increment a
      // PATCH cannot express); no row means not the owner's, or no such file.
      const [row] = await db.rows<FileRow>(operation('read'), db.client.rpc('exai_touch_file', { p_owner_id: ownerId, p_file_id: id }));
      if (!row) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      return db.download(operation('read'), row.bucket, row.path, `file ${fileId}`);
    },

    async delete(fileId: string): Promise<boolean> {
      const id = requireUuid(fileId, 'fileId');
      const [row] = await db.rows<Pick<FileRow, 'bucket' | 'path'>>(operation('delete'), table('file_metadata').select('bucket,path').eq('id', id).eq('owner_id', ownerId).limit(1));
      if (!row) return false;
      // Object first: if deleting the row then fails, the row is still there and a retry finishes
      // the job (removing an absent object is no error); the other order could strand bytes.
      await db.remove(operation('delete'), row.bucket, [row.path]);
      const deleted = await db.rows(operation('delete'), table('file_metadata').delete().eq('id', id).eq('owner_id', ownerId).select('id'));
      return deleted.length > 0;
    },

    async list(options: { bucket?: BucketName; limit?: number } = {}): Promise<StoredFile[]> {
      let query = table('file_metadata').select(FILE_COLUMNS).eq('owner_id', ownerId);
      if (options.bucket !== undefined) query = query.eq('bucket', options.bucket);
      const rows = await db.rows<FileRow>(operation('list'), query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toStoredFile);
    },

    async mapExternalId(externalId: string, source: ExternalIdSource, fileId: string): Promise<void> {
      requireText(externalId, 'externalId');
      requireOneOf(source, sources, 'source');
      const id = requireUuid(fileId, 'fileId');
      // Under the service key nothing else would stop a mapping to another user's file.
      if (!(await isOwn('mapExternalId', id))) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      // `unique (owner_id, source, external_id)`: mapping the name again points it at the new file.
      await db.rows(
        operation('mapExternalId'),
        table('file_id_mappings').upsert({ owner_id: ownerId, external_id: externalId, source, file_id: id }, { onConflict: 'owner_id,source,external_id' }),
      );
    },

    async resolveExternalId(externalId: string, source: ExternalIdSource): Promise<StoredFile | undefined> {
      const [mapping] = await db.rows<{ file_metadata: FileRow | null }>(
        operation('resolveExternalId'),
        table('file_id_mappings').select(`file_metadata(${FILE_COLUMNS})`).eq('owner_id', ownerId).eq('source', source).eq('external_id', externalId).limit(1),
      );
      const file = mapping?.file_metadata;
      return file && file.owner_id === ownerId ? toStoredFile(file) : undefined;
    },

    async recordOperation(input: NewFileOperation): Promise<void> {
      const id = requireUuid(input.id ?? randomUUID(), 'id');
      // The file may be gone already (an operation recorded after a delete): keep the record, unlinked.
      const fileId = input.fileId !== undefined && (await isOwn('recordOperation', requireUuid(input.fileId, 'fileId'))) ? input.fileId.toLowerCase() : undefined;
      const row = {
        id,
        owner_id: ownerId,
        file_id: fileId,
        operation: input.operation,
        provider: input.provider,
        status: input.status,
        bytes: input.bytes,
        duration_ms: input.durationMs === undefined ? undefined : Math.round(input.durationMs),
        error: input.error,
      };
      await db.rows(operation('recordOperation'), table('file_operations').upsert(row, { onConflict: 'id', ignoreDuplicates: true }));
    },

    async listOperations(options: { fileId?: string; limit?: number } = {}): Promise<FileOperation[]> {
      let query = table('file_operations').select(FILE_OPERATION_COLUMNS).eq('owner_id', ownerId);
      if (options.fileId !== undefined) query = query.eq('file_id', requireUuid(options.fileId, 'fileId'));
      const rows = await db.rows<FileOperationRow>(operation('listOperations'), query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toFileOperation);
    },
  };
}
