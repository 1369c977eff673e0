import type { ChatRequest } from '@exai/router/spec';
import { estimateMessageTokens, estimateToolTokens } from './estimate-prompt-tokens.js';
import type { RequestNeeds, RoutingTask } from './routing-decision.js';

/** What routing reads from a request: its needs and its size. */
export interface RequestFeatures {
  needs: RequestNeeds;
  /** Estimated input tokens (messages, tools, media; or the task's estimate if larger). */
  inputTokens: number;
  /**
   * The part of the input likely served from the vendor's prompt cache: every message before the last
   * one when the conversation already has an assistant turn (GLM and Kimi cache repeated prefixes
   * automatically, provider-wire.md §3). Priced at the cached-input price in cost estimates.
   */
  cachedInputTokens: number;
}

/** Kimi file ids in `providerOptions.kimi.fileIds` (read leniently: the Kimi provider validates them). */
export function kimiFileCount(request: ChatRequest): number {
  const fileIds = request.providerOptions?.['kimi']?.['fileIds'];
  return Array.isArray(fileIds) ? fileIds.length : 0;
}

/**
 * Reads a request's routing features in one pass over the messages, without allocating per message.
 */
export function readRequestFeatures(request: ChatRequest, task: RoutingTask | undefined, streaming: boolean): RequestFeatures {
  const messages = request.messages;
  let vision = false;
  let assistantTurns = 0;
  let tokens = 0;
  let lastTokens = 0;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as (typeof messages)[number];
    if (message.role === 'user' && typeof message.content !== 'string') {
      for (const part of message.content) if (part.type !== 'text') vision = true;
    } else if (message.role === 'assistant') assistantTurns++;
    lastTokens = estimateMessageTokens(message);
    tokens += lastTokens;
  }
  tokens += estimateToolTokens(request);
  const last = messages[messages.length - 1];
  const thinking = request.thinking;
  const needs: RequestNeeds = {
    vision,
    webSearch: request.webSearch?.enabled === true,
    thinking: thinking === undefined ? undefined : thinking.enabled ? 'on' : 'off',
    thinkingLevel: thinking?.enabled ? thinking.level : undefined,
    tools: (request.tools?.length ?? 0) > 0,
    files: kimiFileCount(request),
    jsonMode: request.responseFormat?.type === 'json_object',
    partialMode: last?.role === 'assistant' && last.partial === true,
    streaming,
  };
  const taskTokens = task?.estimatedInputTokens;
  const inputTokens = taskTokens !== undefined && taskTokens > tokens ? Math.ceil(taskTokens) : tokens;
  return { needs, inputTokens, cachedInputTokens: assistantTurns > 0 ? Math.max(0, tokens - lastTokens) : 0 };
}
