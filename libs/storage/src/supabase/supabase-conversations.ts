import { randomUUID } from 'node:crypto';
import type { ConversationRepository } from '../storage.js';
import type { Conversation, LoadThreadOptions, Message, NewConversation, NewMessage, StoredFile, Thread } from '../storage-records.js';
import { InvalidStorageInputError, StorageNotFoundError } from '../storage-errors.js';
import type { UserScope } from './supabase-gateway.js';
import {
  CONVERSATION_COLUMNS,
  FILE_COLUMNS,
  MESSAGE_COLUMNS,
  toConversation,
  toMessage,
  toStoredFile,
  type ConversationRow,
  type FileRow,
  type MessageRow,
} from './supabase-rows.js';
import { listLimit, requireText, requireUuid } from './supabase-validation.js';

/** `loadThread`'s default message budget. */
const DEFAULT_THREAD_MESSAGES = 50;
/** Supabase's PostgREST answers at most this many rows (`max_rows`). */
const MAX_ROWS = 1000;

const operation = (name: string): string => `conversations.${name}`;

/**
 * Threads of one owner through PostgREST. Every query filters on the owner column as well, which
 * under a user's token repeats what row-level security enforces (and leads with the owner, as the
 * indexes do), and under the service key is what keeps users apart.
 */
export function createSupabaseConversations({ db, ownerId }: UserScope): ConversationRepository {
  const table = (name: string) => db.client.from(name);

  const findRow = async (name: string, continuationId: string): Promise<ConversationRow | undefined> =>
    (
      await db.rows<ConversationRow>(
        operation(name),
        table('conversations').select(CONVERSATION_COLUMNS).eq('continuation_id', continuationId).eq('owner_id', ownerId).limit(1),
      )
    )[0];

  const findId = async (name: string, continuationId: string): Promise<string | undefined> =>
    (await db.rows<{ id: string }>(operation(name), table('conversations').select('id').eq('continuation_id', continuationId).eq('owner_id', ownerId).limit(1)))[0]?.id;

  /** Conversations of `rows`, with their parents' continuation ids looked up in one request. */
  const withParents = async (name: string, rows: ConversationRow[]): Promise<Conversation[]> => {
    const parentIds = [...new Set(rows.flatMap((row) => (row.parent_id === null ? [] : [row.parent_id])))];
    const parents = new Map<string, string>();
    if (parentIds.length > 0) {
      const found = await db.rows<{ id: string; continuation_id: string }>(
        operation(name),
        table('conversations').select('id,continuation_id').in('id', parentIds).eq('owner_id', ownerId),
      );
      for (const parent of found) parents.set(parent.id, parent.continuation_id);
    }
    return rows.map((row) => toConversation(row, row.parent_id === null ? undefined : parents.get(row.parent_id)));
  };

  return {
    async create(input: NewConversation): Promise<Conversation> {
      const continuationId = requireText(input.continuationId, 'continuationId');
      // A parent that is not the owner's (or no longer exists) leaves the branch unlinked, as in memory.
      const parentId = input.parentContinuationId === undefined ? undefined : await findId('create', input.parentContinuationId);
      const createdAt = input.createdAt?.toISOString();
      const row = {
        continuation_id: continuationId,
        owner_id: ownerId,
        tool: input.tool,
        parent_id: parentId,
        title: input.title,
        expires_at: input.expiresAt?.toISOString(),
        metadata: input.metadata ?? {},
        created_at: createdAt,
        updated_at: createdAt,
      };
      const inserted = await db.rows<ConversationRow>(
        operation('create'),
        table('conversations').upsert(row, { onConflict: 'continuation_id', ignoreDuplicates: true }).select(CONVERSATION_COLUMNS),
      );
      if (inserted[0]) return toConversation(inserted[0], parentId === undefined ? undefined : input.parentContinuationId);
      const existing = await findRow('create', continuationId);
      // `continuation_id` is unique across owners; another owner's thread is not revealed.
      if (!existing) throw new InvalidStorageInputError({ field: 'continuationId', message: 'is already in use' });
      return (await withParents('create', [existing]))[0] as Conversation;
    },

    async get(continuationId: string): Promise<Conversation | undefined> {
      const row = await findRow('get', continuationId);
      return row && (await withParents('get', [row]))[0];
    },

    async list(options: { limit?: number; before?: Date; tool?: string } = {}): Promise<Conversation[]> {
      let query = table('conversations').select(CONVERSATION_COLUMNS).eq('owner_id', ownerId);
      if (options.tool !== undefined) query = query.eq('tool', options.tool);
      if (options.before !== undefined) query = query.lt('updated_at', options.before.toISOString());
      const rows = await db.rows<ConversationRow>(
        operation('list'),
        query.order('updated_at', { ascending: false }).order('created_at', { ascending: false }).limit(listLimit(options.limit)),
      );
      return withParents('list', rows);
    },

    async update(continuationId, patch): Promise<boolean> {
      const changes: Record<string, unknown> = { updated_at: new Date().toISOString() };
      if (patch.title !== undefined) changes['title'] = patch.title;
      if (patch.expiresAt !== undefined) changes['expires_at'] = patch.expiresAt === null ? null : patch.expiresAt.toISOString();
      if (patch.metadata !== undefined) {
        // A PATCH sets values; it cannot say `metadata || $1`. Read, merge, write: two updates of the
        // same thread's metadata at once may lose a key (threads are updated by their one client).
        const current = await findRow('update', continuationId);
        if (!current) return false;
        changes['metadata'] = { ...current.metadata, ...patch.metadata };
      }
      const updated = await db.rows(
        operation('update'),
        table('conversations').update(changes).eq('continuation_id', continuationId).eq('owner_id', ownerId).select('id'),
      );
      return updated.length > 0;
    },

    async delete(continuationId: string): Promise<boolean> {
      // Turns and file links go with it (`on delete cascade`); branches keep living, unlinked.
      const deleted = await db.rows(operation('delete'), table('conversations').delete().eq('continuation_id', continuationId).eq('owner_id', ownerId).select('id'));
      return deleted.length > 0;
    },

    async appendMessage(continuationId: string, message: NewMessage): Promise<Message> {
      const conversationId = await findId('appendMessage', continuationId);
      if (conversationId === undefined) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
      const row = {
        conversation_id: conversationId,
        owner_id: ownerId,
        role: message.role,
        content: message.content,
        tool: message.tool,
        provider: message.provider,
        model: message.model,
        files: message.files ?? [],
        images: message.images ?? [],
        usage: message.usage,
        metadata: message.metadata ?? {},
        idempotency_key: message.idempotencyKey ?? randomUUID(),
        // Absent: the database's clock (`default now()`), the same one `updated_at` was set by.
        created_at: message.createdAt?.toISOString(),
      };
      const inserted = await db.rows<MessageRow>(
        operation('appendMessage'),
        table('messages').upsert(row, { onConflict: 'idempotency_key', ignoreDuplicates: true }).select(MESSAGE_COLUMNS),
      );
      const stored =
        inserted[0] ??
        (
          await db.rows<MessageRow>(
            operation('appendMessage'),
            table('messages').select(MESSAGE_COLUMNS).eq('idempotency_key', row.idempotency_key).eq('owner_id', ownerId).limit(1),
          )
        )[0];
      // `idempotency_key` is unique across owners: another owner's key is a conflict, not a match.
      if (!stored) throw new InvalidStorageInputError({ field: 'idempotencyKey', message: 'is already in use' });
      // Moves `updated_at` forward only (a replayed older turn leaves it), without reading it first.
      await db.rows(
        operation('appendMessage'),
        table('conversations').update({ updated_at: stored.created_at }).eq('id', conversationId).eq('owner_id', ownerId).lt('updated_at', stored.created_at),
      );
      return toMessage(stored);
    },

    async loadThread(continuationId: string, options: LoadThreadOptions = {}): Promise<Thread | undefined> {
      const row = await findRow('loadThread', continuationId);
      if (!row) return undefined;
      const maxMessages = Math.min(MAX_ROWS - 1, Math.max(0, Math.floor(options.maxMessages ?? DEFAULT_THREAD_MESSAGES)));
      const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
      // One request, newest first in index order (`messages_conversation_time_idx`); one row more
      // than the budget tells whether older turns were left out.
      const newest = await db.rows<MessageRow>(
        operation('loadThread'),
        table('messages')
          .select(MESSAGE_COLUMNS)
          .eq('conversation_id', row.id)
          .eq('owner_id', ownerId)
          .order('created_at', { ascending: false })
          .order('seq', { ascending: false })
          .limit(maxMessages + 1),
      );
      const picked: MessageRow[] = [];
      let chars = 0;
      for (const message of newest) {
        if (picked.length >= maxMessages) break;
        // The newest turn is always returned, whatever its size.
        if (picked.length > 0 && chars + message.content.length > maxChars) break;
        chars += message.content.length;
        picked.push(message);
      }
      const [conversation] = await withParents('loadThread', [row]);
      return { conversation: conversation as Conversation, messages: picked.reverse().map(toMessage), truncated: newest.length > picked.length };
    },

    async attachFile(continuationId: string, fileId: string): Promise<void> {
      const id = requireUuid(fileId, 'fileId');
      const conversationId = await findId('attachFile', continuationId);
      if (conversationId === undefined) throw new StorageNotFoundError({ resource: `conversation ${continuationId}` });
      const file = await db.rows(operation('attachFile'), table('file_metadata').select('id').eq('id', id).eq('owner_id', ownerId).limit(1));
      if (file.length === 0) throw new StorageNotFoundError({ resource: `file ${fileId}` });
      await db.rows(
        operation('attachFile'),
        table('conversation_files').upsert({ conversation_id: conversationId, file_id: id, owner_id: ownerId }, { onConflict: 'conversation_id,file_id', ignoreDuplicates: true }),
      );
    },

    async listFiles(continuationId: string): Promise<StoredFile[]> {
      const conversationId = await findId('listFiles', continuationId);
      if (conversationId === undefined) return [];
      // `file_metadata(...)` embeds the linked file through the `file_id` foreign key (a many-to-one).
      const links = await db.rows<{ file_metadata: FileRow | null }>(
        operation('listFiles'),
        table('conversation_files').select(`added_at,file_metadata(${FILE_COLUMNS})`).eq('conversation_id', conversationId).eq('owner_id', ownerId).order('added_at', { ascending: true }),
      );
      return links.flatMap((link) => (link.file_metadata && link.file_metadata.owner_id === ownerId ? [toStoredFile(link.file_metadata)] : []));
    },
  };
}
