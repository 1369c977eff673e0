import { randomUUID } from 'node:crypto';
import type { ConversationRepository } from '../storage.js';
import type { Conversation, LoadThreadOptions, Message, NewConversation, NewMessage, StoredFile, Thread } from '../storage-records.js';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import { copy, listLimit, type ConversationRow, type MemoryStore, type MessageRow, withoutSeq } from './memory-store.js';
import { selectThreadWindow } from './select-thread-window.js';

/** The `Conversation` of a row, with the parent's continuation id looked up (it may be gone). */
function toConversation(store: MemoryStore, row: ConversationRow): Conversation {
  const { parentId, seq: _seq, ...rest } = copy(row);
  let parentContinuationId: string | undefined;
  if (parentId !== undefined) {
    for (const candidate of store.conversations.values()) if (candidate.id === parentId) parentContinuationId = candidate.continuationId;
  }
  return { ...rest, parentContinuationId };
}

function toMessage(row: MessageRow): Message {
  const { ownerId: _ownerId, ...message } = withoutSeq(row);
  return message;
}

/**
 * Threads of one owner in a {@link MemoryStore}: as under the schema's row-level security, a thread
 * of another owner is invisible (reads find nothing, changes change nothing).
 */
export function createMemoryConversations(store: MemoryStore, ownerId: string): ConversationRepository {
  const own = (continuationId: string): ConversationRow | undefined => {
    const row = store.conversations.get(continuationId);
    return row?.ownerId === ownerId ? row : undefined;
  };
  const messagesOf = (row: ConversationRow): MessageRow[] => store.messages.get(row.id) ?? [];

  return {
    async create(input: NewConversation): Promise<Conversation> {
      if (typeof input.continuationId !== 'string' || input.continuationId === '') {
        throw new InvalidStorageInputError({ field: 'continuationId', message: 'must be a non-empty string' });
      }
      const existing = store.conversations.get(input.continuationId);
      if (existing) {
        // `continuation_id` is unique across owners; another owner's thread is not revealed.
        if (existing.ownerId !== ownerId) throw new InvalidStorageInputError({ field: 'continuationId', message: 'is already in use' });
        return toConversation(store, existing);
      }
      const createdAt = new Date(input.createdAt ?? Date.now());
      const parent = input.parentContinuationId === undefined ? undefined : own(input.parentContinuationId);
      const row: ConversationRow = {
        id: randomUUID(),
        continuationId: input.continuationId,
        ownerId,
        tool: input.tool,
        parentId: parent?.id,
        title: input.title,
        expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt),
        metadata: copy(input.metadata ?? {}),
        createdAt,
        updatedAt: new Date(createdAt),
        seq: store.nextSeq(),
      };
      store.conversations.set(row.continuationId, row);
      store.messages.set(row.id, []);
      return toConversation(store, row);
    },

    async get(continuationId: string): Promise<Conversation | undefined> {
      const row = own(continuationId);
      return row && toConversation(store, row);
    },

    async list(options: { limit?: number; before?: Date; tool?: string } = {}): Promise<Conversation[]> {
      const before = options.before?.getTime();
      const rows = [...store.conversations.values()].filter(
        (row) => row.ownerId === ownerId && (options.tool === undefined || row.tool === options.tool) && (before === undefined || row.updatedAt.getTime() < before),
      );
      rows.sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || b.seq - a.seq);
      return rows.slice(0, listLimit(options.limit)).map((row) => toConversation(store, row));
    },

    async update(continuationId, patch): Promise<boolean> {
      const row = own(continuationId);
      if (!row) return false;
      if (patch.title !== undefined) row.title = patch.title;
      if (patch.expiresAt !== undefined) row.expiresAt = patch.expiresAt === null ? undefined : new Date(patch.expiresAt);
      if (patch.metadata !== undefined) row.metadata = { ...row.metadata, ...copy(patch.metadata) };
      const now = new Date();
      if (now.getTime() > row.updatedAt.getTime()) row.updatedAt = now;
      return true;
    },

    async delete(continuationId: string): Promise<boolean> {
      const row = own(continuationId);
      if (!row) return false;
      store.deleteConversation(row);
      return true;
    },

    async appendMessage(continuationId: string, input: NewMessage): Promise<Message> {
      const row = own(continuationId);
      if (!row) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
      const idempotencyKey = input.idempotencyKey ?? randomUUID();
      const stored = store.messageKeys.get(idempotencyKey);
      if (stored) {
        // `idempotency_key` is unique across owners: another owner's key is a conflict, not a match.
        if (stored.ownerId !== ownerId) throw new InvalidStorageInputError({ field: 'idempotencyKey', message: 'is already in use' });
        return toMessage(stored);
      }
      const message: MessageRow = {
        id: randomUUID(),
        conversationId: row.id,
        role: input.role,
        content: input.content,
        tool: input.tool,
        provider: input.provider,
        model: input.model,
        files: copy(input.files ?? []),
        images: copy(input.images ?? []),
        usage: input.usage === undefined ? undefined : copy(input.usage),
        metadata: copy(input.metadata ?? {}),
        idempotencyKey,
        createdAt: new Date(input.createdAt ?? Date.now()),
        ownerId,
        seq: store.nextSeq(),
      };
      const turns = messagesOf(row);
      // Ordered like `messages_conversation_time_idx`: created_at, then seq.
      let at = turns.length;
      while (at > 0 && (turns[at - 1] as MessageRow).createdAt.getTime() > message.createdAt.getTime()) at--;
      turns.splice(at, 0, message);
      store.messages.set(row.id, turns);
      store.messageKeys.set(idempotencyKey, message);
      // As the SQL adapters: greatest(updated_at, the turn's created_at).
      if (message.createdAt.getTime() > row.updatedAt.getTime()) row.updatedAt = new Date(message.createdAt);
      return toMessage(message);
    },

    async loadThread(continuationId: string, options?: LoadThreadOptions): Promise<Thread | undefined> {
      const row = own(continuationId);
      if (!row) return undefined;
      const window = selectThreadWindow(messagesOf(row), options);
      return { conversation: toConversation(store, row), messages: window.messages.map((message) => toMessage(message as MessageRow)), truncated: window.truncated };
    },

    async attachFile(continuationId: string, fileId: string): Promise<void> {
      const row = own(continuationId);
      if (!row) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
      const file = store.files.get(fileId);
      if (file?.ownerId !== ownerId) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      const links = store.conversationFiles.get(row.id) ?? new Map<string, Date>();
      if (!links.has(fileId)) links.set(fileId, new Date());
      store.conversationFiles.set(row.id, links);
    },

    async listFiles(continuationId: string): Promise<StoredFile[]> {
      const row = own(continuationId);
      if (!row) return [];
      const links = [...(store.conversationFiles.get(row.id) ?? new Map<string, Date>())].sort((a, b) => a[1].getTime() - b[1].getTime());
      const files: StoredFile[] = [];
      for (const [fileId] of links) {
        const file = store.files.get(fileId);
        if (file) {
          const { accessCount: _accessCount, ...stored } = withoutSeq(file);
          files.push(stored);
        }
      }
      return files;
    },
  };
}
