import type { ServiceStorage } from '../storage.js';
import type { MetricSample, QuotaSettings, StoredMetricSample, UserQuota } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { createSupabaseAudit } from './supabase-activity.js';
import type { SupabaseGateway } from './supabase-gateway.js';
import { fetchQuota } from './supabase-quota.js';
import { METRIC_COLUMNS, toMetricSample, type MetricRow } from './supabase-rows.js';
import { listLimit, requireText, requireUuid } from './supabase-validation.js';

function nonNegative(value: number, field: string): number {
  if (!Number.isFinite(value) || value < 0) throw new InvalidStorageInputError({ field, message: `must be a number ≥ 0, got ${value}` });
  return value;
}

/** The daemon's own operations, always with the service-role key (which row-level security lets through). */
export function createSupabaseService(db: SupabaseGateway): ServiceStorage {
  const table = (name: string) => db.client.from(name);
  // `monitoring` is a schema of its own: postgrest-js sends it as `Accept-Profile`/`Content-Profile`.
  const metrics = () => db.client.schema('monitoring').from('metrics_raw');

  return {
    audit: createSupabaseAudit(db, undefined),

    async expireConversations(now: Date = new Date()): Promise<number> {
      const at = now.toISOString();
      const expired = await db.rows('service.expireConversations', table('conversations').delete().lte('expires_at', at).select('id'));
      await db.rows('service.expireConversations', table('workflow_states').delete().lte('expires_at', at));
      return expired.length;
    },

    async setQuota(userId: string, quota: QuotaSettings): Promise<UserQuota> {
      const id = requireUuid(userId, 'userId');
      const row: Record<string, unknown> = { user_id: id, updated_at: new Date().toISOString() };
      if (quota.storageQuotaBytes !== undefined) row['storage_quota_bytes'] = Math.floor(nonNegative(quota.storageQuotaBytes, 'storageQuotaBytes'));
      if (quota.monthlyTokenBudget !== undefined) {
        row['monthly_token_budget'] = quota.monthlyTokenBudget === null ? null : Math.floor(nonNegative(quota.monthlyTokenBudget, 'monthlyTokenBudget'));
      }
      if (quota.monthlyCostBudgetUsd !== undefined) {
        row['monthly_cost_budget_usd'] = quota.monthlyCostBudgetUsd === null ? null : nonNegative(quota.monthlyCostBudgetUsd, 'monthlyCostBudgetUsd');
      }
      // A merging upsert sets only the columns sent; the others keep their values (or defaults).
      await db.rows('service.setQuota', table('user_quotas').upsert(row, { onConflict: 'user_id' }));
      return fetchQuota(db, id, 'service.setQuota');
    },

    getQuota(userId: string): Promise<UserQuota> {
      return fetchQuota(db, requireUuid(userId, 'userId'), 'service.getQuota');
    },

    async recordMetrics(samples: MetricSample[]): Promise<void> {
      if (samples.length === 0) return;
      const now = new Date().toISOString();
      // One request for the batch. Every row carries every column: postgrest-js lists the union of
      // keys in `columns`, and a key missing from one row would be inserted as null.
      const rows = samples.map((sample) => {
        if (!Number.isFinite(sample.value)) throw new InvalidStorageInputError({ field: 'value', message: `metric ${sample.name} must be a finite number` });
        return { name: requireText(sample.name, 'name'), value: sample.value, labels: sample.labels ?? {}, recorded_at: sample.recordedAt?.toISOString() ?? now };
      });
      await db.rows('service.recordMetrics', metrics().insert(rows));
    },

    async listMetrics(options: { name: string; since?: Date; limit?: number }): Promise<StoredMetricSample[]> {
      let query = metrics().select(METRIC_COLUMNS).eq('name', options.name);
      if (options.since !== undefined) query = query.gte('recorded_at', options.since.toISOString());
      const rows = await db.rows<MetricRow>('service.listMetrics', query.order('recorded_at', { ascending: false }).limit(listLimit(options.limit, 1000)));
      return rows.map(toMetricSample);
    },

    async purgeAudit(olderThan: Date): Promise<number> {
      // The only way audit rows leave: `purge_audit_logs` (security definer, service role only)
      // lifts the append-only trigger for its own transaction.
      const removed = await db.send('service.purgeAudit', db.client.rpc('purge_audit_logs', { older_than: olderThan.toISOString() }));
      return Number(removed ?? 0);
    },
  };
}
