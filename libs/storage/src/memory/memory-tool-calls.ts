import { randomUUID } from 'node:crypto';
import type { ToolCallRepository } from '../storage.js';
import type { NewToolCall, ToolCall, ToolCallFilter, ToolCallFinish } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { listLimit, newestFirst, type MemoryStore, withoutSeq } from './memory-store.js';
import { isUuid } from '../validate-input.js';

/** Tool calls of one user in a {@link MemoryStore}; starting an id that exists is a no-op. */
export function createMemoryToolCalls(store: MemoryStore, userId: string): ToolCallRepository {
  return {
    async start(input: NewToolCall): Promise<string> {
      const id = input.id ?? randomUUID();
      if (!isUuid(id)) throw new InvalidStorageInputError({ field: 'id', message: 'must be a UUID' });
      const existing = store.toolCalls.get(id);
      // `on conflict (id) do nothing`, whoever's the row is.
      if (existing) return id;
      store.toolCalls.set(id, {
        id,
        userId,
        sessionId: input.sessionId,
        tool: input.tool,
        status: 'running',
        continuationId: input.continuationId,
        provider: undefined,
        model: undefined,
        durationMs: undefined,
        errorCode: undefined,
        errorMessage: undefined,
        startedAt: new Date(input.startedAt ?? Date.now()),
        finishedAt: undefined,
        seq: store.nextSeq(),
      });
      return id;
    },

    async finish(id: string, outcome: ToolCallFinish): Promise<void> {
      const row = store.toolCalls.get(id);
      // An update under row-level security: another user's call (or none) is simply not matched.
      if (row?.userId !== userId) return;
      row.status = outcome.status;
      if (outcome.durationMs !== undefined) row.durationMs = Math.round(outcome.durationMs);
      if (outcome.provider !== undefined) row.provider = outcome.provider;
      if (outcome.model !== undefined) row.model = outcome.model;
      if (outcome.continuationId !== undefined) row.continuationId = outcome.continuationId;
      row.errorCode = outcome.errorCode;
      row.errorMessage = outcome.errorMessage;
      row.finishedAt = new Date(outcome.finishedAt ?? Date.now());
    },

    async list(filter: ToolCallFilter = {}): Promise<ToolCall[]> {
      const since = filter.since?.getTime();
      const rows = [...store.toolCalls.values()].filter(
        (row) =>
          row.userId === userId &&
          (filter.tool === undefined || row.tool === filter.tool) &&
          (filter.status === undefined || row.status === filter.status) &&
          (since === undefined || row.startedAt.getTime() >= since),
      );
      return newestFirst(rows, (row) => row.startedAt, listLimit(filter.limit, 50, 500)).map((row) => withoutSeq(row));
    },
  };
}
