import { isRecord } from './http-io.js';
import type { KimiModel } from './kimi-models.js';
import { contentText, messageChars, toolCallsOf, type WireMessage } from './messages.js';
import type { SimState } from './state.js';

const roles = new Set(['system', 'user', 'assistant', 'tool']);

function isEmpty(content: unknown): boolean {
  if (content === undefined || content === null || content === '') return true;
  return Array.isArray(content) && content.length === 0;
}

/** Checks one media URL: `data:` base64 or `ms://<file id>`; http(s) is not supported (§2.2). */
function mediaUrlError(url: unknown, state: SimState): string | undefined {
  if (typeof url !== 'string' || !url) return 'Invalid request: image_url.url is required';
  if (url.startsWith('data:')) return undefined;
  if (url.startsWith('ms://')) {
    const id = url.slice('ms://'.length);
    return state.kimiFiles.get(id) ? undefined : `Invalid request: file ${id} not found`;
  }
  return `Invalid request: unsupported image url, only base64 data urls and ms://<file_id> are supported`;
}

function partsError(content: unknown[], model: string, spec: KimiModel, state: SimState): string | undefined {
  for (const part of content) {
    if (!isRecord(part)) return 'Invalid request: message content parts must be objects';
    if (part.type === 'text') {
      if (typeof part.text !== 'string') return 'Invalid request: text part must have a text';
      continue;
    }
    if (part.type !== 'image_url' && part.type !== 'video_url') return `Invalid request: unsupported content type ${String(part.type)}`;
    // K2 models and the non-vision moonshot-v1 models take no images or videos (§3).
    if (!spec.vision) return `Invalid request: image input is not supported by model ${model}`;
    const holder = part.type === 'image_url' ? part.image_url : part.video_url;
    const error = mediaUrlError(isRecord(holder) ? holder.url : undefined, state);
    if (error) return error;
  }
  return undefined;
}

/** Validates roles, contents and media of every message; returns the error message, if any. */
export function kimiMessagesError(messages: readonly WireMessage[], model: string, spec: KimiModel, state: SimState): string | undefined {
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as WireMessage;
    const role = message.role;
    if (typeof role !== 'string' || !roles.has(role)) return `Invalid request: unknown role ${String(role)} at message ${index}`;
    // Empty content is rejected, except an assistant turn that only carries tool calls (§2.2).
    if (isEmpty(message.content) && !(role === 'assistant' && toolCallsOf(message).length > 0)) {
      return `Invalid request: the message at position ${index} with role '${role}' must not be empty`;
    }
    if (Array.isArray(message.content)) {
      const error = partsError(message.content, model, spec, state);
      if (error) return error;
    }
  }
  return undefined;
}

/** Kimi K2 thinking: every assistant tool-call turn must carry its `reasoning_content` back (§2.4). */
export function missingReasoning(messages: readonly WireMessage[]): boolean {
  return messages.some(
    (message) =>
      message.role === 'assistant' &&
      toolCallsOf(message).length > 0 &&
      !(typeof message.reasoning_content === 'string' && message.reasoning_content.length > 0),
  );
}

/**
 * Checks the `$web_search` echoes (§2.5): the tool message answering each `$web_search` call must
 * carry `name: "$web_search"` and the call's arguments verbatim, with a `search_id` the simulator issued.
 */
export function webSearchEchoError(messages: readonly WireMessage[], state: SimState): string | undefined {
  for (let index = 0; index < messages.length; index++) {
    for (const call of toolCallsOf(messages[index] as WireMessage)) {
      const fn = isRecord(call.function) ? call.function : undefined;
      if (fn?.name !== '$web_search') continue;
      const echo = messages.slice(index + 1).find((message) => message.role === 'tool' && message.tool_call_id === call.id);
      const args = typeof fn.arguments === 'string' ? fn.arguments : '';
      if (!echo || echo.name !== '$web_search' || echo.content !== args || !state.kimiSearchIds.has(searchIdOf(args) ?? '')) {
        return `Invalid request: the tool message for $web_search call ${String(call.id)} must have name "$web_search" and echo the call's arguments verbatim`;
      }
    }
  }
  return undefined;
}

/** Reads `search_result.search_id` and `usage.total_tokens` out of `$web_search` arguments. */
function parseSearchArguments(args: string): { searchId?: string; tokens?: number } {
  try {
    const parsed: unknown = JSON.parse(args);
    if (!isRecord(parsed)) return {};
    const searchId = isRecord(parsed.search_result) && typeof parsed.search_result.search_id === 'string' ? parsed.search_result.search_id : undefined;
    const tokens = isRecord(parsed.usage) && typeof parsed.usage.total_tokens === 'number' ? parsed.usage.total_tokens : undefined;
    return { searchId, tokens };
  } catch {
    return {};
  }
}

function searchIdOf(args: string): string | undefined {
  return parseSearchArguments(args).searchId;
}

/**
 * Weight of each message in characters. A `$web_search` echo weighs its `usage.total_tokens`, which
 * Kimi bills as prompt tokens of the next call (§2.5).
 */
export function kimiMessageWeights(messages: readonly WireMessage[]): number[] {
  return messages.map((message) => {
    if (message.role === 'tool' && message.name === '$web_search') {
      const tokens = parseSearchArguments(contentText(message.content)).tokens;
      if (tokens !== undefined) return tokens * 4;
    }
    return messageChars(message);
  });
}
