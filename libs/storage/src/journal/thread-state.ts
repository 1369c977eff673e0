import type { Conversation, LoadThreadOptions, Message, NewConversation, NewMessage, Thread } from '../storage-records.js';
import { deepCopy } from '../memory/deep-copy.js';
import { selectThreadWindow } from '../memory/select-thread-window.js';
import type { ConversationPatch, OperationArgs } from './journal-operations.js';
import type { JournalEntry } from './write-journal.js';

/** What is known about one thread: from reads, writes, and journaled writes. */
export interface ThreadState {
  /** Undefined: the thread is known not to exist (never created, or deleted). */
  conversation: Conversation | undefined;
  /** Known turns, oldest first. */
  messages: Message[];
  /** True when older turns than `messages[0]` may exist. */
  partial: boolean;
}

/** Most turns kept per cached thread (the oldest go first, and the state becomes partial). */
export const MAX_CACHED_MESSAGES = 500;

/** The later of two dates (`greatest(a, b)`). */
export const later = (a: Date, b: Date): Date => (a.getTime() >= b.getTime() ? a : b);

const absent = (): ThreadState => ({ conversation: undefined, messages: [], partial: false });

/** The conversation a journaled `create` answers with; `id` is provisional (the database assigns the real one). */
export function buildConversation(input: NewConversation, id: string, ownerId: string): Conversation {
  const createdAt = new Date(input.createdAt ?? Date.now());
  return {
    id,
    continuationId: input.continuationId,
    ownerId,
    tool: input.tool,
    parentContinuationId: input.parentContinuationId,
    title: input.title,
    expiresAt: input.expiresAt,
    metadata: deepCopy(input.metadata ?? {}),
    createdAt,
    updatedAt: new Date(createdAt),
  };
}

/** The message a journaled `appendMessage` answers with; `id` is provisional, the idempotency key is final. */
export function buildMessage(conversationId: string, input: NewMessage & { idempotencyKey: string; createdAt: Date }, id: string): Message {
  return {
    id,
    conversationId,
    role: input.role,
    content: input.content,
    tool: input.tool,
    provider: input.provider,
    model: input.model,
    files: deepCopy(input.files ?? []),
    images: deepCopy(input.images ?? []),
    usage: input.usage === undefined ? undefined : deepCopy(input.usage),
    metadata: deepCopy(input.metadata ?? {}),
    idempotencyKey: input.idempotencyKey,
    createdAt: input.createdAt,
  };
}

/** Applies `conversations.update`'s patch as the adapters do (metadata merged, `expiresAt: null` clears, `updatedAt` never goes back). */
export function patchConversation(conversation: Conversation, patch: ConversationPatch, at: Date): Conversation {
  const patched: Conversation = { ...conversation, metadata: { ...conversation.metadata, ...deepCopy(patch.metadata ?? {}) }, updatedAt: later(conversation.updatedAt, at) };
  if (patch.title !== undefined) patched.title = patch.title;
  if (patch.expiresAt !== undefined) patched.expiresAt = patch.expiresAt ?? undefined;
  return patched;
}

/** Adds a turn unless its idempotency key is known, keeping `createdAt` order (later writes last on ties). */
export function addMessage(state: ThreadState, message: Message): ThreadState {
  if (state.messages.some((known) => known.idempotencyKey === message.idempotencyKey)) return state;
  const messages = [...state.messages];
  let at = messages.length;
  while (at > 0 && (messages[at - 1] as Message).createdAt.getTime() > message.createdAt.getTime()) at--;
  messages.splice(at, 0, message);
  const trimmed = messages.length > MAX_CACHED_MESSAGES;
  return { ...state, messages: trimmed ? messages.slice(-MAX_CACHED_MESSAGES) : messages, partial: state.partial || trimmed };
}

/** The continuation id a journaled thread write concerns, or undefined for other writes. */
export function threadOf(entry: JournalEntry): string | undefined {
  switch (entry.op) {
    case 'conversations.create':
      return (entry.args as OperationArgs<'conversations.create'>)[0].continuationId;
    case 'conversations.update':
    case 'conversations.delete':
    case 'conversations.appendMessage':
      return entry.args[0] as string;
    default:
      return undefined;
  }
}

/**
 * What `state` becomes after a journaled write of its thread. `undefined` stays undefined (nothing
 * known) unless the write tells enough: a `create`, a `delete`, or an `appendMessage` that carries
 * the thread it was written to (`context.conversation`). Applying a write twice gives the same state,
 * as replaying it does in the database.
 */
export function foldThreadEntry(state: ThreadState | undefined, entry: JournalEntry): ThreadState | undefined {
  const at = new Date(entry.at);
  const context = entry.context ?? {};
  switch (entry.op) {
    case 'conversations.create': {
      if (state?.conversation) return state;
      const [input] = entry.args as OperationArgs<'conversations.create'>;
      return { conversation: buildConversation(input, String(context['id']), entry.scope), messages: [], partial: false };
    }
    case 'conversations.update': {
      if (!state?.conversation) return state;
      const [, patch] = entry.args as OperationArgs<'conversations.update'>;
      return { ...state, conversation: patchConversation(state.conversation, patch, at) };
    }
    case 'conversations.delete':
      return absent();
    case 'conversations.appendMessage': {
      const known = context['conversation'] as Conversation | undefined;
      const base = state ?? (known ? { conversation: known, messages: [], partial: true } : undefined);
      if (!base?.conversation) return base;
      const [, input] = entry.args as OperationArgs<'conversations.appendMessage'>;
      const message = buildMessage(base.conversation.id, input as NewMessage & { idempotencyKey: string; createdAt: Date }, String(context['id']));
      const added = addMessage(base, message);
      // As the adapters: a new turn moves the thread's updatedAt to greatest(updatedAt, the turn's createdAt).
      return added === base ? base : { ...added, conversation: { ...base.conversation, updatedAt: later(base.conversation.updatedAt, message.createdAt) } };
    }
    default:
      return state;
  }
}

/** Folds every entry of `entries` that concerns `continuationId` in `scope`, in order. */
export function foldThreadEntries(state: ThreadState | undefined, entries: readonly JournalEntry[], scope: string, continuationId: string): ThreadState | undefined {
  let folded = state;
  for (const entry of entries) if (entry.scope === scope && threadOf(entry) === continuationId) folded = foldThreadEntry(folded, entry);
  return folded;
}

/**
 * The cached state after a database `loadThread`: a complete answer replaces what was known; a
 * truncated one is joined to the known older turns when it overlaps them.
 */
export function mergeLoadedThread(cached: ThreadState | undefined, loaded: Thread | undefined): ThreadState {
  if (!loaded) return absent();
  if (!loaded.truncated) return { conversation: loaded.conversation, messages: [...loaded.messages], partial: false };
  const oldest = loaded.messages[0];
  const overlap = oldest && cached?.conversation?.id === loaded.conversation.id ? cached.messages.findIndex((message) => message.idempotencyKey === oldest.idempotencyKey) : -1;
  if (overlap < 0 || !cached) return { conversation: loaded.conversation, messages: [...loaded.messages], partial: true };
  return { conversation: loaded.conversation, messages: [...cached.messages.slice(0, overlap), ...loaded.messages], partial: cached.partial };
}

/** The cached state after a database `get`: the conversation replaced, its known turns kept. */
export function mergeLoadedConversation(cached: ThreadState | undefined, conversation: Conversation | undefined): ThreadState {
  if (!conversation) return absent();
  if (cached?.conversation?.id === conversation.id) return { ...cached, conversation };
  return { conversation, messages: [], partial: true };
}

/** The thread `loadThread` answers from a state: the budget applied, `truncated` when older turns were left out or may exist. */
export function viewThread(state: ThreadState, options?: LoadThreadOptions): Thread | undefined {
  if (!state.conversation) return undefined;
  const window = selectThreadWindow(state.messages, options);
  return deepCopy({ conversation: state.conversation, messages: window.messages, truncated: window.truncated || state.partial });
}
