import type { ChatRequest, ModelInfo } from '@exai/router/spec';
import { estimatePromptTokens } from './estimate-prompt-tokens.js';
import { kimiFileCount } from './request-features.js';
import { CapabilityError, type CapabilityName } from './router-errors.js';

/** A request adjusted to one model, and what was changed. */
export interface PreparedRequest {
  request: ChatRequest;
  /** Human-readable notes on each change (a clamped temperature, thinking turned off, …). */
  warnings: string[];
}

/** What {@link prepareRequest} needs to know beyond the model. */
export interface PrepareContext {
  /** Model ids that have a capability, best suggestions first (for `CapabilityError` messages). */
  modelsWith(capability: CapabilityName): string[];
  /** The request's estimated input tokens, when the caller has them already (else estimated here). */
  inputTokens?: number;
}

/** Below this many tokens of room, a context-based clamp would only hide the problem: the vendor decides. */
const MIN_CONTEXT_BUDGET = 256;
/** Safety margin on the rough prompt estimate. */
const ESTIMATE_MARGIN = 1.1;

function hasMedia(request: ChatRequest): boolean {
  return request.messages.some(
    (message) => message.role === 'user' && typeof message.content !== 'string' && message.content.some((part) => part.type !== 'text'),
  );
}

function endsWithPartial(request: ChatRequest): boolean {
  const last = request.messages[request.messages.length - 1];
  return last?.role === 'assistant' && last.partial === true;
}

/**
 * Applies what the registry knows about `info` to a request before it is sent:
 * - refuses, with a {@link CapabilityError} naming models that can, images or video without vision,
 *   function tools without tool support, web search, JSON mode, partial mode and Kimi file ids where
 *   unsupported;
 * - turns thinking off for models that never think, and drops a request to disable it on models that
 *   always think (both with a warning);
 * - temperature: the model's default when absent, clamped to its range, forced to its fixed value;
 * - maxTokens: the model's output limit when absent, clamped to that limit, and lowered so that the
 *   estimated prompt plus the answer fit the context window.
 */
export function prepareRequest(info: ModelInfo, request: ChatRequest, context: PrepareContext): PreparedRequest {
  const demand = (capability: CapabilityName, need: string): void => {
    if (!info.capabilities[capability]) {
      throw new CapabilityError({ model: info.id, capability, need, alternatives: context.modelsWith(capability) });
    }
  };
  if (hasMedia(request)) demand('vision', 'read images or video');
  if (request.tools?.length) demand('tools', 'call functions (tools)');
  if (request.webSearch?.enabled) demand('webSearch', 'search the web');
  if (request.responseFormat?.type === 'json_object') demand('jsonMode', 'answer in JSON mode');
  if (endsWithPartial(request)) demand('partialMode', 'continue a partial assistant message');
  if (kimiFileCount(request) > 0) demand('files', 'read uploaded files (providerOptions.kimi.fileIds)');

  const warnings: string[] = [];
  const prepared: ChatRequest = { ...request };

  const thinking = info.capabilities.thinking;
  if (request.thinking?.enabled && thinking === 'none') {
    delete prepared.thinking;
    warnings.push(`${info.id} does not think; thinking was turned off`);
  } else if (request.thinking && !request.thinking.enabled && thinking === 'always') {
    delete prepared.thinking;
    warnings.push(`${info.id} always thinks; thinking cannot be turned off`);
  }

  const range = info.temperature;
  const asked = request.temperature;
  if (range.fixed !== undefined) {
    if (asked !== undefined && asked !== range.fixed) warnings.push(`${info.id} accepts only temperature ${range.fixed}; sent ${range.fixed} instead of ${asked}`);
    prepared.temperature = range.fixed;
  } else if (asked === undefined || !Number.isFinite(asked)) {
    if (asked !== undefined) warnings.push(`temperature ${asked} is not a number; sent ${info.id}'s default ${range.default}`);
    prepared.temperature = range.default;
  } else if (asked < range.min || asked > range.max) {
    prepared.temperature = Math.min(range.max, Math.max(range.min, asked));
    warnings.push(`temperature ${asked} is outside ${info.id}'s range ${range.min}–${range.max}; sent ${prepared.temperature}`);
  }

  const requested = request.maxTokens;
  let maxTokens = requested === undefined ? info.maxOutputTokens : Math.floor(requested);
  if (!(maxTokens >= 1)) {
    warnings.push(`maxTokens ${requested} is not a positive number; sent ${info.id}'s limit ${info.maxOutputTokens}`);
    maxTokens = info.maxOutputTokens;
  } else if (maxTokens > info.maxOutputTokens) {
    if (requested !== undefined) warnings.push(`maxTokens ${requested} exceeds ${info.id}'s output limit; sent ${info.maxOutputTokens}`);
    maxTokens = info.maxOutputTokens;
  }
  const promptTokens = Math.ceil((context.inputTokens ?? estimatePromptTokens(request)) * ESTIMATE_MARGIN);
  const room = info.contextWindow - promptTokens;
  if (maxTokens > room && room >= MIN_CONTEXT_BUDGET) {
    if (requested !== undefined) {
      warnings.push(`maxTokens lowered from ${maxTokens} to ${room} so the prompt (about ${promptTokens} tokens) and the answer fit ${info.id}'s ${info.contextWindow}-token context`);
    }
    maxTokens = room;
  }
  prepared.maxTokens = maxTokens;

  return { request: prepared, warnings };
}
