import { buildAnswer, buildReasoning, firstFunctionCall, limitOutput } from './answer.js';
import type { FaultPlan } from './faults.js';
import { glmSearchCitation, glmSearchResults, type GlmSearchResult } from './glm-web-search.js';
import type { GlmChatRequest } from './glm-validate.js';
import { glmRequestId, hex, unixSeconds } from './ids.js';
import { lastUserText, tokensOf } from './messages.js';
import type { PromptCache } from './prompt-cache.js';

/** A GLM answer before it is put on the wire (whole or streamed). */
export interface GlmCompletion {
  id: string;
  requestId: string;
  created: number;
  model: string;
  reasoning: string;
  content: string;
  toolCall: { id: string; name: string; arguments: string } | undefined;
  finishReason: 'stop' | 'length' | 'tool_calls' | 'sensitive';
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  /** Top-level `web_search` results (only with `search_result: true`, §1.6). */
  webSearch: GlmSearchResult[] | undefined;
}

/** Builds the deterministic answer to a validated request. */
export function buildGlmCompletion(request: GlmChatRequest, plan: FaultPlan, cache: PromptCache): GlmCompletion {
  const id = glmRequestId();
  const { messages } = request;
  const cachedTokens = Math.min(tokensOf(cache.observe(messages, request.weights)), request.promptTokens);
  const base = {
    id,
    requestId: request.requestId ?? id,
    created: unixSeconds(),
    model: request.model,
    promptTokens: request.promptTokens,
    cachedTokens,
    webSearch: undefined,
  };
  if (plan.sensitive) {
    // Output blocked by the filter: HTTP 200 with finish_reason "sensitive" (§1.3).
    return { ...base, reasoning: '', content: '', toolCall: undefined, finishReason: 'sensitive', completionTokens: 0 };
  }
  const reasoning = request.thinking ? buildReasoning(messages) : '';
  const last = messages[messages.length - 1];
  const call = last?.role === 'tool' ? undefined : firstFunctionCall(request.tools);
  if (call) {
    return {
      ...base,
      reasoning,
      content: '',
      toolCall: { id: `call_${hex(24)}`, ...call },
      finishReason: 'tool_calls',
      completionTokens: tokensOf(reasoning.length + call.name.length + call.arguments.length),
    };
  }
  let answer = buildAnswer({ model: request.model, messages, toolCount: request.tools.length, long: plan.long });
  let webSearch: GlmSearchResult[] | undefined;
  const search = request.webSearch;
  if (search?.enable) {
    const query = search.query ?? lastUserText(messages).slice(0, 70);
    answer += glmSearchCitation(query, search.count);
    if (search.searchResult) webSearch = glmSearchResults(query, search.count);
  }
  const output = limitOutput(reasoning, answer, request.maxTokens);
  return {
    ...base,
    reasoning: output.reasoning,
    content: output.content,
    toolCall: undefined,
    finishReason: output.truncated ? 'length' : 'stop',
    completionTokens: tokensOf(output.reasoning.length + output.content.length),
    webSearch,
  };
}

/** The non-streamed body, keys in the recorded order (provider-wire.md §1.3). */
export function glmCompletionBody(completion: GlmCompletion): Record<string, unknown> {
  const message: Record<string, unknown> = { content: completion.content };
  if (completion.reasoning) message.reasoning_content = completion.reasoning;
  message.role = 'assistant';
  if (completion.toolCall) {
    const { id, name, arguments: args } = completion.toolCall;
    message.tool_calls = [{ function: { arguments: args, name }, id, index: 0, type: 'function' }];
  }
  const body: Record<string, unknown> = {
    choices: [{ finish_reason: completion.finishReason, index: 0, message }],
    created: completion.created,
    id: completion.id,
    model: completion.model,
    request_id: completion.requestId,
    usage: {
      completion_tokens: completion.completionTokens,
      prompt_tokens: completion.promptTokens,
      prompt_tokens_details: { cached_tokens: completion.cachedTokens },
      total_tokens: completion.promptTokens + completion.completionTokens,
    },
  };
  if (completion.webSearch) body.web_search = completion.webSearch;
  return body;
}
