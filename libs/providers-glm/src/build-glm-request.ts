import { InvalidRequestError, type ChatRequest, type WebSearchOptions } from '@exai/router/spec';
import { convertToGlmMessages } from './convert-messages.js';
import { GLM_PROVIDER_ID } from './glm-client.js';
import type { GlmChatRequestBody, GlmFunctionTool, GlmWebSearchTool } from './glm-wire.js';

/** What `buildGlmRequest` needs. */
export interface BuildGlmRequestOptions {
  modelId: string;
  request: ChatRequest;
  stream: boolean;
}

/** The body to send and what was changed to make GLM accept it. */
export interface GlmRequestPlan {
  body: GlmChatRequestBody;
  warnings: string[];
}

/** In-chat search engine of z.ai (§1.6); bigmodel.cn takes other names, see `providerOptions.glm.search_engine`. */
export const DEFAULT_GLM_SEARCH_ENGINE = 'search-prime';

const MAX_FUNCTION_TOOLS = 128;
/** GLM's ceiling of `max_tokens` (§1.2), and the per-model limits it enforces (§3: 4.6 = 128K, 4.5 series = 96K, 4.5V = 16K). */
const MAX_OUTPUT_TOKENS = 131_072;
const maxOutputByModel: Record<string, number> = {
  'glm-4.6': 131_072,
  'glm-4.5': 98_304,
  'glm-4.5-air': 98_304,
  'glm-4.5-x': 98_304,
  'glm-4.5-airx': 98_304,
  'glm-4.5-flash': 98_304,
  'glm-4.5v': 16_384,
};
const toolNamePattern = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Builds the GLM chat body from an exai request. GLM rejects several things other vendors accept
 * (provider-wire.md §1.2, §4.7), so nothing it refuses is ever sent: those options are converted
 * with a warning (temperature clamped, `toolChoice: 'none'` dropped) or refused before sending with
 * an `InvalidRequestError` (`toolChoice: 'required'`, several stop words, no user message).
 */
export function buildGlmRequest({ modelId, request, stream }: BuildGlmRequestOptions): GlmRequestPlan {
  const warnings: string[] = [];
  const body: GlmChatRequestBody = { model: modelId, messages: convertToGlmMessages(request.messages) };
  if (stream) body.stream = true;

  if (request.temperature !== undefined) body.temperature = clamp('temperature', request.temperature, 0, 1, warnings);
  if (request.topP !== undefined) body.top_p = clamp('topP', request.topP, 0.01, 1, warnings);
  if (request.maxTokens !== undefined) {
    if (!Number.isInteger(request.maxTokens) || request.maxTokens < 1) throw invalid(`maxTokens must be a positive integer; got ${request.maxTokens}`);
    // Only max_tokens is honoured; max_completion_tokens is never sent (§1.2).
    body.max_tokens = clamp('maxTokens', request.maxTokens, 1, maxOutputByModel[modelId] ?? MAX_OUTPUT_TOKENS, warnings);
  }
  if (request.stop?.length) {
    if (request.stop.length > 1) throw invalid(`GLM accepts at most one stop sequence; got ${request.stop.length}: send one`);
    body.stop = [...request.stop];
  }
  if (request.thinking) body.thinking = { type: request.thinking.enabled ? 'enabled' : 'disabled' };
  if (request.responseFormat) body.response_format = { type: request.responseFormat.type };
  if (request.user !== undefined) setUserId(body, request.user, 'user', warnings);

  const extras = readProviderOptions(request, warnings);
  if (extras.do_sample !== undefined) body.do_sample = extras.do_sample;
  if (extras.top_p !== undefined) body.top_p = clamp('providerOptions.glm.top_p', extras.top_p, 0.01, 1, warnings);
  if (extras.request_id !== undefined) body.request_id = extras.request_id;
  if (extras.user_id !== undefined) setUserId(body, extras.user_id, 'providerOptions.glm.user_id', warnings);
  if (extras.clear_thinking !== undefined) body.thinking = { ...(body.thinking ?? { type: 'enabled' }), clear_thinking: extras.clear_thinking };

  const tools = buildTools(request, warnings, extras.search_engine);
  if (tools.length) body.tools = tools;
  const hasFunctionTools = tools.some((tool) => tool.type === 'function');
  if (hasFunctionTools && request.toolChoice === 'auto') body.tool_choice = 'auto';

  // tool_stream: GLM-4.6 only, and only with stream: true (§1.2).
  const toolStreamPossible = stream && hasFunctionTools && /^glm-4\.6(?:$|-)/.test(modelId);
  if (extras.tool_stream === true && !toolStreamPossible) {
    warnings.push('providerOptions.glm.tool_stream needs streaming, function tools and glm-4.6; it was not sent');
  }
  if (toolStreamPossible && extras.tool_stream !== false) body.tool_stream = true;

  return { body, warnings };
}

function buildTools(request: ChatRequest, warnings: string[], searchEngine: string | undefined): Array<GlmFunctionTool | GlmWebSearchTool> {
  if (request.toolChoice === 'required') {
    throw invalid('GLM supports only toolChoice "auto" (it answers 400 "Tool choice must be auto"): use "auto" or leave toolChoice out');
  }
  const tools: Array<GlmFunctionTool | GlmWebSearchTool> = [];
  const functions = request.tools ?? [];
  if (functions.length && request.toolChoice === 'none') {
    warnings.push('GLM accepts toolChoice "auto" only; for toolChoice "none" the function tools were not sent');
  } else if (functions.length) {
    if (functions.length > MAX_FUNCTION_TOOLS) throw invalid(`GLM accepts at most ${MAX_FUNCTION_TOOLS} function tools; got ${functions.length}`);
    for (const tool of functions) {
      if (!toolNamePattern.test(tool.name)) {
        throw invalid(`tool name "${tool.name}" is not valid for GLM: use 1–64 letters, digits, "_" or "-"`);
      }
      const glmFunction: GlmFunctionTool['function'] = { name: tool.name, parameters: tool.parameters };
      if (tool.description !== undefined) glmFunction.description = tool.description;
      tools.push({ type: 'function', function: glmFunction });
    }
  }
  if (request.webSearch?.enabled) tools.push(buildWebSearchTool(request.webSearch, warnings, searchEngine));
  return tools;
}

/** GLM's `web_search` tool (§1.6); `search_result: true` makes GLM return the hits. */
function buildWebSearchTool(options: WebSearchOptions, warnings: string[], searchEngine: string | undefined): GlmWebSearchTool {
  const tool: GlmWebSearchTool = {
    type: 'web_search',
    web_search: { enable: true, search_engine: searchEngine ?? DEFAULT_GLM_SEARCH_ENGINE, search_result: true },
  };
  if (options.query) tool.web_search.search_query = options.query;
  if (options.count !== undefined) tool.web_search.count = Math.round(clamp('webSearch.count', options.count, 1, 50, warnings));
  if (options.recency) tool.web_search.search_recency_filter = options.recency;
  if (options.domainFilter) tool.web_search.search_domain_filter = options.domainFilter;
  if (options.contentSize) tool.web_search.content_size = options.contentSize;
  if (options.maxRounds !== undefined) warnings.push('webSearch.maxRounds applies to Kimi only; GLM ignores it');
  return tool;
}

/** Vendor extras in `providerOptions.glm`. */
interface GlmExtras {
  do_sample?: boolean;
  top_p?: number;
  request_id?: string;
  user_id?: string;
  tool_stream?: boolean;
  clear_thinking?: boolean;
  search_engine?: string;
}

const extraTypes: Record<keyof GlmExtras, 'boolean' | 'number' | 'string'> = {
  do_sample: 'boolean',
  top_p: 'number',
  request_id: 'string',
  user_id: 'string',
  tool_stream: 'boolean',
  clear_thinking: 'boolean',
  search_engine: 'string',
};

function readProviderOptions(request: ChatRequest, warnings: string[]): GlmExtras {
  const extras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(request.providerOptions?.[GLM_PROVIDER_ID] ?? {})) {
    if (value === undefined) continue;
    const expected = extraTypes[key as keyof GlmExtras];
    if (!expected) {
      warnings.push(`providerOptions.glm.${key} is not a GLM option exai knows (${Object.keys(extraTypes).join(', ')}); it was not sent`);
      continue;
    }
    if (typeof value !== expected) throw invalid(`providerOptions.glm.${key} must be a ${expected}; got ${JSON.stringify(value)}`);
    extras[key] = value;
  }
  return extras as GlmExtras;
}

/** GLM takes `user_id` of 6–128 characters (§1.2); other values are dropped with a warning. */
function setUserId(body: GlmChatRequestBody, value: string, name: string, warnings: string[]): void {
  if (value.length < 6 || value.length > 128) {
    warnings.push(`${name} must be 6–128 characters for GLM; it was not sent`);
    return;
  }
  body.user_id = value;
}

function clamp(name: string, value: number, min: number, max: number, warnings: string[]): number {
  if (!Number.isFinite(value)) throw invalid(`${name} must be a finite number; got ${value}`);
  if (value >= min && value <= max) return value;
  const clamped = Math.min(max, Math.max(min, value));
  warnings.push(`${name} ${value} is outside GLM's range [${min}, ${max}]; sent ${clamped}`);
  return clamped;
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError({ provider: GLM_PROVIDER_ID, message });
}
