import type { ConversationTurn } from './conversation-memory.js';

/**
 * Where conversation threads live: in this process ({@link ConversationMemory}) or in storage
 * ({@link StorageConversationStore}, which survives restarts and is shared by daemon replicas).
 */
export interface ConversationStore {
  /** How long threads are kept and where, for messages to the model ("for 3 hours in this server process"). */
  readonly retention: string;
  /** Starts a thread for `tool` and returns its continuation id. */
  create(tool: string): Promise<string>;
  /** The thread's turns, oldest first (the newest `maxTurns`), or undefined when it is unknown or expired. */
  load(continuationId: string): Promise<readonly ConversationTurn[] | undefined>;
  /** Appends turns to a thread and extends its life. */
  append(continuationId: string, ...turns: ConversationTurn[]): Promise<void>;
}
