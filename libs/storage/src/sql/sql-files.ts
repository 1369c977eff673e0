import { createHash } from 'node:crypto';
import type { SqlLogger } from './sql-logger.js';
import type { FileRepository } from '../storage.js';
import { FileTooLargeError, InvalidStorageInputError, QuotaExceededError, StorageNotFoundError } from '../storage-errors.js';
import {
  BUCKETS,
  type BucketName,
  DEFAULT_STORAGE_QUOTA_BYTES,
  type ExternalIdSource,
  type FileOperation,
  MAX_OBJECT_BYTES,
  type NewFile,
  type NewFileOperation,
  type PutFileResult,
  type StoredFile,
} from '../storage-records.js';
import type { BucketStore } from './bucket-store.js';
import { sanitizeFilename } from '../sanitize-filename.js';
import type { SqlScope } from './sql-scope.js';
import { FILE_COLUMNS, FILE_OPERATION_COLUMNS, type Row, toFileOperation, toStoredFile } from './sql-rows.js';
import { isUuid, jsonParam, listLimit, optionalUuid } from './sql-validation.js';

// Advisory lock class of a user's file writes: the dedup lookup, the quota check and the insert of
// one put happen as one step, so two concurrent puts cannot both pass the same quota.
const FILE_WRITE_LOCK = 0x65786169; // "exai"

// The owner's quota and usage, and an identical object already stored (dedup), in one statement.
const PUT_STATE = `
  select coalesce((select storage_quota_bytes from public.user_quotas where user_id = $1), $4::bigint) as quota_bytes,
         (select coalesce(sum(size_bytes), 0) from public.file_metadata where owner_id = $1) as used_bytes,
         ${FILE_COLUMNS}
  from (select 1) one
  left join public.file_metadata f on f.owner_id = $1 and f.bucket = $2 and f.sha256 = $3`;

// The metadata, the storage.objects row (whose policy checks the path's first folder is the
// caller's id) and the operation record, in one statement.
const PUT_INSERT = `
  with f as (
    insert into public.file_metadata (owner_id, bucket, path, filename, content_type, size_bytes, sha256, tags, metadata)
    values ($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::jsonb)
    returning *
  ), object as (
    insert into storage.objects (bucket_id, name, owner, metadata)
    select bucket, path, owner_id, jsonb_build_object('size', size_bytes, 'mimetype', content_type, 'sha256', sha256) from f
    on conflict do nothing
  ), operation as (
    insert into public.file_operations (owner_id, file_id, operation, status, bytes) select owner_id, id, 'put', 'ok', size_bytes from f
  )
  select ${FILE_COLUMNS} from f`;

const DELETE = `
  with f as (
    delete from public.file_metadata where id = $1 returning id, owner_id, bucket, path, size_bytes
  ), object as (
    delete from storage.objects o using f where o.bucket_id = f.bucket and o.name = f.path
  ), operation as (
    insert into public.file_operations (owner_id, operation, status, bytes) select owner_id, 'delete', 'ok', size_bytes from f
  )
  select bucket, path from f`;

/** Options of {@link SqlFiles}. */
export interface SqlFilesOptions {
  scope: SqlScope;
  userId: string;
  buckets: BucketStore;
  logger?: SqlLogger;
}

/** One user's bucket files: metadata in SQL (under row-level security), bytes in a {@link BucketStore}. */
export class SqlFiles implements FileRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;
  readonly #buckets: BucketStore;
  readonly #logger: SqlLogger | undefined;

  constructor(options: SqlFilesOptions) {
    this.#scope = options.scope;
    this.#userId = options.userId;
    this.#buckets = options.buckets;
    this.#logger = options.logger;
  }

  async put(input: NewFile): Promise<PutFileResult> {
    const bucket = requireBucket(input.bucket ?? 'user-files');
    const filename = sanitizeFilename(input.filename);
    const size = input.bytes.byteLength;
    if (size > MAX_OBJECT_BYTES) throw new FileTooLargeError({ filename, sizeBytes: size, limitBytes: MAX_OBJECT_BYTES });
    const sha256 = createHash('sha256').update(input.bytes).digest('hex');
    const path = `${this.#userId}/${sha256.slice(0, 2)}/${sha256}/${filename}`;
    let written = false;
    try {
      return await this.#scope.run(async (tx) => {
        await tx.query('select pg_advisory_xact_lock($1, hashtext($2))', [FILE_WRITE_LOCK, this.#userId]);
        const [state] = await tx.query<Row>(PUT_STATE, [this.#userId, bucket, sha256, DEFAULT_STORAGE_QUOTA_BYTES]);
        if (state === undefined) throw new Error('quota query returned no row');
        if (state.id !== null) {
          const existing = toStoredFile(state);
          await tx.query(`insert into public.file_operations (owner_id, file_id, operation, status, bytes) values ($1, $2, 'dedup', 'ok', 0)`, [
            this.#userId,
            existing.id,
          ]);
          return { file: existing, deduplicated: true };
        }
        const quotaBytes = Number(state.quota_bytes);
        const usedBytes = Number(state.used_bytes);
        if (usedBytes + size > quotaBytes) throw new QuotaExceededError({ quotaBytes, usedBytes, requestedBytes: size });
        const [row] = await tx.query<Row>(PUT_INSERT, [
          this.#userId,
          bucket,
          path,
          filename,
          input.contentType ?? 'application/octet-stream',
          size,
          sha256,
          input.tags ?? [],
          jsonParam(input.metadata ?? {}),
        ]);
        if (row === undefined) throw new Error('file insert returned no row');
        // Bytes last, still inside the transaction: if they cannot be written, no metadata is kept.
        await this.#buckets.write(bucket, path, input.bytes);
        written = true;
        return { file: toStoredFile(row), deduplicated: false };
      });
    } catch (error) {
      // The commit failed after the bytes were written: remove them so no unlisted object stays.
      if (written) await this.#buckets.delete(bucket, path).catch(() => undefined);
      throw error;
    }
  }

  async get(fileId: string): Promise<StoredFile | undefined> {
    if (!isUuid(fileId)) return undefined;
    const [row] = await this.#scope.query<Row>(`select ${FILE_COLUMNS} from public.file_metadata f where f.id = $1`, [fileId]);
    return row === undefined ? undefined : toStoredFile(row);
  }

  async findBySha256(sha256: string, bucket?: BucketName): Promise<StoredFile | undefined> {
    const [row] = await this.#scope.query<Row>(
      `select ${FILE_COLUMNS} from public.file_metadata f
       where f.owner_id = $1 and f.sha256 = $2 and ($3::text is null or f.bucket = $3) order by f.created_at limit 1`,
      [this.#userId, sha256.toLowerCase(), bucket ?? null],
    );
    return row === undefined ? undefined : toStoredFile(row);
  }

  async read(fileId: string): Promise<Uint8Array> {
    if (!isUuid(fileId)) throw new StorageNotFoundError({ resource: `file ${fileId}` });
    const [row] = await this.#scope.query<{ bucket: BucketName; path: string }>(
      'update public.file_metadata set access_count = access_count + 1, last_accessed_at = now() where id = $1 returning bucket, path',
      [fileId],
    );
    if (row === undefined) throw new StorageNotFoundError({ resource: `file ${fileId}` });
    return this.#buckets.read(row.bucket, row.path);
  }

  async delete(fileId: string): Promise<boolean> {
    if (!isUuid(fileId)) return false;
    const [row] = await this.#scope.query<{ bucket: BucketName; path: string }>(DELETE, [fileId]);
    if (row === undefined) return false;
    // After the commit: bytes of a deleted row are garbage, bytes deleted under a kept row would be loss.
    await this.#buckets.delete(row.bucket, row.path).catch((error: unknown) => {
      this.#logger?.warn({ err: error, bucket: row.bucket, path: row.path }, 'file metadata deleted but its bytes could not be removed');
    });
    return true;
  }

  async list(options: { bucket?: BucketName; limit?: number } = {}): Promise<StoredFile[]> {
    const rows = await this.#scope.query<Row>(
      `select ${FILE_COLUMNS} from public.file_metadata f where f.owner_id = $1 and ($2::text is null or f.bucket = $2)
       order by f.created_at desc, f.id desc limit $3`,
      [this.#userId, options.bucket ?? null, listLimit(options.limit)],
    );
    return rows.map(toStoredFile);
  }

  async mapExternalId(externalId: string, source: ExternalIdSource, fileId: string): Promise<void> {
    if (!isUuid(fileId)) throw new StorageNotFoundError({ resource: `file ${fileId}` });
    // Selecting the file under row-level security first makes someone else's file "not found".
    const rows = await this.#scope.query(
      `insert into public.file_id_mappings (owner_id, external_id, source, file_id)
       select $1::uuid, $2, $3, f.id from public.file_metadata f where f.id = $4
       on conflict (owner_id, source, external_id) do update set file_id = excluded.file_id
       returning id`,
      [this.#userId, externalId, source, fileId],
    );
    if (rows.length === 0) throw new StorageNotFoundError({ resource: `file ${fileId}` });
  }

  async resolveExternalId(externalId: string, source: ExternalIdSource): Promise<StoredFile | undefined> {
    const [row] = await this.#scope.query<Row>(
      `select ${FILE_COLUMNS} from public.file_id_mappings m join public.file_metadata f on f.id = m.file_id
       where m.owner_id = $1 and m.source = $2 and m.external_id = $3`,
      [this.#userId, source, externalId],
    );
    return row === undefined ? undefined : toStoredFile(row);
  }

  async recordOperation(operation: NewFileOperation): Promise<void> {
    // A record, so it never fails over its file: one that is gone (or not the caller's) is left out.
    const fileId = operation.fileId !== undefined && isUuid(operation.fileId) ? operation.fileId : null;
    await this.#scope.query(
      `insert into public.file_operations (id, owner_id, file_id, operation, provider, status, bytes, duration_ms, error)
       values (coalesce($1::uuid, gen_random_uuid()), $2, (select id from public.file_metadata where id = $3::uuid), $4, $5, $6, $7, $8, $9)
       on conflict (id) do nothing`,
      [
        optionalUuid('id', operation.id) ?? null,
        this.#userId,
        fileId,
        operation.operation,
        operation.provider ?? null,
        operation.status,
        operation.bytes ?? null,
        operation.durationMs ?? null,
        operation.error ?? null,
      ],
    );
  }

  async listOperations(options: { fileId?: string; limit?: number } = {}): Promise<FileOperation[]> {
    if (options.fileId !== undefined && !isUuid(options.fileId)) return [];
    const rows = await this.#scope.query<Row>(
      `select ${FILE_OPERATION_COLUMNS} from public.file_operations
       where owner_id = $1 and ($2::uuid is null or file_id = $2) order by created_at desc, id desc limit $3`,
      [this.#userId, options.fileId ?? null, listLimit(options.limit)],
    );
    return rows.map(toFileOperation);
  }
}

function requireBucket(bucket: string): BucketName {
  if (!(BUCKETS as readonly string[]).includes(bucket)) {
    throw new InvalidStorageInputError({ field: 'bucket', message: `must be one of ${BUCKETS.join(', ')}, got ${JSON.stringify(bucket)}.` });
  }
  return bucket as BucketName;
}
