import type { ServiceStorage } from '../storage.js';
import type { MetricSample, QuotaSettings, StoredMetricSample, UserQuota } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { createMemoryAudit } from './memory-audit.js';
import { quotaOf, userQuotaOf } from './memory-quota.js';
import { copy, listLimit, newestFirst, type MemoryStore, withoutSeq } from './memory-store.js';
import { requireUuid } from '../validate-input.js';

const nonNegative = (value: number, field: string): number => {
  if (!(Number.isFinite(value) && value >= 0)) throw new InvalidStorageInputError({ field, message: 'must be a number ≥ 0' });
  return value;
};

/** The service role's operations over a {@link MemoryStore} (it sees every user's rows). */
export function createMemoryService(store: MemoryStore): ServiceStorage {
  return {
    audit: createMemoryAudit(store, undefined),

    async expireConversations(now: Date = new Date()): Promise<number> {
      const at = now.getTime();
      const expired = new Set<string>();
      for (const row of [...store.conversations.values()]) {
        if (row.expiresAt !== undefined && row.expiresAt.getTime() <= at) {
          store.deleteConversation(row);
          expired.add(row.continuationId);
        }
      }
      // Workflow states go when they expire, and with their expired thread.
      for (const [key, state] of [...store.workflows]) {
        if ((state.expiresAt !== undefined && state.expiresAt.getTime() <= at) || expired.has(state.continuationId)) store.workflows.delete(key);
      }
      return expired.size;
    },

    async setQuota(userId: string, quota: QuotaSettings): Promise<UserQuota> {
      const id = requireUuid(userId, 'userId');
      const row = { ...quotaOf(store, id) };
      if (quota.storageQuotaBytes !== undefined) {
        if (!Number.isSafeInteger(quota.storageQuotaBytes) || quota.storageQuotaBytes < 0) {
          throw new InvalidStorageInputError({ field: 'storageQuotaBytes', message: `must be a non-negative integer, got ${quota.storageQuotaBytes}.` });
        }
        row.storageQuotaBytes = quota.storageQuotaBytes;
      }
      if (quota.monthlyTokenBudget !== undefined) {
        row.monthlyTokenBudget = quota.monthlyTokenBudget === null ? undefined : Math.floor(nonNegative(quota.monthlyTokenBudget, 'monthlyTokenBudget'));
      }
      if (quota.monthlyCostBudgetUsd !== undefined) {
        row.monthlyCostBudgetUsd = quota.monthlyCostBudgetUsd === null ? undefined : nonNegative(quota.monthlyCostBudgetUsd, 'monthlyCostBudgetUsd');
      }
      store.quotas.set(id, row);
      return userQuotaOf(store, id);
    },

    async getQuota(userId: string): Promise<UserQuota> {
      return userQuotaOf(store, requireUuid(userId, 'userId'));
    },

    async recordMetrics(samples: MetricSample[]): Promise<void> {
      for (const sample of samples) {
        if (typeof sample.name !== 'string' || sample.name === '') throw new InvalidStorageInputError({ field: 'name', message: 'a metric needs a name' });
        if (!Number.isFinite(sample.value)) throw new InvalidStorageInputError({ field: 'value', message: `metric ${sample.name} must be a finite number` });
        store.metrics.push({
          name: sample.name,
          value: sample.value,
          labels: copy(sample.labels ?? {}),
          recordedAt: new Date(sample.recordedAt ?? Date.now()),
          seq: store.nextSeq(),
        });
      }
    },

    async listMetrics(options: { name: string; since?: Date; limit?: number }): Promise<StoredMetricSample[]> {
      const since = options.since?.getTime();
      const rows = store.metrics.filter((row) => row.name === options.name && (since === undefined || row.recordedAt.getTime() >= since));
      return newestFirst(rows, (row) => row.recordedAt, listLimit(options.limit, 100, 10_000)).map((row) => withoutSeq(row));
    },

    async purgeAudit(olderThan: Date): Promise<number> {
      const before = olderThan.getTime();
      let removed = 0;
      for (const [id, entry] of [...store.audit]) {
        if (entry.createdAt.getTime() < before) {
          store.audit.delete(id);
          removed++;
        }
      }
      return removed;
    },
  };
}
