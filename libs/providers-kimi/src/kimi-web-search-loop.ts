import type { ToolCall } from '@exai/router/spec';
import type { KimiWireAssistantMessage, KimiWireMessage, KimiWireToolCall } from './kimi-wire.js';

/** Name of Kimi's builtin search function (provider-wire.md §2.5). */
export const webSearchFunctionName = '$web_search';

/** Default bound of `$web_search` rounds per call (`WebSearchOptions.maxRounds`). */
export const defaultWebSearchMaxRounds = 5;

/** True for a call of the builtin search (its `type` was seen as both `builtin_function` and `function`, §2.5). */
export function isWebSearchCall(call: KimiWireToolCall): boolean {
  return call.function.name === webSearchFunctionName;
}

/** A round Kimi ended only to run searches: exai must hand them back and call again. */
export function isWebSearchOnlyRound(finishReason: string | undefined, toolCalls: readonly KimiWireToolCall[]): boolean {
  return finishReason === 'tool_calls' && toolCalls.length > 0 && toolCalls.every(isWebSearchCall);
}

/**
 * The messages that hand a search round back (§2.5 step 3): the assistant message unchanged
 * (with its `reasoning_content`, if any), then one `tool` message per call whose content is the
 * call's `arguments` verbatim. Kimi ran the search itself; exai searches nothing. They go before a
 * trailing partial-mode message, which must stay last.
 */
export function appendWebSearchEcho(
  messages: readonly KimiWireMessage[],
  assistant: KimiWireAssistantMessage,
  toolCalls: readonly KimiWireToolCall[],
): KimiWireMessage[] {
  const echo: KimiWireMessage[] = [
    assistant,
    ...toolCalls.map(
      (call): KimiWireMessage => ({ role: 'tool', tool_call_id: call.id, name: webSearchFunctionName, content: call.function.arguments }),
    ),
  ];
  const last = messages[messages.length - 1];
  if (last?.role === 'assistant' && last.partial) return [...messages.slice(0, -1), ...echo, last];
  return [...messages, ...echo];
}

/** A wire tool call as handed to the caller; builtin searches keep `type: 'builtin_function'`. */
export function toToolCall(call: KimiWireToolCall): ToolCall {
  return {
    id: call.id,
    type: isWebSearchCall(call) || call.type === 'builtin_function' ? 'builtin_function' : 'function',
    name: call.function.name,
    arguments: call.function.arguments,
  };
}
