import type { ProviderUploadRepository } from '../storage.js';
import type { NewProviderUpload, ProviderName, ProviderUpload, UploadStatus } from '../storage-records.js';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import type { UserScope } from './supabase-gateway.js';
import { UPLOAD_COLUMNS, toProviderUpload, type UploadRow } from './supabase-rows.js';
import { listLimit, requireOneOf, requireSha256, requireText, requireUuid } from './supabase-validation.js';

const providers: readonly ProviderName[] = ['glm', 'kimi'];
const statuses: readonly UploadStatus[] = ['uploaded', 'deleted', 'expired', 'failed'];
/** Cleanup lists are read whole, up to what PostgREST answers at once. */
const CLEANUP_ROWS = 1000;

const operation = (name: string): string => `uploads.${name}`;

/**
 * A timestamp for a value inside `or=(…)`: `.` and `:` are reserved there, so it goes in double
 * quotes (https://docs.postgrest.org/en/v12/references/api/url_grammar.html#reserved-characters).
 */
const quoted = (at: Date): string => `"${at.toISOString()}"`;

/** Provider uploads of one owner; `(provider, provider_file_id)` is unique across owners. */
export function createSupabaseUploads({ db, ownerId }: UserScope): ProviderUploadRepository {
  const uploads = () => db.client.from('provider_file_uploads');

  const findByProviderId = async (provider: ProviderName, providerFileId: string): Promise<UploadRow | undefined> =>
    (
      await db.rows<UploadRow>(
        operation('record'),
        uploads().select(UPLOAD_COLUMNS).eq('provider', provider).eq('provider_file_id', providerFileId).eq('owner_id', ownerId).limit(1),
      )
    )[0];

  return {
    async record(input: NewProviderUpload): Promise<ProviderUpload> {
      const sha256 = requireSha256(input.sha256);
      const provider = requireOneOf(input.provider, providers, 'provider');
      const providerFileId = requireText(input.providerFileId, 'providerFileId');
      const existing = await findByProviderId(provider, providerFileId);
      if (existing) return toProviderUpload(existing);
      const fileId = input.fileId === undefined ? undefined : requireUuid(input.fileId, 'fileId');
      if (fileId !== undefined) {
        // Under a user's token a restrictive policy refuses a foreign file; under the service key this does.
        const own = await db.rows(operation('record'), db.client.from('file_metadata').select('id').eq('id', fileId).eq('owner_id', ownerId).limit(1));
        if (own.length === 0) throw new StorageNotFoundError({ resource: `file ${input.fileId}` });
      }
      const row = {
        owner_id: ownerId,
        file_id: fileId,
        sha256,
        provider,
        provider_file_id: providerFileId,
        filename: input.filename,
        size_bytes: input.sizeBytes,
        purpose: input.purpose,
        expires_at: input.expiresAt?.toISOString(),
      };
      const [inserted] = await db.rows<UploadRow>(
        operation('record'),
        uploads().upsert(row, { onConflict: 'provider,provider_file_id', ignoreDuplicates: true }).select(UPLOAD_COLUMNS),
      );
      const stored = inserted ?? (await findByProviderId(provider, providerFileId));
      if (!stored) throw new InvalidStorageInputError({ field: 'providerFileId', message: 'is already recorded' });
      return toProviderUpload(stored);
    },

    async find(sha256: string, provider: ProviderName): Promise<ProviderUpload | undefined> {
      const [row] = await db.rows<UploadRow>(
        operation('find'),
        uploads()
          .select(UPLOAD_COLUMNS)
          .eq('owner_id', ownerId)
          .eq('provider', provider)
          .eq('sha256', sha256)
          .eq('status', 'uploaded')
          .or(`expires_at.is.null,expires_at.gt.${quoted(new Date())}`)
          .order('created_at', { ascending: false })
          .limit(1),
      );
      return row && toProviderUpload(row);
    },

    async markUsed(uploadId: string, at?: Date): Promise<void> {
      const id = requireUuid(uploadId, 'uploadId');
      await db.rows(operation('markUsed'), uploads().update({ last_used_at: (at ?? new Date()).toISOString() }).eq('id', id).eq('owner_id', ownerId));
    },

    async setStatus(uploadId: string, status: UploadStatus): Promise<void> {
      const id = requireUuid(uploadId, 'uploadId');
      requireOneOf(status, statuses, 'status');
      await db.rows(operation('setStatus'), uploads().update({ status }).eq('id', id).eq('owner_id', ownerId));
    },

    async list(options: { provider?: ProviderName; status?: UploadStatus; limit?: number } = {}): Promise<ProviderUpload[]> {
      let query = uploads().select(UPLOAD_COLUMNS).eq('owner_id', ownerId);
      if (options.provider !== undefined) query = query.eq('provider', options.provider);
      if (options.status !== undefined) query = query.eq('status', options.status);
      const rows = await db.rows<UploadRow>(operation('list'), query.order('created_at', { ascending: false }).limit(listLimit(options.limit)));
      return rows.map(toProviderUpload);
    },

    async listOrphaned(provider?: ProviderName): Promise<ProviderUpload[]> {
      // `file_id` references `file_metadata` with `on delete set null`: a live upload without a
      // file id is one whose file was deleted, or never stored.
      let query = uploads().select(UPLOAD_COLUMNS).eq('owner_id', ownerId).eq('status', 'uploaded').is('file_id', null);
      if (provider !== undefined) query = query.eq('provider', provider);
      const rows = await db.rows<UploadRow>(operation('listOrphaned'), query.order('created_at', { ascending: false }).limit(CLEANUP_ROWS));
      return rows.map(toProviderUpload);
    },

    async listExpired(options: { now?: Date; unusedSince?: Date; provider?: ProviderName }): Promise<ProviderUpload[]> {
      const conditions = [`expires_at.lte.${quoted(options.now ?? new Date())}`];
      if (options.unusedSince !== undefined) conditions.push(`last_used_at.lt.${quoted(options.unusedSince)}`);
      let query = uploads().select(UPLOAD_COLUMNS).eq('owner_id', ownerId).eq('status', 'uploaded').or(conditions.join(','));
      if (options.provider !== undefined) query = query.eq('provider', options.provider);
      const rows = await db.rows<UploadRow>(operation('listExpired'), query.order('created_at', { ascending: false }).limit(CLEANUP_ROWS));
      return rows.map(toProviderUpload);
    },
  };
}
