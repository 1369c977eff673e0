import { randomUUID } from 'node:crypto';
import type { AuditRepository } from '../storage.js';
import type { AuditEntry, NewAuditEntry } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { copy, listLimit, newestFirst, type MemoryStore, type Sequenced, withoutSeq } from './memory-store.js';
import { isUuid, requireUuid } from '../validate-input.js';

/**
 * The append-only audit trail in a {@link MemoryStore}. A user (`userId`) records and reads only
 * their own entries; the service scope (`userId` undefined) records for anyone, or no one, and reads
 * all. Appending an id that exists is a no-op.
 */
export function createMemoryAudit(store: MemoryStore, userId: string | undefined): AuditRepository {
  return {
    async append(input: NewAuditEntry): Promise<void> {
      const id = input.id ?? randomUUID();
      if (!isUuid(id)) throw new InvalidStorageInputError({ field: 'id', message: 'must be a UUID' });
      if (store.audit.has(id)) return;
      const entry: Sequenced<AuditEntry> = {
        id,
        // A user scope always records its own id (the insert policy checks `user_id = auth.uid()`).
        userId: userId ?? (input.userId === undefined ? undefined : requireUuid(input.userId, 'userId')),
        action: input.action,
        resource: input.resource,
        outcome: input.outcome,
        ip: input.ip,
        details: copy(input.details ?? {}),
        createdAt: new Date(input.createdAt ?? Date.now()),
        seq: store.nextSeq(),
      };
      store.audit.set(id, entry);
    },

    async list(options: { action?: string; since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
      const since = options.since?.getTime();
      const rows = [...store.audit.values()].filter(
        (row) =>
          (userId === undefined || row.userId === userId) &&
          (options.action === undefined || row.action === options.action) &&
          (since === undefined || row.createdAt.getTime() >= since),
      );
      return newestFirst(rows, (row) => row.createdAt, listLimit(options.limit)).map((row) => withoutSeq(row));
    },
  };
}
