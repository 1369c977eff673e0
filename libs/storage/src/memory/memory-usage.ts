import { randomUUID } from 'node:crypto';
import type { UsageRepository } from '../storage.js';
import type { NewUsageEvent, UsageEvent, UsageTotals } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { copy, listLimit, newestFirst, type MemoryStore, type Sequenced, toNumeric8, withoutSeq } from './memory-store.js';
import { isUuid } from '../validate-input.js';

/** Usage events of one user in a {@link MemoryStore}; appending an id that exists is a no-op. */
export function createMemoryUsage(store: MemoryStore, userId: string): UsageRepository {
  const own = (): Array<Sequenced<UsageEvent>> => [...store.usage.values()].filter((row) => row.userId === userId);

  return {
    async append(input: NewUsageEvent): Promise<void> {
      const id = input.id ?? randomUUID();
      if (!isUuid(id)) throw new InvalidStorageInputError({ field: 'id', message: 'must be a UUID' });
      if (store.usage.has(id)) return;
      store.usage.set(id, {
        id,
        userId,
        provider: input.provider,
        model: input.model,
        tool: input.tool,
        continuationId: input.continuationId,
        usage: copy(input.usage),
        webSearchCalls: input.webSearchCalls ?? 0,
        costUsd: toNumeric8(input.costUsd),
        createdAt: new Date(input.createdAt ?? Date.now()),
        seq: store.nextSeq(),
      });
    },

    async list(options: { since?: Date; limit?: number } = {}): Promise<UsageEvent[]> {
      const since = options.since?.getTime();
      const rows = own().filter((row) => since === undefined || row.createdAt.getTime() >= since);
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },

    async totalsByDay(options: { since: Date; until?: Date }): Promise<UsageTotals[]> {
      const since = options.since.getTime();
      const until = (options.until ?? new Date()).getTime();
      const days = new Map<string, UsageTotals>();
      for (const row of own()) {
        const at = row.createdAt.getTime();
        if (at < since || at >= until) continue;
        const day = row.createdAt.toISOString().slice(0, 10);
        const total = days.get(day) ?? { day, calls: 0, inputTokens: 0, outputTokens: 0, totalTokens: 0, costUsd: 0 };
        total.calls++;
        total.inputTokens += row.usage.inputTokens;
        total.outputTokens += row.usage.outputTokens;
        total.totalTokens += row.usage.totalTokens;
        total.costUsd = toNumeric8(total.costUsd + row.costUsd);
        days.set(day, total);
      }
      return [...days.values()].sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
    },
  };
}
