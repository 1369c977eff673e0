import type { QuotaRepository } from '../storage.js';
import { DEFAULT_STORAGE_QUOTA_BYTES, type UserQuota } from '../storage-records.js';
import type { SqlExecutor } from './sql-client.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, toUserQuota } from './sql-rows.js';

/** A user's quota (defaults without a `user_quotas` row) and the bytes their files take now. */
export async function selectQuota(tx: SqlExecutor, userId: string): Promise<UserQuota> {
  const [row] = await tx.query<Row>(
    `select $1::uuid as user_id, coalesce(q.storage_quota_bytes, $2::bigint) as storage_quota_bytes,
            q.monthly_token_budget, q.monthly_cost_budget_usd,
            (select coalesce(sum(size_bytes), 0) from public.file_metadata where owner_id = $1::uuid) as storage_used_bytes
     from (select 1) one left join public.user_quotas q on q.user_id = $1::uuid`,
    [userId, DEFAULT_STORAGE_QUOTA_BYTES],
  );
  if (row === undefined) throw new Error('quota query returned no row');
  return toUserQuota(row);
}

/** The user's own quota (read-only: only the service role sets quotas). */
export class SqlQuota implements QuotaRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  get(): Promise<UserQuota> {
    return this.#scope.run((tx) => selectQuota(tx, this.#userId));
  }
}
