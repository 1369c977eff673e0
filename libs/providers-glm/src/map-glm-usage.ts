import type { Usage } from '@exai/router/spec';
import type { GlmUsage } from './glm-wire.js';

/**
 * Maps GLM `usage` (§1.3): cached input from `prompt_tokens_details.cached_tokens`, reasoning from
 * `completion_tokens_details.reasoning_tokens` (newer responses only); missing counts are 0.
 */
export function mapGlmUsage(usage: GlmUsage | null | undefined): Usage {
  const inputTokens = usage?.prompt_tokens ?? 0;
  const outputTokens = usage?.completion_tokens ?? 0;
  return {
    inputTokens,
    cachedInputTokens: usage?.prompt_tokens_details?.cached_tokens ?? 0,
    outputTokens,
    reasoningTokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0,
    totalTokens: usage?.total_tokens ?? inputTokens + outputTokens,
  };
}
