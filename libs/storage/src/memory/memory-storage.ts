import type { Storage, StorageStatus, UserStorage } from '../storage.js';
import type { StorageLogger } from '../journal/storage-logger.js';
import { createMemoryAudit } from './memory-audit.js';
import { createMemoryConversations } from './memory-conversations.js';
import { createMemoryFiles } from './memory-files.js';
import { createMemoryQuota } from './memory-quota.js';
import { createMemoryRoutingDecisions } from './memory-routing-decisions.js';
import { createMemoryService } from './memory-service.js';
import { createMemorySessions } from './memory-sessions.js';
import { MemoryStore } from './memory-store.js';
import { createMemoryToolCalls } from './memory-tool-calls.js';
import { createMemoryUploads } from './memory-uploads.js';
import { createMemoryUsage } from './memory-usage.js';
import { createMemoryWorkflows } from './memory-workflows.js';
import { requireUuid } from '../validate-input.js';

/** Options of {@link createMemoryStorage}. */
export interface MemoryStorageOptions {
  logger?: StorageLogger;
}

/**
 * Storage in this process's memory (`EXAI_STORAGE=memory`), for tests and throwaway use: everything
 * is lost when the process exits. It behaves like the SQL schema in `supabase/migrations`: a user
 * scope sees and changes only its own rows (the row-level security policies), the unique
 * constraints make repeated writes return the stored row, and defaults match the columns'.
 * Every answer is a copy; changing it changes nothing stored.
 *
 * @example
 * const storage = createMemoryStorage();
 * const alice = storage.forUser('0b6f1f3e-8f0e-4a53-9a8e-2f1f0c1d2e3f');
 * await alice.conversations.create({ continuationId: 'c-1', tool: 'chat' });
 * await alice.conversations.appendMessage('c-1', { role: 'user', content: 'Hi', idempotencyKey: 'turn-1' });
 */
export function createMemoryStorage(options: MemoryStorageOptions = {}): Storage {
  const store = new MemoryStore();
  const users = new Map<string, UserStorage>();
  options.logger?.debug({ kind: 'memory' }, 'storage: in memory; data is lost when the process exits');

  const forUser = (userId: string): UserStorage => {
    const id = requireUuid(userId, 'userId');
    let user = users.get(id);
    if (!user) {
      user = {
        userId: id,
        conversations: createMemoryConversations(store, id),
        files: createMemoryFiles(store, id),
        uploads: createMemoryUploads(store, id),
        audit: createMemoryAudit(store, id),
        usage: createMemoryUsage(store, id),
        toolCalls: createMemoryToolCalls(store, id),
        routingDecisions: createMemoryRoutingDecisions(store, id),
        sessions: createMemorySessions(store, id),
        workflows: createMemoryWorkflows(store, id),
        quota: createMemoryQuota(store, id),
      };
      users.set(id, user);
    }
    return user;
  };

  return {
    kind: 'memory',
    forUser,
    service: createMemoryService(store),
    status(): StorageStatus {
      return { kind: 'memory', state: 'up', journalBacklog: 0, journalReplayed: 0, location: 'memory', lastError: undefined };
    },
    // Nothing is pending and nothing is connected; the data stays readable until it is dropped.
    close(): Promise<void> {
      return Promise.resolve();
    },
  };
}
