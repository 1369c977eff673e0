import type { RoutedChatResult } from '@exai/router';
import { z } from 'zod';

const tokensSchema = z.object({
  input: z.number(),
  cached_input: z.number(),
  output: z.number(),
  reasoning: z.number(),
});

/** What every model-calling tool's result says about the call: model, provider, tokens, cost, time, routing. */
export const resultMetadataSchema = z.object({
  model: z.string(),
  provider: z.string(),
  finish_reason: z.string(),
  tokens: tokensSchema,
  web_search_calls: z.number(),
  cost_usd: z.number(),
  duration_ms: z.number(),
  streamed: z.boolean(),
  warnings: z.array(z.string()),
  continuation_id: z.string().optional(),
  routing: z.object({
    mode: z.enum(['explicit', 'auto']),
    category: z.string(),
    chain: z.array(z.string()),
    reasons: z.array(z.string()),
    estimated_cost_usd: z.number(),
    attempts: z.array(z.object({ model: z.string(), provider: z.string(), outcome: z.string(), code: z.string().optional(), duration_ms: z.number() })),
  }),
});

export type ResultMetadata = z.infer<typeof resultMetadataSchema>;

/** The metadata of a routed result (tokens and cost summed over retries and fallbacks). */
export function resultMetadata(result: RoutedChatResult, extra: { durationMs: number; streamed: boolean; continuationId?: string }): ResultMetadata {
  const { decision } = result;
  const metadata: ResultMetadata = {
    model: result.model.id,
    provider: result.model.provider,
    finish_reason: result.finishReason.raw ?? result.finishReason.unified,
    tokens: {
      input: result.totalUsage.inputTokens,
      cached_input: result.totalUsage.cachedInputTokens,
      output: result.totalUsage.outputTokens,
      reasoning: result.totalUsage.reasoningTokens,
    },
    web_search_calls: result.webSearchCalls,
    cost_usd: result.costUsd,
    duration_ms: extra.durationMs,
    streamed: extra.streamed,
    warnings: result.warnings,
    routing: {
      mode: decision.mode,
      category: decision.category,
      chain: decision.chain.map((entry) => entry.model),
      reasons: decision.reasons,
      estimated_cost_usd: decision.estimatedCostUsd,
      attempts: result.attemptLog.map((attempt) => ({
        model: attempt.model,
        provider: attempt.provider,
        outcome: attempt.outcome,
        ...(attempt.code ? { code: attempt.code } : {}),
        duration_ms: Math.round(attempt.durationMs),
      })),
    },
  };
  if (extra.continuationId !== undefined) metadata.continuation_id = extra.continuationId;
  return metadata;
}
