import { randomUUID } from 'node:crypto';
import type { RoutingDecisionRepository } from '../storage.js';
import type { NewRoutingDecision, RoutingDecisionRecord } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { copy, listLimit, newestFirst, type MemoryStore, toNumeric8, withoutSeq } from './memory-store.js';
import { isUuid } from '../validate-input.js';

/** Routing decisions of one user in a {@link MemoryStore}; appending an id that exists is a no-op. */
export function createMemoryRoutingDecisions(store: MemoryStore, userId: string): RoutingDecisionRepository {
  return {
    async append(input: NewRoutingDecision): Promise<void> {
      const id = input.id ?? randomUUID();
      if (!isUuid(id)) throw new InvalidStorageInputError({ field: 'id', message: 'must be a UUID' });
      if (input.toolCallId !== undefined && !isUuid(input.toolCallId)) throw new InvalidStorageInputError({ field: 'toolCallId', message: 'must be a UUID' });
      if (store.routingDecisions.has(id)) return;
      store.routingDecisions.set(id, {
        id,
        userId,
        toolCallId: input.toolCallId,
        tool: input.tool,
        mode: input.mode,
        category: input.category,
        chosenModel: input.chosenModel,
        chain: copy(input.chain ?? []),
        reasons: copy(input.reasons ?? []),
        rejected: copy(input.rejected ?? []),
        estimatedCostUsd: input.estimatedCostUsd === undefined ? undefined : toNumeric8(input.estimatedCostUsd),
        createdAt: new Date(input.createdAt ?? Date.now()),
        seq: store.nextSeq(),
      });
    },

    async list(options: { since?: Date; limit?: number } = {}): Promise<RoutingDecisionRecord[]> {
      const since = options.since?.getTime();
      const rows = [...store.routingDecisions.values()].filter((row) => row.userId === userId && (since === undefined || row.createdAt.getTime() >= since));
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },
  };
}
