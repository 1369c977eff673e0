import type { Usage } from '@exai/router/spec';
import type { KimiWireUsage } from './kimi-wire.js';

/** Zero usage, the start of a sum over rounds. */
export function emptyUsage(): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
}

/**
 * Kimi usage to exai's. Cached prompt tokens (K2 automatic prefix caching) arrive as top-level
 * `usage.cached_tokens` or as `prompt_tokens_details.cached_tokens` (provider-wire.md §2.3).
 */
export function convertUsage(usage: KimiWireUsage | null | undefined): Usage {
  if (!usage) return emptyUsage();
  const inputTokens = usage.prompt_tokens ?? 0;
  const outputTokens = usage.completion_tokens ?? 0;
  return {
    inputTokens,
    cachedInputTokens: usage.cached_tokens ?? usage.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens,
    reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    totalTokens: usage.total_tokens ?? inputTokens + outputTokens,
  };
}

/** Adds `more` into `total` (usage of several rounds of one call). */
export function addUsage(total: Usage, more: Usage): Usage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    reasoningTokens: total.reasoningTokens + more.reasoningTokens,
    totalTokens: total.totalTokens + more.totalTokens,
  };
}
