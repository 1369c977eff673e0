import { imageReference } from '../files/load-images.js';
import type { ToolDependencies } from '../tool-definition.js';
import type { ConversationTurn } from './conversation-memory.js';
import { ConversationFullError, ConversationNotFoundError } from './conversation-store.js';

/** What the thread helpers use of a tool's dependencies. */
export type ThreadDependencies = Pick<ToolDependencies, 'conversations'> & Partial<Pick<ToolDependencies, 'now'>>;

/** One exchange a tool records: the caller's turn and the model's answer. */
export interface ExchangeRecord {
  /** The thread to continue; a new thread is started when absent. */
  continuationId?: string;
  /** The tool recording the exchange (a new thread's tool). */
  tool: string;
  /** The caller's own text, without embedded files (they are replayed from `files`). */
  userText: string;
  /** Absolute real paths the turn embedded. */
  files?: readonly string[];
  /** Image paths or data URLs the turn carried (data URLs are stored as short stand-ins). */
  images?: readonly string[];
  answer: string;
  /** The model that answered and its provider. */
  model: string;
  provider: string;
}

/**
 * The turns of the thread a call continues, or undefined when it starts a new one. Any tool may
 * continue a thread started by any other. Throws a clear `continuation_id` error when the thread is
 * unknown or expired (naming `CONVERSATION_TIMEOUT_HOURS`) or has no room for another exchange
 * (naming `MAX_CONVERSATION_TURNS`), before any model is called.
 */
export async function loadContinuation(deps: ThreadDependencies, continuationId: string | undefined): Promise<readonly ConversationTurn[] | undefined> {
  if (continuationId === undefined) return undefined;
  const store = deps.conversations;
  const turns = await store.load(continuationId);
  if (turns === undefined) throw new ConversationNotFoundError(continuationId, store.retention);
  // An exchange is two turns: a thread that cannot take both is full.
  if (turns.length + 2 > store.maxTurns) throw new ConversationFullError(continuationId, store.maxTurns);
  return turns;
}

/**
 * The model a continuation goes to when the call names none: the one that answered the thread's
 * last turn, so a conversation stays with its model (zen's behaviour) unless the caller names
 * another or `auto`. Undefined for a new thread, or when the router no longer knows that model.
 */
export function continuationModel(turns: readonly ConversationTurn[] | undefined, isKnown: (model: string) => boolean): string | undefined {
  for (let index = (turns?.length ?? 0) - 1; index >= 0; index--) {
    const turn = (turns as readonly ConversationTurn[])[index] as ConversationTurn;
    if (turn.role === 'assistant' && turn.model) return isKnown(turn.model) ? turn.model : undefined;
  }
  return undefined;
}

/**
 * Records an exchange (user turn, then answer) and returns the thread's continuation id, starting a
 * thread for `tool` when none is given. Each turn records its own tool, model and provider.
 */
export async function recordExchange(deps: ThreadDependencies, exchange: ExchangeRecord): Promise<string> {
  const store = deps.conversations;
  const at = (deps.now?.() ?? new Date()).getTime();
  const user: ConversationTurn = { role: 'user', content: exchange.userText, tool: exchange.tool, at };
  if (exchange.files?.length) user.files = [...exchange.files];
  if (exchange.images?.length) user.images = exchange.images.map(imageReference);
  const assistant: ConversationTurn = { role: 'assistant', content: exchange.answer, tool: exchange.tool, model: exchange.model, provider: exchange.provider, at };
  if (exchange.continuationId === undefined) return store.create(exchange.tool, user, assistant);
  await store.append(exchange.continuationId, user, assistant);
  return exchange.continuationId;
}
