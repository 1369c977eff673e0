import { randomUUID } from 'node:crypto';
import type { AttemptRecord, RoutedChatResult, RoutingDecision } from '@exai/router';
import type { FinishReason, ModelInfo, ToolCall, Usage } from '@exai/router/spec';

/** What is known about a routed call once a model has answered (or started to). */
export interface CallFacts {
  model: ModelInfo;
  decision: RoutingDecision;
  attemptLog: readonly AttemptRecord[];
  attempts: number;
}

/** The `exai` field of a response (and of a stream's last chunk): who answered and how it was routed. */
export interface ExaiMetadata {
  provider: string;
  model: string;
  requested: string;
  mode: RoutingDecision['mode'];
  category: string;
  chain: string[];
  attempts: number;
  attempt_log: Array<{ model: string; provider: string; outcome: string; code?: string; duration_ms: number }>;
  fallback: boolean;
  cost_usd?: number;
  overhead_ms: number;
  warnings?: string[];
}

/** A fresh OpenAI-style completion id. */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

/** Whether a model other than the one the router tried first answered. */
export function isFallback(facts: CallFacts): boolean {
  return facts.model.id !== facts.decision.model;
}

/** Daemon time minus time spent waiting on providers (LiteLLM's `x-litellm-overhead-duration-ms`). */
export function overheadMs(daemonMs: number, attemptLog: readonly AttemptRecord[]): number {
  let provider = 0;
  for (const attempt of attemptLog) provider += attempt.durationMs;
  return Math.max(0, Math.round((daemonMs - provider) * 100) / 100);
}

/** The `x-exai-*` response headers. */
export function exaiHeaders(facts: CallFacts, overhead: number): Record<string, string> {
  return {
    'x-exai-model': facts.model.id,
    'x-exai-provider': facts.model.provider,
    'x-exai-fallback': String(isFallback(facts)),
    'x-exai-attempts': String(facts.attempts),
    'x-exai-overhead-ms': String(overhead),
  };
}

/** The `exai` field. */
export function exaiMetadata(facts: CallFacts, extra: { overheadMs: number; costUsd?: number; warnings?: string[] }): ExaiMetadata {
  const { decision } = facts;
  return {
    provider: facts.model.provider,
    model: facts.model.id,
    requested: decision.requested,
    mode: decision.mode,
    category: decision.category,
    chain: decision.chain.map((entry) => entry.model),
    attempts: facts.attempts,
    attempt_log: facts.attemptLog.map((attempt) => ({ model: attempt.model, provider: attempt.provider, outcome: attempt.outcome, ...(attempt.code ? { code: attempt.code } : {}), duration_ms: Math.round(attempt.durationMs) })),
    fallback: isFallback(facts),
    ...(extra.costUsd === undefined ? {} : { cost_usd: extra.costUsd }),
    overhead_ms: extra.overheadMs,
    ...(extra.warnings?.length ? { warnings: extra.warnings } : {}),
  };
}

/** OpenAI's `finish_reason` for exai's. */
export function finishReasonOf(reason: FinishReason): 'stop' | 'length' | 'tool_calls' | 'content_filter' {
  switch (reason.unified) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** OpenAI's `usage` for the answering call's usage. */
export function usageOf(usage: Usage): { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number }; completion_tokens_details: { reasoning_tokens: number } } {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens || usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

/** An OpenAI `tool_calls` entry. */
export function toolCallOf(call: ToolCall): { id: string; type: 'function'; function: { name: string; arguments: string } } {
  return { id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } };
}

/** The `chat.completion` body of a non-streamed answer, with the `exai` field. */
export function chatCompletionBody(result: RoutedChatResult, options: { id: string; created: number; overheadMs: number }): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: result.text === '' && result.toolCalls.length > 0 ? null : result.text, refusal: null };
  if (result.reasoning) message['reasoning_content'] = result.reasoning;
  if (result.toolCalls.length > 0) message['tool_calls'] = result.toolCalls.map(toolCallOf);
  return {
    id: options.id,
    object: 'chat.completion',
    created: options.created,
    model: result.model.id,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReasonOf(result.finishReason) }],
    usage: usageOf(result.usage),
    system_fingerprint: null,
    exai: exaiMetadata(result, { overheadMs: options.overheadMs, costUsd: result.costUsd, warnings: result.warnings }),
  };
}
