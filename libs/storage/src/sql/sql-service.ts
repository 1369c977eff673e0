import type { AuditRepository, ServiceStorage } from '../storage.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { DEFAULT_STORAGE_QUOTA_BYTES, type MetricSample, type QuotaSettings, type StoredMetricSample, type UserQuota } from '../storage-records.js';
import { SqlAudit } from './sql-audit.js';
import type { SqlScope } from './sql-scope.js';
import { selectQuota } from './sql-quota.js';
import { type Row, toMetricSample } from './sql-rows.js';
import { jsonParam, listLimit, requireUuid } from './sql-validation.js';

/** Cross-user operations under the `service_role` role. */
export class SqlService implements ServiceStorage {
  readonly audit: AuditRepository;
  readonly #scope: SqlScope;

  constructor(scope: SqlScope) {
    this.#scope = scope;
    this.audit = new SqlAudit(scope, undefined);
  }

  async expireConversations(now: Date = new Date()): Promise<number> {
    // Workflow states go when they expire, and with their expired thread.
    const [row] = await this.#scope.query<{ removed: unknown }>(
      `with expired as (
         delete from public.conversations where expires_at <= $1 returning continuation_id
       ), workflows as (
         delete from public.workflow_states where expires_at <= $1 or continuation_id in (select continuation_id from expired)
       )
       select count(*) as removed from expired`,
      [now],
    );
    return Number(row?.removed ?? 0);
  }

  async setQuota(userId: string, quota: QuotaSettings): Promise<UserQuota> {
    requireUuid(userId, 'userId');
    if (quota.storageQuotaBytes !== undefined && (!Number.isSafeInteger(quota.storageQuotaBytes) || quota.storageQuotaBytes < 0)) {
      throw new InvalidStorageInputError({ field: 'storageQuotaBytes', message: `must be a non-negative integer, got ${quota.storageQuotaBytes}.` });
    }
    return this.#scope.run(async (tx) => {
      // undefined keeps a setting, null clears a budget.
      await tx.query(
        `insert into public.user_quotas (user_id, storage_quota_bytes, monthly_token_budget, monthly_cost_budget_usd, updated_at)
         values ($1, coalesce($2::bigint, $7::bigint), $4::bigint, $6::numeric, now())
         on conflict (user_id) do update set
           storage_quota_bytes = coalesce($2::bigint, user_quotas.storage_quota_bytes),
           monthly_token_budget = case when $3::boolean then $4::bigint else user_quotas.monthly_token_budget end,
           monthly_cost_budget_usd = case when $5::boolean then $6::numeric else user_quotas.monthly_cost_budget_usd end,
           updated_at = now()`,
        [
          userId,
          quota.storageQuotaBytes ?? null,
          quota.monthlyTokenBudget !== undefined,
          quota.monthlyTokenBudget ?? null,
          quota.monthlyCostBudgetUsd !== undefined,
          quota.monthlyCostBudgetUsd ?? null,
          DEFAULT_STORAGE_QUOTA_BYTES,
        ],
      );
      return selectQuota(tx, userId);
    });
  }

  getQuota(userId: string): Promise<UserQuota> {
    requireUuid(userId, 'userId');
    return this.#scope.run((tx) => selectQuota(tx, userId));
  }

  async recordMetrics(samples: MetricSample[]): Promise<void> {
    if (samples.length === 0) return;
    for (const sample of samples) {
      if (typeof sample.name !== 'string' || sample.name === '') throw new InvalidStorageInputError({ field: 'name', message: 'a metric needs a name.' });
      if (!Number.isFinite(sample.value)) throw new InvalidStorageInputError({ field: 'value', message: `${sample.name}: ${sample.value} is not a finite number.` });
    }
    // One statement for the whole batch: the samples travel as one JSON parameter.
    const batch = samples.map((sample) => ({
      name: sample.name,
      value: sample.value,
      labels: sample.labels ?? {},
      recorded_at: sample.recordedAt?.toISOString() ?? null,
    }));
    await this.#scope.query(
      `insert into monitoring.metrics_raw (name, value, labels, recorded_at)
       select name, value, coalesce(labels, '{}'::jsonb), coalesce(recorded_at, now())
       from jsonb_to_recordset($1::jsonb) as sample (name text, value double precision, labels jsonb, recorded_at timestamptz)`,
      [jsonParam(batch)],
    );
  }

  async listMetrics(options: { name: string; since?: Date; limit?: number }): Promise<StoredMetricSample[]> {
    const rows = await this.#scope.query<Row>(
      `select name, value, labels, recorded_at from monitoring.metrics_raw
       where name = $1 and ($2::timestamptz is null or recorded_at >= $2) order by recorded_at desc, id desc limit $3`,
      [options.name, options.since ?? null, listLimit(options.limit, 100, 10_000)],
    );
    return rows.map(toMetricSample);
  }

  async purgeAudit(olderThan: Date): Promise<number> {
    // The only way audit rows leave: the function switches the append-only trigger off for itself.
    const [row] = await this.#scope.query<{ removed: unknown }>('select public.purge_audit_logs($1) as removed', [olderThan]);
    return Number(row?.removed ?? 0);
  }
}
