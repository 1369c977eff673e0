import type { QuotaRepository } from '../storage.js';
import { DEFAULT_STORAGE_QUOTA_BYTES, type UserQuota } from '../storage-records.js';
import type { MemoryStore, QuotaRow } from './memory-store.js';

/** The owner's `user_quotas` row, or the defaults when there is none (10 GB, no budgets). */
export function quotaOf(store: MemoryStore, userId: string): QuotaRow {
  return store.quotas.get(userId) ?? { storageQuotaBytes: DEFAULT_STORAGE_QUOTA_BYTES, monthlyTokenBudget: undefined, monthlyCostBudgetUsd: undefined };
}

/** The quota of `userId` and the bytes they store now. */
export function userQuotaOf(store: MemoryStore, userId: string): UserQuota {
  return { userId, ...quotaOf(store, userId), storageUsedBytes: store.usedBytes(userId) };
}

/** The quota repository of one user. */
export function createMemoryQuota(store: MemoryStore, userId: string): QuotaRepository {
  return {
    async get(): Promise<UserQuota> {
      return userQuotaOf(store, userId);
    },
  };
}
