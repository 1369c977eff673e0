import { estimatePromptTokens, estimateTextTokens } from '@exai/router';
import type { ChatMessage } from '@exai/router/spec';

/**
 * Characters per token of Latin text and code. Calibrated against the counts the providers report,
 * as the provider simulator reproduces them (`tools/provider-sim/src/messages.ts`: `usage.prompt_tokens`
 * is `ceil(characters of every message / 4)`, for GLM chat, Kimi chat and Kimi's
 * `/tokenizers/estimate-token-count`), and the router's own estimator
 * (`libs/router/src/estimate-prompt-tokens.ts`), which uses the same ratio: 4 characters a token,
 * CJK 1 token a character, plus 4 tokens of role markers per message.
 *
 * The estimate here *is* the router's, so a history the tools size to a budget is the size the router
 * checks against the context window; against the simulator it is never lower and at most 4 tokens a
 * message (plus rounding) higher on Latin text (`estimate-tokens.spec.ts` measures both). Vendors'
 * real tokenizers give 3–4 characters a token on code; the budget split keeps a 40 % response share
 * and a fifth of the content share unallocated, which absorbs that.
 */
export const CHARS_PER_TOKEN = 4;

/** Tokens of role markers and separators per message (the router's `MESSAGE_OVERHEAD_TOKENS`). */
export const MESSAGE_OVERHEAD_TOKENS = 4;

/** Estimated tokens of a text: CJK characters one token each, other text a token per 4 characters. */
export function estimateTokens(text: string): number {
  return estimateTextTokens(text);
}

/** Estimated prompt tokens of messages, as the router estimates a request's messages. */
export function estimateMessagesTokens(messages: readonly ChatMessage[]): number {
  return estimatePromptTokens({ messages: [...messages] });
}

/** Most characters of Latin text that fit a token budget (a budget in characters for file embedding). */
export function tokensToChars(tokens: number): number {
  return Math.max(0, Math.floor(tokens)) * CHARS_PER_TOKEN;
}
