import type { ChatMessage, ModelInfo } from '@exai/router/spec';
import { embedFilesWithinBudget, type EmbeddedFiles } from '../files/embed-files.js';
import { defaultFileAccessPolicy, type FileAccessPolicy } from '../files/file-access.js';
import type { ConversationTurn } from './conversation-memory.js';
import { estimateMessagesTokens, estimateTokens, MESSAGE_OVERHEAD_TOKENS, tokensToChars } from './estimate-tokens.js';

/** Context windows from this size on get the large-model split (zen-lineage.md §2, token allocation). */
export const LARGE_CONTEXT_TOKENS = 300_000;

/** How a model's context window is shared out, in tokens. */
export interface ContextBudget {
  contextWindow: number;
  /** Everything sent: system prompt, history, files and the new prompt. */
  contentTokens: number;
  /** Kept free for the answer. */
  responseTokens: number;
  /** Embedded files: the new request's first, then the history's. */
  fileTokens: number;
  /** Replayed turns and the history note. */
  historyTokens: number;
}

/**
 * The split of zen-lineage.md §2: below 300K tokens, content 60 % / response 40 %, and of the content
 * files 30 % / history 50 %; from 300K on, 80 / 20 and 40 / 40. The rest of the content share is for
 * the system prompt and the new prompt.
 */
export function allocateContextBudget(model: Pick<ModelInfo, 'contextWindow'>): ContextBudget {
  const large = model.contextWindow >= LARGE_CONTEXT_TOKENS;
  const contentTokens = Math.floor(model.contextWindow * (large ? 0.8 : 0.6));
  return {
    contextWindow: model.contextWindow,
    contentTokens,
    responseTokens: model.contextWindow - contentTokens,
    fileTokens: Math.floor(contentTokens * (large ? 0.4 : 0.3)),
    historyTokens: Math.floor(contentTokens * (large ? 0.4 : 0.5)),
  };
}

/** What {@link buildHistory} needs. */
export interface BuildHistoryOptions {
  /** The thread's turns, oldest first. */
  turns: readonly ConversationTurn[];
  /** The model the history is for: its context window sets the budgets. */
  model: Pick<ModelInfo, 'contextWindow'>;
  /** Which files may be read (default: home and working directory, minus secret stores). */
  policy?: FileAccessPolicy;
  maxFileBytes?: number;
  /** Real paths the new request embeds anyway: the history never embeds them again. */
  requestFiles?: Iterable<string>;
  /** Characters of files the new request embeds: they come out of the file budget first. */
  requestFileChars?: number;
  /** Estimated tokens of the new request (system prompt, prompt, its files): the turns never push the total past the content share. */
  requestTokens?: number;
  signal?: AbortSignal;
}

/** The history to send before a new request. */
export interface ConversationHistory {
  /** A leading note and files message when there is one, then the kept turns, oldest first. */
  messages: ChatMessage[];
  /** Turns replayed. */
  shownTurns: number;
  /** Turns the thread has. */
  totalTurns: number;
  /** Real paths embedded from the history, newest reference first. */
  files: string[];
  /** Files of earlier turns left out (gone, no longer allowed, binary, over the budget) and why. */
  skippedFiles: Array<{ path: string; reason: string }>;
  budget: ContextBudget;
  /** Estimated tokens of `messages`. */
  tokens: number;
}

/**
 * Builds the messages that replay a thread for `model`. Turns are taken newest first while they fit
 * the history budget and shown oldest first; when older turns were left out, a leading note says
 * "[showing N of M turns]". The files referenced across the turns are embedded once, newest reference
 * first, at their current content, within what the new request left of the file budget; files that are
 * gone or do not fit are listed in the note. A file the new request embeds is never embedded again.
 */
export async function buildHistory(options: BuildHistoryOptions): Promise<ConversationHistory> {
  const budget = allocateContextBudget(options.model);
  const { turns } = options;
  const requestFiles = new Set(options.requestFiles ?? []);
  const candidates = historyFiles(turns).filter((path) => !requestFiles.has(path));
  const fileBudgetChars = Math.max(0, tokensToChars(budget.fileTokens) - (options.requestFileChars ?? 0));
  const files = await embedHistoryFiles(candidates, fileBudgetChars, options);
  // Turns get the history share, or what the request and the files left of the content share if that is less.
  const turnBudget = Math.min(budget.historyTokens, budget.contentTokens - (options.requestTokens ?? 0) - estimateTokens(files.text));
  const kept = newestTurnsWithin(turns, turnBudget);

  const context: string[] = [];
  if (kept.length < turns.length) {
    context.push(
      `[showing ${kept.length} of ${turns.length} turns] The ${turns.length - kept.length} oldest turns of this conversation were left out to fit the model's context.`,
    );
  }
  if (files.text) {
    context.push(`Files referenced earlier in this conversation, at their current content, each shown once (newest reference first):\n\n${files.text}`);
  }
  const messages: ChatMessage[] = [];
  if (context.length > 0) messages.push({ role: 'user', content: context.join('\n\n') });
  for (const turn of kept) messages.push({ role: turn.role, content: turnText(turn) });
  return {
    messages,
    shownTurns: kept.length,
    totalTurns: turns.length,
    files: files.embedded,
    skippedFiles: files.skipped,
    budget,
    tokens: estimateMessagesTokens(messages),
  };
}

/** The files the turns referenced, each once, newest reference first. */
export function historyFiles(turns: readonly ConversationTurn[]): string[] {
  const seen = new Set<string>();
  const ordered: string[] = [];
  for (let index = turns.length - 1; index >= 0; index--) {
    for (const path of turns[index]?.files ?? []) {
      if (seen.has(path)) continue;
      seen.add(path);
      ordered.push(path);
    }
  }
  return ordered;
}

/** The newest turns whose estimated tokens fit `budgetTokens`, oldest first, never opening on an orphaned answer. */
function newestTurnsWithin(turns: readonly ConversationTurn[], budgetTokens: number): ConversationTurn[] {
  const kept: ConversationTurn[] = [];
  let used = 0;
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index] as ConversationTurn;
    const cost = estimateTokens(turnText(turn)) + MESSAGE_OVERHEAD_TOKENS;
    if (used + cost > budgetTokens) break;
    used += cost;
    kept.unshift(turn);
  }
  // A replay must not start with an answer whose question was left out.
  while (kept[0]?.role === 'assistant') kept.shift();
  return kept;
}

/** A turn as replayed: its text, and which files and images it carried (their content is embedded once, above). */
function turnText(turn: ConversationTurn): string {
  const notes: string[] = [];
  if (turn.files?.length) notes.push(`[files: ${turn.files.join(', ')}]`);
  if (turn.images?.length) notes.push(`[${turn.images.length} image(s) attached: ${turn.images.join(', ')}]`);
  return notes.length > 0 ? `${turn.content}\n\n${notes.join('\n')}` : turn.content;
}

/** Embeds the history's files within the budget; a file that is gone or no longer allowed is noted, not an error. */
async function embedHistoryFiles(paths: readonly string[], budgetChars: number, options: BuildHistoryOptions): Promise<EmbeddedFiles> {
  if (paths.length === 0) return { text: '', embedded: [], skipped: [] };
  return embedFilesWithinBudget(paths, {
    policy: options.policy ?? defaultFileAccessPolicy(),
    budgetChars,
    badPaths: 'skip',
    field: 'continuation_id',
    ...(options.maxFileBytes === undefined ? {} : { maxFileBytes: options.maxFileBytes }),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}
