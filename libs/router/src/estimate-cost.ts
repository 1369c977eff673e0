import type { ModelInfo, Usage } from '@exai/router/spec';

/**
 * USD cost of one call: uncached input at the input price, cached input (part of `inputTokens`) at the
 * cached price, output (reasoning included) at the output price, plus each web search the vendor billed.
 */
export function estimateCost(info: ModelInfo, usage: Usage, webSearchCalls = 0): number {
  const { prices } = info;
  const cached = Math.min(Math.max(usage.cachedInputTokens, 0), usage.inputTokens);
  const uncached = usage.inputTokens - cached;
  const tokens = uncached * prices.inputPerMillion + cached * prices.cachedInputPerMillion + usage.outputTokens * prices.outputPerMillion;
  return tokens / 1_000_000 + webSearchCalls * prices.perWebSearch;
}
