import { randomUUID } from 'node:crypto';
import type { Message, UserStorage } from '@exai/storage';
import type { ConversationTurn } from './conversation-memory.js';
import {
  ConversationFullError,
  DEFAULT_CONVERSATION_TIMEOUT_HOURS,
  DEFAULT_MAX_CONVERSATION_TURNS,
  type ConversationStore,
} from './conversation-store.js';

/** Settings of {@link StorageConversationStore}. */
export interface StorageConversationStoreOptions {
  /** How long a thread lives after its last turn (default 24 hours, `CONVERSATION_TIMEOUT_HOURS`). */
  ttlMs?: number;
  /** Most turns per thread; a full thread refuses new turns (default 50, `MAX_CONVERSATION_TURNS`). */
  maxTurns?: number;
  now?: () => number;
}

const DEFAULT_TTL_MS = DEFAULT_CONVERSATION_TIMEOUT_HOURS * 3_600_000;

/**
 * Conversation threads in `@exai/storage` for one user: they survive restarts, are shared by daemon
 * replicas, and are visible to the user's other tools (`threads`, `activity`). A turn is stored as a
 * message with its `tool`, `model`, `provider`, `files` and `images`; the thread's own `tool` is the
 * one that started it. Each turn is written with an idempotency key, so a retried append stores it once.
 */
export class StorageConversationStore implements ConversationStore {
  private readonly ttlMs: number;
  readonly maxTurns: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: UserStorage,
    options: StorageConversationStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.maxTurns = options.maxTurns ?? DEFAULT_MAX_CONVERSATION_TURNS;
    this.now = options.now ?? Date.now;
  }

  get retention(): string {
    return StorageConversationStore.retention(this.ttlMs);
  }

  /** The retention a store with this TTL reports. */
  static retention(ttlMs: number = DEFAULT_TTL_MS): string {
    return `for ${ttlMs / 3_600_000} hours after the last turn, in storage`;
  }

  /**
   * A new thread's first turns are written without the checks `append` makes (a thread created
   * just now holds nothing, and its life already starts now): on PGlite that spares a read and an
   * update, two of the nine statements a new chat thread cost.
   */
  async create(tool: string, ...turns: ConversationTurn[]): Promise<string> {
    const continuationId = randomUUID();
    if (turns.length > this.maxTurns) throw new ConversationFullError(continuationId, this.maxTurns);
    await this.storage.conversations.create({ continuationId, tool, expiresAt: new Date(this.now() + this.ttlMs) });
    await this.write(continuationId, turns);
    return continuationId;
  }

  async load(continuationId: string): Promise<readonly ConversationTurn[] | undefined> {
    const messages = await this.messages(continuationId);
    if (!messages) return undefined;
    const turns: ConversationTurn[] = [];
    for (const message of messages) {
      if (message.role !== 'user' && message.role !== 'assistant') continue;
      const turn: ConversationTurn = { role: message.role, content: message.content, tool: message.tool ?? 'chat', at: message.createdAt.getTime() };
      if (message.model !== undefined) turn.model = message.model;
      if (message.provider !== undefined) turn.provider = message.provider;
      if (message.files.length > 0) turn.files = [...message.files];
      if (message.images.length > 0) turn.images = [...message.images];
      turns.push(turn);
    }
    return turns;
  }

  async append(continuationId: string, ...turns: ConversationTurn[]): Promise<void> {
    // The limit is checked against the stored thread, so every tool that appends is held to it. When
    // storage cannot answer (an outage the write journal covers), the write still goes through: the
    // limit was checked when the thread was loaded for this call, and losing the turn would be worse.
    const stored = await this.messages(continuationId).catch(() => undefined);
    if (stored && stored.length + turns.length > this.maxTurns) throw new ConversationFullError(continuationId, this.maxTurns);
    await this.write(continuationId, turns);
    await this.storage.conversations.update(continuationId, { expiresAt: new Date(this.now() + this.ttlMs) });
  }

  /** Stores turns in order, each with its own idempotency key. */
  private async write(continuationId: string, turns: readonly ConversationTurn[]): Promise<void> {
    for (const turn of turns) {
      await this.storage.conversations.appendMessage(continuationId, {
        role: turn.role,
        content: turn.content,
        tool: turn.tool,
        ...(turn.model === undefined ? {} : { model: turn.model }),
        ...(turn.provider === undefined ? {} : { provider: turn.provider }),
        ...(turn.files?.length ? { files: [...turn.files] } : {}),
        ...(turn.images?.length ? { images: [...turn.images] } : {}),
        idempotencyKey: randomUUID(),
        createdAt: new Date(turn.at),
      });
    }
  }

  /**
   * The live thread's messages (the newest `maxTurns + 1`, so a thread over the limit shows as
   * such), or undefined when it is unknown or expired.
   */
  private async messages(continuationId: string): Promise<Message[] | undefined> {
    const thread = await this.storage.conversations.loadThread(continuationId, { maxMessages: this.maxTurns + 1 });
    if (!thread) return undefined;
    const expiresAt = thread.conversation.expiresAt;
    if (expiresAt !== undefined && expiresAt.getTime() <= this.now()) return undefined;
    return thread.messages;
  }
}
