import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@exai/router/spec';
import type { ConversationStore } from './conversation-store.js';

/** One stored turn of a conversation. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
  tool: string;
  model?: string;
  at: number;
}

/** Settings of the in-process conversation store. */
export interface ConversationMemoryOptions {
  /** How long a thread lives after its last turn (default 3 hours). */
  ttlMs?: number;
  /** Most turns kept per thread; older ones are dropped (default 20). */
  maxTurns?: number;
  /** Most threads kept; the least recently used is evicted (default 1000). */
  maxThreads?: number;
  now?: () => number;
}

interface Thread {
  turns: ConversationTurn[];
  updatedAt: number;
}

/**
 * Conversation threads keyed by `continuation_id`, kept in memory for this process. History is
 * replayed to the model as messages (the original system stored it and never sent it back).
 */
export class ConversationMemory implements ConversationStore {
  private readonly threads = new Map<string, Thread>();
  private readonly ttlMs: number;
  private readonly maxTurns: number;
  private readonly maxThreads: number;
  private readonly now: () => number;

  constructor(options: ConversationMemoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? 3 * 60 * 60 * 1000;
    this.maxTurns = options.maxTurns ?? 20;
    this.maxThreads = options.maxThreads ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get retention(): string {
    return `for ${this.ttlHours} hours in this server process`;
  }

  /** Starts a thread and returns its id. */
  async create(): Promise<string> {
    const id = randomUUID();
    this.threads.set(id, { turns: [], updatedAt: this.now() });
    this.evict();
    return id;
  }

  /** The thread's turns, oldest first, or undefined when it is unknown or expired. */
  async load(id: string): Promise<readonly ConversationTurn[] | undefined> {
    const thread = this.threads.get(id);
    if (!thread) return undefined;
    if (this.now() - thread.updatedAt > this.ttlMs) {
      this.threads.delete(id);
      return undefined;
    }
    return thread.turns;
  }

  /** Appends turns to a thread, keeping the newest `maxTurns`. */
  async append(id: string, ...turns: ConversationTurn[]): Promise<void> {
    const thread = this.threads.get(id) ?? { turns: [], updatedAt: this.now() };
    thread.turns.push(...turns);
    if (thread.turns.length > this.maxTurns) thread.turns.splice(0, thread.turns.length - this.maxTurns);
    thread.updatedAt = this.now();
    // Re-insert so Map order is least recently used first.
    this.threads.delete(id);
    this.threads.set(id, thread);
    this.evict();
  }

  /** How long threads live, for messages. */
  get ttlHours(): number {
    return this.ttlMs / 3_600_000;
  }

  private evict(): void {
    while (this.threads.size > this.maxThreads) {
      const oldest = this.threads.keys().next().value as string;
      this.threads.delete(oldest);
    }
  }
}

/**
 * Turns stored turns into messages within a budget of characters, keeping the newest turns and
 * presenting them in chronological order.
 */
export function replayTurns(turns: readonly ConversationTurn[], budgetChars: number): ChatMessage[] {
  const kept: ConversationTurn[] = [];
  let used = 0;
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index] as ConversationTurn;
    if (used + turn.content.length > budgetChars) break;
    used += turn.content.length;
    kept.unshift(turn);
  }
  // A replay must not start with an assistant turn whose question was cut off.
  while (kept[0]?.role === 'assistant') kept.shift();
  return kept.map((turn) => ({ role: turn.role, content: turn.content }));
}
