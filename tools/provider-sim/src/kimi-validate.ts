import type { WireError } from './glm-errors.js';
import { isRecord } from './http-io.js';
import { kimiError, kimiInvalid, kimiModelNotFound } from './kimi-errors.js';
import { kimiMessagesError, kimiMessageWeights, missingReasoning, webSearchEchoError } from './kimi-messages.js';
import { kimiModels, type KimiModel } from './kimi-models.js';
import { contentText, messagesOf, tokensOf, toolsChars, type WireMessage } from './messages.js';
import type { ContextCache, SimState } from './state.js';

/** A Kimi chat request that passed validation. */
export interface KimiChatRequest {
  model: string;
  spec: KimiModel;
  /** All messages except a leading `role: "cache"` message. */
  messages: WireMessage[];
  /** What the model answers to: `messages` without a trailing partial assistant message. */
  conversation: WireMessage[];
  weights: number[];
  /** The partial-mode prefix (§2.4), when the last message is `partial: true`. */
  partialPrefix: string | undefined;
  contextCache: ContextCache | undefined;
  promptTokens: number;
  stream: boolean;
  includeUsage: boolean;
  thinking: boolean;
  maxTokens: number;
  n: number;
  tools: unknown[];
  webSearch: boolean;
}

const invalid = (message: string): { error: WireError } => ({ error: kimiInvalid(message) });

/** Kimi's silent default when `max_tokens` is absent (§2.2). */
export const kimiDefaultMaxTokens = 1024;

function checkTools(tools: unknown, model: string, spec: KimiModel, thinking: boolean): { tools: unknown[]; webSearch: boolean } | string {
  if (tools === undefined || tools === null) return { tools: [], webSearch: false };
  if (!Array.isArray(tools)) return 'Invalid request: tools must be an array';
  if (tools.length > 0 && !spec.tools) return `Invalid request: tools are not supported by model ${model}`;
  let webSearch = false;
  for (const tool of tools) {
    if (!isRecord(tool) || !isRecord(tool.function) || typeof tool.function.name !== 'string') return 'Invalid request: each tool needs a function name';
    if (tool.type === 'builtin_function') {
      if (tool.function.name !== '$web_search') return `Invalid request: unknown builtin function ${tool.function.name}`;
      webSearch = true;
    } else if (tool.type !== 'function') {
      return `Invalid request: unsupported tool type ${String(tool.type)}`;
    }
  }
  // $web_search needs thinking disabled on models that think (§2.5).
  if (webSearch && thinking) return 'Invalid request: $web_search is not supported when thinking is enabled, set thinking to {"type": "disabled"}';
  return { tools, webSearch };
}

function resolveCache(first: WireMessage | undefined, spec: KimiModel, state: SimState): ContextCache | string | undefined {
  if (first?.role !== 'cache') return undefined;
  if (!spec.contextCaching) return 'Invalid request: context caching is only supported by moonshot-v1 models';
  const id = /(?:^|;)\s*cache_id=([^;]+)/.exec(contentText(first.content))?.[1]?.trim();
  const cache = id ? state.kimiContextCaches.get(id) : undefined;
  return cache ?? `Invalid request: cache ${id ?? ''} not found`;
}

/** Validates a Kimi chat body (provider-wire.md §2.2–§2.5, §2.8, §2.9). */
export function validateKimiChat(body: unknown, state: SimState): { request: KimiChatRequest } | { error: WireError } {
  if (!isRecord(body)) return invalid('Invalid request: the body must be a JSON object');
  if (typeof body.model !== 'string' || !body.model) return invalid('Invalid request: model is required');
  const model = body.model;
  const spec = kimiModels.get(model);
  if (!spec) return { error: kimiModelNotFound(model) };
  const all = messagesOf(body);
  if (!all || all.length === 0) return invalid('Invalid request: messages must not be empty');
  const cache = resolveCache(all[0], spec, state);
  if (typeof cache === 'string') return invalid(cache);
  const messages = cache ? all.slice(1) : all;
  const messageError = kimiMessagesError(messages, model, spec, state);
  if (messageError) return invalid(messageError);
  const last = messages[messages.length - 1];
  const partial = last?.role === 'assistant' && last.partial === true;
  if (partial && isRecord(body.response_format) && body.response_format.type === 'json_object') {
    return invalid('Invalid request: partial mode cannot be used with response_format json_object');
  }
  const thinking = spec.thinking && !(isRecord(body.thinking) && body.thinking.type === 'disabled');
  const temperature = body.temperature;
  if (temperature !== undefined && temperature !== null) {
    // K2 thinking models accept only their fixed temperature (§4 item 8).
    if (spec.k2Thinking && temperature !== 1) return { error: kimiError('invalid_request_error', 'invalid temperature: only 1 is allowed for this model') };
    if (typeof temperature !== 'number' || temperature < 0 || temperature > 1) return invalid('Invalid request: temperature must be between 0 and 1');
  }
  const n = body.n ?? 1;
  if (!Number.isInteger(n) || (n as number) < 1 || (n as number) > 5) return invalid('Invalid request: n must be between 1 and 5');
  if ((n as number) > 1 && ((temperature as number | undefined) ?? spec.defaultTemperature) < 0.01) {
    return invalid('Invalid request: n > 1 requires a temperature above 0');
  }
  const toolChoice = body.tool_choice;
  if (toolChoice === 'required') return invalid("Invalid request: tool_choice 'required' is not supported");
  if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'auto' && toolChoice !== 'none') return invalid('Invalid request: tool_choice must be "auto" or "none"');
  if (Array.isArray(body.stop) && body.stop.length > 5) return invalid('Invalid request: stop allows at most 5 sequences');
  const tools = checkTools(body.tools, model, spec, thinking);
  if (typeof tools === 'string') return invalid(tools);
  if (spec.k2Thinking && thinking && missingReasoning(messages)) {
    return { error: kimiError('invalid_request_error', 'thinking is enabled but reasoning_content is missing') };
  }
  const echoError = webSearchEchoError(messages, state);
  if (echoError) return invalid(echoError);
  const maxTokens = body.max_tokens ?? body.max_completion_tokens ?? kimiDefaultMaxTokens;
  if (!Number.isInteger(maxTokens) || (maxTokens as number) < 1) return invalid('Invalid request: max_tokens must be a positive integer');
  const weights = kimiMessageWeights(messages);
  const chars = weights.reduce((sum, weight) => sum + weight, 0) + toolsChars(tools.tools) + (cache?.chars ?? 0);
  const promptTokens = tokensOf(chars);
  if (promptTokens + (maxTokens as number) > spec.context) return invalid(`Your request exceeded model token limit : ${spec.context}`);
  const streamOptions = body.stream_options;
  return {
    request: {
      model,
      spec,
      messages,
      conversation: partial ? messages.slice(0, -1) : messages,
      weights,
      partialPrefix: partial ? contentText(last?.content) : undefined,
      contextCache: cache,
      promptTokens,
      stream: body.stream === true,
      includeUsage: isRecord(streamOptions) && streamOptions.include_usage === true,
      thinking,
      maxTokens: maxTokens as number,
      n: n as number,
      tools: tools.tools,
      webSearch: tools.webSearch,
    },
  };
}

/** Prompt tokens of `{model, messages, tools}` counted as chat counts them (for the estimate endpoint). */
export function kimiPromptTokens(messages: readonly WireMessage[], tools: unknown): number {
  return tokensOf(kimiMessageWeights(messages).reduce((sum, weight) => sum + weight, 0) + toolsChars(tools));
}
