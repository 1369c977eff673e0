import { buildAnswer, buildReasoning, firstFunctionCall, limitOutput } from './answer.js';
import type { FaultPlan } from './faults.js';
import { hex, hex32, unixSeconds } from './ids.js';
import type { KimiChatRequest } from './kimi-validate.js';
import { tokensOf, toolCallsOf, type WireMessage } from './messages.js';
import type { SimState } from './state.js';

/** Tokens a simulated `$web_search` round reports in `arguments.usage.total_tokens`. */
export const kimiSearchTokens = 1500;

/** A Kimi answer before it is put on the wire (whole or streamed). */
export interface KimiCompletion {
  id: string;
  created: number;
  model: string;
  n: number;
  reasoning: string;
  content: string;
  toolCall: { id: string; type: 'function' | 'builtin_function'; name: string; arguments: string } | undefined;
  finishReason: 'stop' | 'length' | 'tool_calls';
  usage: Record<string, unknown>;
}

/** `$web_search` echoes since the last user message: the rounds already done. */
function searchRoundsDone(messages: readonly WireMessage[]): number {
  let rounds = 0;
  for (let i = messages.length - 1; i >= 0 && messages[i]?.role !== 'user'; i--) {
    if (messages[i]?.role === 'tool' && messages[i]?.name === '$web_search') rounds++;
  }
  return rounds;
}

function priorToolCalls(messages: readonly WireMessage[]): number {
  return messages.reduce((sum, message) => sum + toolCallsOf(message).length, 0);
}

function toolCallFor(request: KimiChatRequest, plan: FaultPlan, state: SimState): KimiCompletion['toolCall'] {
  const { conversation } = request;
  if (request.webSearch && searchRoundsDone(conversation) < (plan.searchRounds ?? 1)) {
    const searchId = hex32();
    state.kimiSearchIds.add(searchId);
    // The builtin call of §2.5: the client echoes `arguments` verbatim in a `$web_search` tool message.
    const args = JSON.stringify({ search_result: { search_id: searchId }, usage: { total_tokens: kimiSearchTokens } });
    const digits = String(parseInt(hex(10), 16)).padStart(12, '0').slice(-12);
    return { id: `t-web_search-${digits}`, type: 'builtin_function', name: '$web_search', arguments: args };
  }
  if (conversation[conversation.length - 1]?.role === 'tool') return undefined;
  const call = firstFunctionCall(request.tools);
  // Ids in the open-weight parser's `functions.<name>:<index>` shape (§6).
  return call ? { id: `functions.${call.name}:${priorToolCalls(conversation)}`, type: 'function', ...call } : undefined;
}

/** Builds the deterministic answer to a validated request. */
export function buildKimiCompletion(request: KimiChatRequest, plan: FaultPlan, state: SimState): KimiCompletion {
  const autoCached = tokensOf(state.kimiPromptCache.observe(request.messages, request.weights));
  const cachedTokens = Math.min(autoCached + (request.contextCache?.tokens ?? 0), request.promptTokens);
  const reasoning = request.thinking ? buildReasoning(request.conversation) : '';
  const toolCall = toolCallFor(request, plan, state);
  let content = '';
  let finishReason: KimiCompletion['finishReason'] = 'tool_calls';
  let outputChars = reasoning.length;
  let keptReasoning = reasoning;
  if (toolCall) {
    outputChars += toolCall.name.length + toolCall.arguments.length;
  } else {
    const answer = buildAnswer({
      model: request.model,
      messages: request.conversation,
      toolCount: request.tools.length,
      long: plan.long,
      fileNameFor: (text) => state.kimiFileTexts.get(text),
    });
    // Partial mode: the answer continues the prefix and excludes it (§2.4).
    const prefix = request.partialPrefix;
    const continuation = prefix !== undefined && answer.startsWith(prefix) ? answer.slice(prefix.length) : answer;
    const output = limitOutput(reasoning, continuation, request.maxTokens);
    keptReasoning = output.reasoning;
    content = output.content;
    finishReason = output.truncated ? 'length' : 'stop';
    outputChars = output.reasoning.length + output.content.length;
  }
  const completionTokens = tokensOf(outputChars) * request.n;
  return {
    id: `cmpl-${hex32()}`,
    created: unixSeconds(),
    model: request.model,
    n: request.n,
    reasoning: keptReasoning,
    content,
    toolCall,
    finishReason,
    usage: {
      prompt_tokens: request.promptTokens,
      completion_tokens: completionTokens,
      total_tokens: request.promptTokens + completionTokens,
      // Both spellings: top-level (auto-cache models) and prompt_tokens_details (later traffic), §2.3.
      cached_tokens: cachedTokens,
      prompt_tokens_details: { cached_tokens: cachedTokens },
    },
  };
}

/** The non-streamed body (provider-wire.md §2.3). */
export function kimiCompletionBody(completion: KimiCompletion): Record<string, unknown> {
  const message: Record<string, unknown> = { role: 'assistant', content: completion.content };
  if (completion.reasoning) message.reasoning_content = completion.reasoning;
  if (completion.toolCall) {
    const { id, type, name, arguments: args } = completion.toolCall;
    message.tool_calls = [{ index: 0, id, type, function: { name, arguments: args } }];
  }
  const choices = [];
  for (let index = 0; index < completion.n; index++) choices.push({ index, message, finish_reason: completion.finishReason });
  return { id: completion.id, object: 'chat.completion', created: completion.created, model: completion.model, choices, usage: completion.usage };
}
