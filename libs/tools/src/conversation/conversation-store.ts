import { ToolInputError } from '../tool-input-error.js';
import type { ConversationTurn } from './conversation-memory.js';

/** Default life of a thread after its last turn, in hours (`CONVERSATION_TIMEOUT_HOURS`). */
export const DEFAULT_CONVERSATION_TIMEOUT_HOURS = 24;
/** Default most turns of a thread; one exchange is 2 turns (`MAX_CONVERSATION_TURNS`). */
export const DEFAULT_MAX_CONVERSATION_TURNS = 50;

/**
 * Where conversation threads live: in this process ({@link ConversationMemory}) or in storage
 * ({@link StorageConversationStore}, which survives restarts and is shared by daemon replicas).
 * Any tool may continue any thread: the thread remembers the tool that started it, each turn its own.
 */
export interface ConversationStore {
  /** How long threads are kept and where, for messages to the model ("for 24 hours after the last turn, in storage"). */
  readonly retention: string;
  /** Most turns a thread holds (`MAX_CONVERSATION_TURNS`); a full thread refuses new turns. */
  readonly maxTurns: number;
  /**
   * Starts a thread for `tool`, with its first turns when given, and returns its continuation id.
   * Throws a {@link ConversationFullError} when the turns alone exceed `maxTurns`.
   */
  create(tool: string, ...turns: ConversationTurn[]): Promise<string>;
  /** The thread's turns, oldest first, or undefined when it is unknown or expired. */
  load(continuationId: string): Promise<readonly ConversationTurn[] | undefined>;
  /**
   * Appends turns to a thread and extends its life (the TTL restarts at every turn). Throws a
   * {@link ConversationFullError} when the turns would take the thread past `maxTurns`.
   */
  append(continuationId: string, ...turns: ConversationTurn[]): Promise<void>;
}

/** A thread has no room for another exchange: the message tells the agent to start a new one. */
export class ConversationFullError extends ToolInputError {
  constructor(continuationId: string, maxTurns: number) {
    const exchanges = Math.floor(maxTurns / 2);
    super(
      'continuation_id',
      `continuation_id ${continuationId} has reached the limit of ${maxTurns} turns (${exchanges} exchange${exchanges === 1 ? '' : 's'}; MAX_CONVERSATION_TURNS). ` +
        'Start a new thread: call again without continuation_id and restate in the prompt what matters from this conversation.',
    );
    this.name = 'ConversationFullError';
  }
}

/** A continuation id that names no live thread: the message names `CONVERSATION_TIMEOUT_HOURS`. */
export class ConversationNotFoundError extends ToolInputError {
  constructor(continuationId: string, retention: string) {
    super(
      'continuation_id',
      `continuation_id ${continuationId} was not found or has expired (threads are kept ${retention}; CONVERSATION_TIMEOUT_HOURS sets how long). ` +
        'Start a new conversation without continuation_id and restate in the prompt what matters.',
    );
    this.name = 'ConversationNotFoundError';
  }
}
