import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@exai/router/spec';
import {
  ConversationFullError,
  DEFAULT_CONVERSATION_TIMEOUT_HOURS,
  DEFAULT_MAX_CONVERSATION_TURNS,
  type ConversationStore,
} from './conversation-store.js';

/** One stored turn of a conversation. */
export interface ConversationTurn {
  role: 'user' | 'assistant';
  /** The turn's own text: the user's prompt (without embedded files) or the model's answer. */
  content: string;
  /** The tool that recorded the turn (a thread started by one tool may continue in another). */
  tool: string;
  /** The model that answered (assistant turns). */
  model?: string;
  /** Its provider (`glm`, `kimi`). */
  provider?: string;
  /** Absolute real paths of the files the turn referenced; replays embed each once, newest reference first. */
  files?: string[];
  /** Images the turn carried: paths, or short stand-ins for data URLs (never replayed, only mentioned). */
  images?: string[];
  at: number;
}

/** Settings of the in-process conversation store. */
export interface ConversationMemoryOptions {
  /** How long a thread lives after its last turn (default 24 hours, `CONVERSATION_TIMEOUT_HOURS`). */
  ttlMs?: number;
  /** Most turns per thread; a full thread refuses new turns (default 50, `MAX_CONVERSATION_TURNS`). */
  maxTurns?: number;
  /** Most threads kept; the least recently used is evicted (default 1000). */
  maxThreads?: number;
  now?: () => number;
}

interface Thread {
  tool: string;
  turns: ConversationTurn[];
  updatedAt: number;
}

/**
 * Conversation threads keyed by `continuation_id`, kept in memory for this process (tests, and hosts
 * without storage). History is replayed to the model as messages (see `build-history.ts`).
 */
export class ConversationMemory implements ConversationStore {
  private readonly threads = new Map<string, Thread>();
  private readonly ttlMs: number;
  readonly maxTurns: number;
  private readonly maxThreads: number;
  private readonly now: () => number;

  constructor(options: ConversationMemoryOptions = {}) {
    this.ttlMs = options.ttlMs ?? DEFAULT_CONVERSATION_TIMEOUT_HOURS * 3_600_000;
    this.maxTurns = options.maxTurns ?? DEFAULT_MAX_CONVERSATION_TURNS;
    this.maxThreads = options.maxThreads ?? 1000;
    this.now = options.now ?? Date.now;
  }

  get retention(): string {
    return `for ${this.ttlHours} hours after the last turn, in this server process`;
  }

  /** How long threads live, for messages. */
  get ttlHours(): number {
    return this.ttlMs / 3_600_000;
  }

  /** Starts a thread, with its first turns when given, and returns its id. */
  async create(tool = 'chat', ...turns: ConversationTurn[]): Promise<string> {
    const id = randomUUID();
    if (turns.length > this.maxTurns) throw new ConversationFullError(id, this.maxTurns);
    this.threads.set(id, { tool, turns: turns.map((turn) => ({ ...turn })), updatedAt: this.now() });
    this.evict();
    return id;
  }

  /** The thread's turns, oldest first, or undefined when it is unknown or expired. */
  async load(id: string): Promise<readonly ConversationTurn[] | undefined> {
    const thread = this.live(id);
    return thread ? [...thread.turns] : undefined;
  }

  /** The tool that started the thread, or undefined when it is unknown or expired. */
  toolOf(id: string): string | undefined {
    return this.live(id)?.tool;
  }

  /** Appends turns to a thread and restarts its TTL; refuses turns past `maxTurns`. */
  async append(id: string, ...turns: ConversationTurn[]): Promise<void> {
    const thread = this.live(id) ?? { tool: turns[0]?.tool ?? 'chat', turns: [], updatedAt: this.now() };
    if (thread.turns.length + turns.length > this.maxTurns) throw new ConversationFullError(id, this.maxTurns);
    thread.turns.push(...turns.map((turn) => ({ ...turn })));
    thread.updatedAt = this.now();
    // Re-insert so Map order is least recently used first.
    this.threads.delete(id);
    this.threads.set(id, thread);
    this.evict();
  }

  private live(id: string): Thread | undefined {
    const thread = this.threads.get(id);
    if (!thread) return undefined;
    if (this.now() - thread.updatedAt > this.ttlMs) {
      this.threads.delete(id);
      return undefined;
    }
    return thread;
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
 * presenting them in chronological order. `buildHistory` is the full replay (token budget by context
 * window, files, the "[showing N of M turns]" note); this is the plain text form.
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
