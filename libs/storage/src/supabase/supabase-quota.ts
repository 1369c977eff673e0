import type { QuotaRepository } from '../storage.js';
import { DEFAULT_STORAGE_QUOTA_BYTES, type UserQuota } from '../storage-records.js';
import type { SupabaseGateway, UserScope } from './supabase-gateway.js';
import type { QuotaRow } from './supabase-rows.js';

/**
 * The quota of `userId` and the bytes they store, in one call of `exai_storage_quota`
 * (supabase/migrations/20261124000300_rpc.sql): PostgREST cannot sum `size_bytes` itself, as
 * Supabase leaves its aggregates off. A user without a `user_quotas` row gets the defaults.
 */
export async function fetchQuota(db: SupabaseGateway, userId: string, operation: string): Promise<UserQuota> {
  const [row] = await db.rows<QuotaRow>(operation, db.client.rpc('exai_storage_quota', { p_user_id: userId }));
  return {
    userId,
    storageQuotaBytes: row?.storage_quota_bytes == null ? DEFAULT_STORAGE_QUOTA_BYTES : Number(row.storage_quota_bytes),
    storageUsedBytes: Number(row?.storage_used_bytes ?? 0),
    monthlyTokenBudget: row?.monthly_token_budget == null ? undefined : Number(row.monthly_token_budget),
    monthlyCostBudgetUsd: row?.monthly_cost_budget_usd == null ? undefined : Number(row.monthly_cost_budget_usd),
  };
}

/** The quota repository of one user. */
export function createSupabaseQuota({ db, ownerId }: UserScope): QuotaRepository {
  return {
    get: () => fetchQuota(db, ownerId, 'quota.get'),
  };
}
