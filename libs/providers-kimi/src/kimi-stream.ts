import { ProviderUnavailableError, type StreamPart } from '@exai/router/spec';
import { convertUsage } from './convert-usage.js';
import type { RoundOutcome } from './kimi-round-driver.js';
import type { KimiChunk, KimiChunkToolCall, KimiWireAssistantMessage, KimiWireToolCall, KimiWireUsage } from './kimi-wire.js';

const noParts: readonly StreamPart[] = [];

/**
 * Assembles one streamed round trip from Kimi chunks (provider-wire.md §2.3) and turns deltas into
 * stream parts. Quirks handled: `role` only in the first chunk; `usage` inside the choice of the last
 * chunk, or at the top level of the extra `choices: []` chunk sent with `include_usage` (the last one
 * seen wins, so the two never add up); tool-call fragments accumulated by `index`; only choice 0.
 */
export class KimiStreamRound {
  id: string | undefined;
  model: string | undefined;
  #text = '';
  #reasoning = '';
  #finishReason: string | undefined;
  #usage: KimiWireUsage | undefined;
  #calls = new Map<number, KimiWireToolCall>();

  /** Reads one chunk; returns the text and reasoning deltas it carries. */
  push(chunk: KimiChunk): readonly StreamPart[] {
    if (this.id === undefined && typeof chunk.id === 'string') this.id = chunk.id;
    if (this.model === undefined && typeof chunk.model === 'string') this.model = chunk.model;
    if (chunk.usage) this.#usage = chunk.usage;
    const choices = chunk.choices;
    if (!Array.isArray(choices) || choices.length === 0) return noParts;
    let parts: StreamPart[] | undefined;
    for (const choice of choices) {
      if ((choice.index ?? 0) !== 0) continue;
      if (choice.usage) this.#usage = choice.usage;
      if (choice.finish_reason) this.#finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (!delta) continue;
      if (typeof delta.reasoning_content === 'string' && delta.reasoning_content.length > 0) {
        this.#reasoning += delta.reasoning_content;
        (parts ??= []).push({ type: 'reasoning-delta', delta: delta.reasoning_content });
      }
      if (typeof delta.content === 'string' && delta.content.length > 0) {
        this.#text += delta.content;
        (parts ??= []).push({ type: 'text-delta', delta: delta.content });
      }
      if (Array.isArray(delta.tool_calls)) {
        for (const fragment of delta.tool_calls) this.#addToolCall(fragment);
      }
    }
    return parts ?? noParts;
  }

  /** The finished round. Throws when the stream ended before a `finish_reason` (a cut connection). */
  outcome(): RoundOutcome {
    if (this.#finishReason === undefined) {
      throw new ProviderUnavailableError({
        message: 'The Kimi stream ended before the answer finished (no finish_reason); the connection was probably cut. Retry.',
        provider: 'kimi',
        ...(this.id ? { requestId: this.id } : {}),
      });
    }
    const toolCalls = [...this.#calls.values()];
    const assistantMessage: KimiWireAssistantMessage = { role: 'assistant', content: this.#text };
    if (this.#reasoning) assistantMessage.reasoning_content = this.#reasoning;
    if (toolCalls.length > 0) assistantMessage.tool_calls = toolCalls;
    return {
      id: this.id,
      model: this.model,
      text: this.#text,
      reasoning: this.#reasoning,
      toolCalls,
      finishReason: this.#finishReason,
      usage: convertUsage(this.#usage),
      assistantMessage,
    };
  }

  #addToolCall(fragment: KimiChunkToolCall): void {
    const index = fragment.index ?? this.#calls.size;
    let call = this.#calls.get(index);
    if (!call) {
      call = { index, id: '', type: 'function', function: { name: '', arguments: '' } };
      this.#calls.set(index, call);
    }
    if (fragment.id) call.id = fragment.id;
    if (fragment.type) call.type = fragment.type;
    if (fragment.function?.name) call.function.name = fragment.function.name;
    if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
  }
}
