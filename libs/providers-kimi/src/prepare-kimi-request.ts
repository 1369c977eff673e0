import type { CallOptions, ChatRequest } from '@exai/router/spec';
import { resolveAutoContinue } from './auto-continue.js';
import { convertMessages } from './convert-messages.js';
import { convertTools, webSearchTool } from './convert-tools.js';
import { invalidRequest } from './invalid-request.js';
import { defaultFileContentMaxChars, insertFileMessages } from './kimi-file-messages.js';
import type { KimiFiles } from './kimi-files.js';
import { kimiModelTraits, kimiNonThinkingSuggestion, type KimiModelTraits } from './kimi-model-traits.js';
import { parseKimiProviderOptions, type KimiProviderOptions } from './kimi-provider-options.js';
import type { RoundDriverSetup } from './kimi-round-driver.js';
import type { KimiChatBody, KimiWireMessage, KimiWireTool } from './kimi-wire.js';
import { defaultWebSearchMaxRounds } from './kimi-web-search-loop.js';

/** Inputs of `prepareKimiRequest`. */
export interface PrepareKimiRequestInput {
  modelId: string;
  request: ChatRequest;
  defaultMaxTokens: number;
  files: KimiFiles;
  callOptions?: CallOptions | undefined;
}

/**
 * Validates a chat request for Kimi and builds the first request body. Everything Kimi would
 * reject, and every combination it cannot honour, fails here with an `InvalidRequestError` before
 * anything is sent; the only I/O is fetching file contents for `providerOptions.kimi.fileIds`.
 */
export async function prepareKimiRequest(input: PrepareKimiRequestInput): Promise<RoundDriverSetup> {
  const { modelId, request } = input;
  const kimi = parseKimiProviderOptions(request.providerOptions?.['kimi']);
  const traits = kimiModelTraits(modelId);
  const warnings: string[] = [];
  const webSearch = request.webSearch?.enabled === true;
  const autoContinue = resolveAutoContinue(kimi.autoContinue);
  const last = request.messages[request.messages.length - 1];
  const partialPrefix = last?.role === 'assistant' && last.partial ? last.content : '';
  validate({ request, kimi, traits, modelId, webSearch, partial: partialPrefix !== '', autoContinue: autoContinue !== undefined });

  let messages = convertMessages(request.messages, { modelId, traits, warnings });
  if (kimi.fileIds?.length) {
    messages = await insertFileMessages(messages, {
      files: input.files,
      fileIds: kimi.fileIds,
      maxChars: kimi.fileContentMaxChars ?? defaultFileContentMaxChars,
      callOptions: input.callOptions,
    });
  }
  if (kimi.cacheId) {
    // The legacy cache reference goes first (provider-wire.md §2.8).
    const ttl = kimi.cacheResetTtlSeconds === undefined ? '' : `;reset_ttl=${kimi.cacheResetTtlSeconds}`;
    messages = [{ role: 'cache', content: `cache_id=${kimi.cacheId}${ttl}` }, ...messages];
  }

  const tools: KimiWireTool[] = [...convertTools(request.tools ?? []), ...(webSearch ? [webSearchTool] : [])];
  // Always sent: without it Kimi silently caps the answer at 1024 tokens (§2.2, §4.8).
  const maxTokens = request.maxTokens ?? defaultMaxTokens({ messages, tools, traits, modelId, warnings, limit: input.defaultMaxTokens });
  const body: KimiChatBody = { model: modelId, messages, max_tokens: maxTokens };
  const temperature = resolveTemperature(request.temperature, kimi.n, traits, modelId, warnings);
  if (temperature !== undefined) body.temperature = temperature;
  const topP = request.topP ?? kimi.top_p;
  if (topP !== undefined) body.top_p = topP;
  if (kimi.n !== undefined) {
    body.n = kimi.n;
    if (kimi.n > 1) warnings.push(`n=${kimi.n}: Kimi generates ${kimi.n} choices (all billed); exai returns only the first.`);
  }
  if (kimi.presence_penalty !== undefined) body.presence_penalty = kimi.presence_penalty;
  if (kimi.frequency_penalty !== undefined) body.frequency_penalty = kimi.frequency_penalty;
  if (request.stop?.length) body.stop = request.stop;
  if (request.responseFormat?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (tools.length > 0) {
    body.tools = tools;
    if (request.toolChoice === 'auto' || request.toolChoice === 'none') body.tool_choice = request.toolChoice;
  }
  const thinking = resolveThinking(request, traits, webSearch, modelId, warnings);
  if (thinking) body.thinking = thinking;
  if (kimi.prompt_cache_key) body.prompt_cache_key = kimi.prompt_cache_key;
  if (kimi.safety_identifier) body.safety_identifier = kimi.safety_identifier;

  return {
    body,
    warnings,
    partialPrefix,
    webSearchMaxRounds: webSearch ? (request.webSearch?.maxRounds ?? defaultWebSearchMaxRounds) : undefined,
    autoContinue,
  };
}

interface DefaultMaxTokensInput {
  messages: readonly KimiWireMessage[];
  tools: readonly KimiWireTool[];
  traits: KimiModelTraits;
  modelId: string;
  warnings: string[];
  limit: number;
}

/**
 * The default `max_tokens`, lowered when prompt plus default would not fit the model's context
 * (Kimi then fails the call, §2.2): on moonshot-v1-8k the default of 8192 never fits. The prompt is
 * over-estimated (2 characters a token, 1,024 per image) so the lowered value stays inside.
 */
function defaultMaxTokens({ messages, tools, traits, modelId, warnings, limit }: DefaultMaxTokensInput): number {
  if (traits.contextWindow === undefined) return limit;
  let chars = tools.length > 0 ? JSON.stringify(tools).length : 0;
  let images = 0;
  for (const message of messages) {
    if (typeof message.content === 'string') chars += message.content.length;
    else {
      for (const part of message.content) {
        if (part.type === 'text') chars += part.text.length;
        else images++;
      }
    }
    if (message.role === 'assistant') {
      chars += (message.reasoning_content?.length ?? 0) + JSON.stringify(message.tool_calls ?? []).length;
    }
  }
  const estimate = Math.ceil(chars / 2) + images * 1024 + messages.length * 8;
  const room = traits.contextWindow - estimate;
  if (room >= limit || room < 1) return limit;
  warnings.push(
    `max_tokens lowered from ${limit} to ${room} so the prompt (about ${estimate} tokens at most) fits ${modelId}'s ${traits.contextWindow}-token context; set maxTokens to choose.`,
  );
  return room;
}

interface ValidateInput {
  request: ChatRequest;
  kimi: KimiProviderOptions;
  traits: KimiModelTraits;
  modelId: string;
  webSearch: boolean;
  partial: boolean;
  autoContinue: boolean;
}

function validate({ request, kimi, traits, modelId, webSearch, partial, autoContinue }: ValidateInput): void {
  if (request.toolChoice === 'required') {
    throw invalidRequest(
      "toolChoice 'required' is not supported by Kimi (only 'auto' and 'none'). Use 'auto' and ask for the tool call in the prompt.",
    );
  }
  if (!traits.supportsTools && ((request.tools?.length ?? 0) > 0 || webSearch)) {
    throw invalidRequest(
      `${modelId} does not support tools or web search. Use kimi-k2-thinking for reasoning with function tools, or ${kimiNonThinkingSuggestion} for web search.`,
    );
  }
  if (webSearch && traits.alwaysThinks) {
    throw invalidRequest(
      `Kimi's $web_search needs thinking disabled, but ${modelId} always thinks. Use ${kimiNonThinkingSuggestion} (or kimi-k2-0905-preview) for web search.`,
    );
  }
  const maxRounds = request.webSearch?.maxRounds;
  if (webSearch && maxRounds !== undefined && !(Number.isInteger(maxRounds) && maxRounds >= 1)) {
    throw invalidRequest(`webSearch.maxRounds must be a whole number of at least 1, not ${maxRounds}.`);
  }
  const jsonMode = request.responseFormat?.type === 'json_object';
  if (partial && jsonMode) {
    throw invalidRequest('Kimi partial mode (a last assistant message with partial: true) cannot be combined with responseFormat json_object.');
  }
  if (autoContinue && jsonMode) {
    throw invalidRequest(
      'providerOptions.kimi.autoContinue continues with partial mode, which Kimi does not allow with responseFormat json_object; drop one of them.',
    );
  }
  if (kimi.cacheId && !traits.legacyMoonshot) {
    throw invalidRequest(
      `providerOptions.kimi.cacheId works with moonshot-v1 models only, not ${modelId}; K2 models cache prompt prefixes automatically (see usage.cachedInputTokens).`,
    );
  }
  if (kimi.cacheResetTtlSeconds !== undefined && !kimi.cacheId) {
    throw invalidRequest('providerOptions.kimi.cacheResetTtlSeconds needs providerOptions.kimi.cacheId.');
  }
  const maxTokens = request.maxTokens;
  if (maxTokens !== undefined && !(Number.isInteger(maxTokens) && maxTokens >= 1)) {
    throw invalidRequest(`maxTokens must be a whole number of at least 1, not ${maxTokens}.`);
  }
  if (request.stop && (request.stop.length > 5 || request.stop.some((stop) => new TextEncoder().encode(stop).length > 32))) {
    throw invalidRequest('Kimi takes at most 5 stop sequences of at most 32 bytes each.');
  }
  if (request.temperature !== undefined && !Number.isFinite(request.temperature)) {
    throw invalidRequest(`temperature must be a number, not ${request.temperature}.`);
  }
}

/** Kimi takes [0,1]; k2-thinking only 1.0; `n > 1` needs at least 0.3 (§2.2, as LiteLLM does). */
function resolveTemperature(
  requested: number | undefined,
  n: number | undefined,
  traits: KimiModelTraits,
  modelId: string,
  warnings: string[],
): number | undefined {
  if (traits.fixedTemperature !== undefined) {
    if (requested !== undefined && requested !== traits.fixedTemperature) {
      warnings.push(`${modelId} accepts only temperature ${traits.fixedTemperature}; ${requested} was replaced.`);
    }
    return traits.fixedTemperature;
  }
  let temperature = requested;
  if (temperature !== undefined && (temperature < 0 || temperature > 1)) {
    const clamped = Math.min(1, Math.max(0, temperature));
    warnings.push(`Kimi accepts temperature in [0, 1]; ${temperature} was clamped to ${clamped}.`);
    temperature = clamped;
  }
  if (n !== undefined && n > 1) {
    const effective = temperature ?? (traits.legacyMoonshot ? 0 : undefined);
    if (effective !== undefined && effective < 0.3) {
      warnings.push(`Kimi rejects n > 1 with a temperature near 0; temperature ${effective} was raised to 0.3.`);
      temperature = 0.3;
    }
  }
  return temperature;
}

/** The `thinking` switch exists on K2.5+ only; `$web_search` needs it off (§2.2, §2.5). */
function resolveThinking(
  request: ChatRequest,
  traits: KimiModelTraits,
  webSearch: boolean,
  modelId: string,
  warnings: string[],
): KimiChatBody['thinking'] {
  const wanted = request.thinking?.enabled;
  if (traits.acceptsThinkingSwitch) {
    if (webSearch) {
      if (wanted) warnings.push(`Thinking was turned off on ${modelId}: Kimi's $web_search does not work while the model thinks.`);
      return { type: 'disabled' };
    }
    return wanted === undefined ? undefined : { type: wanted ? 'enabled' : 'disabled' };
  }
  if (traits.alwaysThinks && wanted === false) {
    warnings.push(`${modelId} always thinks; thinking.enabled=false has no effect.`);
  } else if (!traits.alwaysThinks && wanted) {
    warnings.push(`${modelId} does not think; thinking was ignored. Use kimi-k2-thinking for reasoning.`);
  }
  return undefined;
}
