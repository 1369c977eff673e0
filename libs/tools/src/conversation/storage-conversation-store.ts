import { randomUUID } from 'node:crypto';
import type { UserStorage } from '@exai/storage';
import type { ConversationTurn } from './conversation-memory.js';
import type { ConversationStore } from './conversation-store.js';

/** Settings of {@link StorageConversationStore}. */
export interface StorageConversationStoreOptions {
  /** How long a thread lives after its last turn (default 3 hours, `CONVERSATION_TIMEOUT_HOURS`). */
  ttlMs?: number;
  /** Most turns replayed per thread (default 20, `MAX_CONVERSATION_TURNS`). */
  maxTurns?: number;
  now?: () => number;
}

/**
 * Conversation threads in `@exai/storage` for one user: they survive restarts, are shared by daemon
 * replicas, and are visible to the user's other tools (`threads`, `activity`). Each turn is written
 * with an idempotency key, so a retried append stores it once.
 */
export class StorageConversationStore implements ConversationStore {
  private readonly ttlMs: number;
  private readonly maxTurns: number;
  private readonly now: () => number;

  constructor(
    private readonly storage: UserStorage,
    options: StorageConversationStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 3 * 60 * 60 * 1000;
    this.maxTurns = options.maxTurns ?? 20;
    this.now = options.now ?? Date.now;
  }

  get retention(): string {
    return StorageConversationStore.retention(this.ttlMs);
  }

  /** The retention a store with this TTL reports. */
  static retention(ttlMs: number = 3 * 60 * 60 * 1000): string {
    return `for ${ttlMs / 3_600_000} hours after the last turn, in storage`;
  }

  async create(tool: string): Promise<string> {
    const continuationId = randomUUID();
    await this.storage.conversations.create({ continuationId, tool, expiresAt: new Date(this.now() + this.ttlMs) });
    return continuationId;
  }

  async load(continuationId: string): Promise<readonly ConversationTurn[] | undefined> {
    const thread = await this.storage.conversations.loadThread(continuationId, { maxMessages: this.maxTurns });
    if (!thread) return undefined;
    const expiresAt = thread.conversation.expiresAt;
    if (expiresAt !== undefined && expiresAt.getTime() <= this.now()) return undefined;
    const turns: ConversationTurn[] = [];
    for (const message of thread.messages) {
      if (message.role !== 'user' && message.role !== 'assistant') continue;
      const turn: ConversationTurn = { role: message.role, content: message.content, tool: message.tool ?? 'chat', at: message.createdAt.getTime() };
      if (message.model !== undefined) turn.model = message.model;
      turns.push(turn);
    }
    return turns;
  }

  async append(continuationId: string, ...turns: ConversationTurn[]): Promise<void> {
    for (const turn of turns) {
      await this.storage.conversations.appendMessage(continuationId, {
        role: turn.role,
        content: turn.content,
        tool: turn.tool,
        ...(turn.model === undefined ? {} : { model: turn.model }),
        idempotencyKey: randomUUID(),
        createdAt: new Date(turn.at),
      });
    }
    await this.storage.conversations.update(continuationId, { expiresAt: new Date(this.now() + this.ttlMs) });
  }
}
