import type { KimiWireMessage } from './kimi-wire.js';

/** Bounds of auto-continue (the original system's: 3 continuations or 32K tokens). */
export interface AutoContinueLimits {
  /** Continuation calls after the first answer. */
  maxRounds: number;
  /** Output tokens over all rounds; a continuation's `max_tokens` is cut to what is left. */
  maxTotalTokens: number;
}

/** Defaults of `providerOptions.kimi.autoContinue`. */
export const autoContinueDefaults: AutoContinueLimits = { maxRounds: 3, maxTotalTokens: 32_768 };

/** Resolves the option; `undefined`/`false` means off. */
export function resolveAutoContinue(
  option: boolean | Partial<AutoContinueLimits> | undefined,
): AutoContinueLimits | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return { ...autoContinueDefaults };
  return {
    maxRounds: option.maxRounds ?? autoContinueDefaults.maxRounds,
    maxTotalTokens: option.maxTotalTokens ?? autoContinueDefaults.maxTotalTokens,
  };
}

/**
 * The conversation for a continuation: partial mode with the text so far as the assistant prefix
 * (provider-wire.md §2.4). A trailing partial message (the caller's prefix, or an earlier
 * continuation's) is replaced, keeping its `name`.
 */
export function continuationMessages(messages: readonly KimiWireMessage[], textSoFar: string): KimiWireMessage[] {
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant' && last.partial) {
    return [...messages.slice(0, -1), { ...last, content: textSoFar, partial: true }];
  }
  return [...messages, { role: 'assistant', content: textSoFar, partial: true }];
}
