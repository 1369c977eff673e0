import type { ProviderUploadRepository } from '../storage.js';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import type { NewProviderUpload, ProviderName, ProviderUpload, UploadStatus } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, toProviderUpload, UPLOAD_COLUMNS } from './sql-rows.js';
import { isUuid, listLimit } from './sql-validation.js';

// "Live": uploaded and not past its expiry, i.e. still usable at the provider.
const LIVE = `status = 'uploaded' and (expires_at is null or expires_at > now())`;

/**
 * One user's provider uploads. Updates of an upload that does not exist (or is not the caller's)
 * change nothing and do not throw, so a retried or replayed write is always safe.
 */
export class SqlUploads implements ProviderUploadRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async record(input: NewProviderUpload): Promise<ProviderUpload> {
    if (input.fileId !== undefined && !isUuid(input.fileId)) throw new StorageNotFoundError({ resource: `file ${input.fileId}` });
    return this.#scope.run(async (tx) => {
      // The file is selected under row-level security: someone else's file inserts nothing.
      const [inserted] = await tx.query<Row>(
        `insert into public.provider_file_uploads (owner_id, file_id, sha256, provider, provider_file_id, filename, size_bytes, purpose, expires_at)
         select $1::uuid, $2::uuid, $3, $4, $5, $6, $7::bigint, $8, $9::timestamptz
         where $2::uuid is null or exists (select 1 from public.file_metadata where id = $2::uuid)
         on conflict (provider, provider_file_id) do nothing
         returning ${UPLOAD_COLUMNS}`,
        [
          this.#userId,
          input.fileId ?? null,
          input.sha256.toLowerCase(),
          input.provider,
          input.providerFileId,
          input.filename ?? null,
          input.sizeBytes ?? null,
          input.purpose ?? null,
          input.expiresAt ?? null,
        ],
      );
      if (inserted !== undefined) return toProviderUpload(inserted);
      const [stored] = await tx.query<Row>(`select ${UPLOAD_COLUMNS} from public.provider_file_uploads where provider = $1 and provider_file_id = $2`, [
        input.provider,
        input.providerFileId,
      ]);
      if (stored !== undefined) return toProviderUpload(stored);
      if (input.fileId !== undefined) throw new StorageNotFoundError({ resource: `file ${input.fileId}` });
      throw new InvalidStorageInputError({ field: 'providerFileId', message: `${input.provider} file ${input.providerFileId} is recorded for another user.` });
    });
  }

  async find(sha256: string, provider: ProviderName): Promise<ProviderUpload | undefined> {
    const [row] = await this.#scope.query<Row>(
      `select ${UPLOAD_COLUMNS} from public.provider_file_uploads
       where owner_id = $1 and provider = $2 and sha256 = $3 and ${LIVE} order by last_used_at desc limit 1`,
      [this.#userId, provider, sha256.toLowerCase()],
    );
    return row === undefined ? undefined : toProviderUpload(row);
  }

  async markUsed(uploadId: string, at?: Date): Promise<void> {
    if (!isUuid(uploadId)) return;
    await this.#scope.query('update public.provider_file_uploads set last_used_at = greatest(last_used_at, coalesce($2::timestamptz, now())) where id = $1', [
      uploadId,
      at ?? null,
    ]);
  }

  async setStatus(uploadId: string, status: UploadStatus): Promise<void> {
    if (!isUuid(uploadId)) return;
    await this.#scope.query('update public.provider_file_uploads set status = $2 where id = $1', [uploadId, status]);
  }

  async list(options: { provider?: ProviderName; status?: UploadStatus; limit?: number } = {}): Promise<ProviderUpload[]> {
    const rows = await this.#scope.query<Row>(
      `select ${UPLOAD_COLUMNS} from public.provider_file_uploads
       where owner_id = $1 and ($2::text is null or provider = $2) and ($3::text is null or status = $3)
       order by created_at desc, id desc limit $4`,
      [this.#userId, options.provider ?? null, options.status ?? null, listLimit(options.limit)],
    );
    return rows.map(toProviderUpload);
  }

  async listOrphaned(provider?: ProviderName): Promise<ProviderUpload[]> {
    const rows = await this.#scope.query<Row>(
      `select ${UPLOAD_COLUMNS} from public.provider_file_uploads u
       where u.owner_id = $1 and ${LIVE} and ($2::text is null or u.provider = $2)
         and (u.file_id is null or not exists (select 1 from public.file_metadata f where f.id = u.file_id))
       order by u.created_at, u.id`,
      [this.#userId, provider ?? null],
    );
    return rows.map(toProviderUpload);
  }

  async listExpired(options: { now?: Date; unusedSince?: Date; provider?: ProviderName }): Promise<ProviderUpload[]> {
    const rows = await this.#scope.query<Row>(
      `select ${UPLOAD_COLUMNS} from public.provider_file_uploads
       where owner_id = $1 and status = 'uploaded' and ($4::text is null or provider = $4)
         and (expires_at <= coalesce($2::timestamptz, now()) or last_used_at < $3::timestamptz)
       order by created_at, id`,
      [this.#userId, options.now ?? null, options.unusedSince ?? null, options.provider ?? null],
    );
    return rows.map(toProviderUpload);
  }
}
