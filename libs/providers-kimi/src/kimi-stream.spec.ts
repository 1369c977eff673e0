import { describe, expect, it } from '@jest/globals';
import { ProviderError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { bodyOf, fakeKimi, sseFile } from './test-support/fake-fetch.js';

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

describe('KimiChatModel.stream (fixtures)', () => {
  it('yields metadata, deltas and finish with usage from inside the choice', async () => {
    const { kimi, calls } = fakeKimi([sseFile('chat-stream.chunks.txt')]);
    const parts = await collect(kimi.chatModel('kimi-k2-turbo-preview').stream(hello));
    expect(parts).toEqual([
      { type: 'response-metadata', provider: 'kimi', modelId: 'kimi-k2-turbo-preview', requestId: 'cmpl-1305b94c570f447fbde3180560736287' },
      { type: 'text-delta', delta: 'Hello' },
      { type: 'text-delta', delta: ', world' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: 19, cachedInputTokens: 8, outputTokens: 13, reasoningTokens: 0, totalTokens: 32 },
        webSearchCalls: 0,
        warnings: [],
      },
    ]);
    const body = bodyOf(calls[0]);
    expect(body.stream).toBe(true);
    expect(body.stream_options).toEqual({ include_usage: true });
    expect(body.max_tokens).toBe(8192);
  });

  it('counts the include_usage chunk once, not on top of the in-choice usage', async () => {
    const { kimi } = fakeKimi([sseFile('chat-stream-include-usage.chunks.txt')]);
    const parts = await collect(kimi.chatModel('kimi-k2-0905-preview').stream(hello));
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && finish.usage).toEqual({ inputTokens: 19, cachedInputTokens: 16, outputTokens: 2, reasoningTokens: 0, totalTokens: 21 });
    expect(parts.filter((part) => part.type === 'text-delta')).toEqual([{ type: 'text-delta', delta: 'Hi there' }]);
  });

  it('streams reasoning deltas before text', async () => {
    const { kimi } = fakeKimi([sseFile('thinking-stream.chunks.txt')]);
    const parts = await collect(kimi.chatModel('kimi-k2-thinking').stream(hello));
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'reasoning-delta', 'reasoning-delta', 'text-delta', 'finish']);
    expect(parts[1]).toEqual({ type: 'reasoning-delta', delta: 'The user' });
  });

  it('accumulates tool-call fragments by index and emits complete calls before finish', async () => {
    const { kimi } = fakeKimi([sseFile('tool-calls-stream.chunks.txt')]);
    const parts = await collect(
      kimi.chatModel('kimi-k2-0905-preview').stream({ ...hello, tools: [{ type: 'function', name: 'get_weather', parameters: {} }] }),
    );
    expect(parts.slice(1)).toEqual([
      { type: 'tool-call', toolCall: { id: 'functions.get_weather:0', type: 'function', name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { type: 'tool-call', toolCall: { id: 'functions.get_time:1', type: 'function', name: 'get_time', arguments: '{}' } },
      expect.objectContaining({ type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' } }),
    ]);
  });

  it('starts with the partial-mode prefix so the stream carries the whole text', async () => {
    const { kimi } = fakeKimi([sseFile('chat-stream.chunks.txt')]);
    const parts = await collect(
      kimi.chatModel('kimi-k2-turbo-preview').stream({
        messages: [{ role: 'user', content: 'Greet' }, { role: 'assistant', content: 'Well: ', partial: true }],
      }),
    );
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    expect(parts[1]).toEqual({ type: 'text-delta', delta: 'Well: ' });
    expect(text).toBe('Well: Hello, world');
  });

  it('fails with ProviderUnavailableError when the stream ends without a finish_reason', async () => {
    const { kimi } = fakeKimi([sseFile('stream-cut.chunks.txt')]);
    let caught: unknown;
    const seen: string[] = [];
    try {
      for await (const part of kimi.chatModel('kimi-k2-turbo-preview').stream(hello)) seen.push(part.type);
    } catch (error) {
      caught = error;
    }
    expect(seen).toEqual(['response-metadata', 'text-delta']);
    expect(ProviderError.isInstance(caught) && caught.code).toBe('provider_unavailable');
    expect(ProviderError.isInstance(caught) && caught.requestId).toBe('cmpl-9905b94c570f447fbde318056073628e');
  });

  it('throws validation errors from the iterator before any part', async () => {
    const { kimi, calls } = fakeKimi([]);
    const iterator = kimi.chatModel('kimi-k2-0905-preview').stream({ ...hello, toolChoice: 'required', tools: [{ type: 'function', name: 'f', parameters: {} }] });
    await expect(collect(iterator)).rejects.toMatchObject({ code: 'invalid_request' });
    expect(calls).toHaveLength(0);
  });
});
