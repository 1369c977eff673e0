import { ProviderUnavailableError } from '@exai/router/spec';
import { convertUsage } from './convert-usage.js';
import type { RoundOutcome } from './kimi-round-driver.js';
import { kimiChatResponseSchema, type KimiWireAssistantMessage, type KimiWireToolCall } from './kimi-wire.js';
import { parseWire } from './parse-wire.js';

/** Reads a non-streamed chat response (provider-wire.md §2.3); only choice 0 is used. */
export function readKimiResponse(raw: unknown): RoundOutcome {
  const response = parseWire(kimiChatResponseSchema, raw, 'chat');
  const choice = response.choices.find((candidate) => (candidate.index ?? 0) === 0) ?? response.choices[0];
  if (!choice) {
    throw new ProviderUnavailableError({
      message: 'Kimi returned a chat response without choices. Retry later.',
      provider: 'kimi',
      vendorCode: 'unexpected_output',
      ...(response.id ? { requestId: response.id } : {}),
    });
  }
  const message = choice.message;
  const toolCalls = (message.tool_calls ?? []).map(
    (call, position): KimiWireToolCall => ({
      index: call.index ?? position,
      id: call.id ?? '',
      type: call.type ?? 'function',
      function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
    }),
  );
  return {
    id: response.id ?? undefined,
    model: response.model ?? undefined,
    text: message.content ?? '',
    reasoning: message.reasoning_content ?? '',
    toolCalls,
    finishReason: choice.finish_reason ?? undefined,
    usage: convertUsage(response.usage),
    // Echoed unchanged in the `$web_search` loop (§2.5), vendor fields included.
    assistantMessage: { ...message, role: 'assistant', content: message.content ?? '' } as KimiWireAssistantMessage,
  };
}
