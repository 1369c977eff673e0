import type { ChatMessage, ChatRequest, UserContentPart, WebSearchOptions } from '@exai/router/spec';
import { ToolInputError } from '../tool-input-error.js';

/**
 * GLM's chat body for a prepared request, as `@exai/providers-glm` builds it (`buildGlmRequest`,
 * `convertToGlmMessages`; provider-wire.md §1.2, §1.6). Tools may not import a provider, so the
 * mapping is restated here; `glm-payload-preview-tool.spec.ts` checks it against what the real
 * provider sends to the simulator, so any drift fails a test.
 */
export function describeGlmPayload(modelId: string, request: ChatRequest, stream: boolean): { body: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const body: Record<string, unknown> = { model: modelId, messages: glmMessages(request.messages) };
  if (stream) body['stream'] = true;
  if (request.temperature !== undefined) body['temperature'] = clamp('temperature', request.temperature, 0, 1, warnings);
  if (request.topP !== undefined) body['top_p'] = clamp('topP', request.topP, 0.01, 1, warnings);
  if (request.maxTokens !== undefined) body['max_tokens'] = clamp('maxTokens', request.maxTokens, 1, MAX_OUTPUT_TOKENS, warnings);
  if (request.stop?.length) {
    if (request.stop.length > 1) throw refused(`GLM accepts at most one stop sequence; got ${request.stop.length}`);
    body['stop'] = [...request.stop];
  }
  if (request.thinking) body['thinking'] = { type: request.thinking.enabled ? 'enabled' : 'disabled' };
  if (request.responseFormat) body['response_format'] = { type: request.responseFormat.type };
  if (request.user !== undefined) {
    // GLM takes user_id of 6–128 characters (§1.2).
    if (request.user.length >= 6 && request.user.length <= 128) body['user_id'] = request.user;
    else warnings.push('user must be 6–128 characters for GLM; it was not sent');
  }
  if (request.toolChoice === 'required') throw refused('GLM supports only tool_choice "auto" (it answers 400 "Tool choice must be auto")');
  const tools: unknown[] = [];
  const functions = request.tools ?? [];
  if (functions.length && request.toolChoice === 'none') warnings.push('GLM accepts toolChoice "auto" only; for toolChoice "none" the function tools were not sent');
  else for (const tool of functions) tools.push({ type: 'function', function: { name: tool.name, ...(tool.description !== undefined ? { description: tool.description } : {}), parameters: tool.parameters } });
  if (request.webSearch?.enabled) tools.push(webSearchTool(request.webSearch, warnings));
  if (tools.length) body['tools'] = tools;
  const hasFunctions = tools.some((tool) => (tool as { type: string }).type === 'function');
  if (hasFunctions && request.toolChoice === 'auto') body['tool_choice'] = 'auto';
  // tool_stream: GLM-4.6 only, and only when streaming (§1.2).
  if (stream && hasFunctions && /^glm-4\.6(?:$|-)/.test(modelId)) body['tool_stream'] = true;
  return { body, warnings };
}

/** GLM's ceiling of `max_tokens` (§1.2); the prepared request is already within the model's own limit. */
const MAX_OUTPUT_TOKENS = 131_072;
/** z.ai's search engine (§1.6). */
const SEARCH_ENGINE = 'search-prime';

function webSearchTool(options: WebSearchOptions, warnings: string[]): unknown {
  const search: Record<string, unknown> = { enable: true, search_engine: SEARCH_ENGINE, search_result: true };
  if (options.query) search['search_query'] = options.query;
  if (options.count !== undefined) search['count'] = Math.round(clamp('webSearch.count', options.count, 1, 50, warnings));
  if (options.recency) search['search_recency_filter'] = options.recency;
  if (options.domainFilter) search['search_domain_filter'] = options.domainFilter;
  if (options.contentSize) search['content_size'] = options.contentSize;
  return { type: 'web_search', web_search: search };
}

/** Assistant and tool content always as strings, reasoning as `reasoning_content`, no `name` (§1.2, §1.5). */
function glmMessages(messages: readonly ChatMessage[]): unknown[] {
  if (!messages.some((message) => message.role === 'user')) throw refused('GLM needs at least one user message (it answers 1214 otherwise)');
  return messages.map((message) => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return { role: 'user', content: userContent(message.content) };
      case 'assistant':
        return {
          role: 'assistant',
          content: message.content ?? '',
          ...(message.reasoning ? { reasoning_content: message.reasoning } : {}),
          ...(message.toolCalls?.length ? { tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })) } : {}),
        };
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content ?? '' };
    }
  });
}

function userContent(content: string | UserContentPart[]): unknown {
  if (typeof content === 'string') return content;
  if (content.every((part) => part.type === 'text')) return content.map((part) => (part as { text: string }).text).join('\n');
  return content.map((part) => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image':
        return { type: 'image_url', image_url: { url: withoutDataPrefix(part.image) } };
      case 'video':
        return { type: 'video_url', video_url: { url: withoutDataPrefix(part.video) } };
    }
  });
}

/** The official SDK strips `data:…;base64,` (§1.2). */
function withoutDataPrefix(value: string): string {
  return value.replace(/^data:[^,]*;base64,/i, '');
}

function clamp(name: string, value: number, min: number, max: number, warnings: string[]): number {
  if (value >= min && value <= max) return value;
  const clamped = Math.min(max, Math.max(min, value));
  warnings.push(`${name} ${value} is outside GLM's range [${min}, ${max}]; sent ${clamped}`);
  return clamped;
}

function refused(message: string): ToolInputError {
  return new ToolInputError('glm_payload_preview', `GLM would refuse this request before sending: ${message}`);
}
