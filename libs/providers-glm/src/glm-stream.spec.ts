import { describe, expect, it } from '@jest/globals';
import { AbortedError, ContentFilteredError, ProviderUnavailableError, RateLimitedError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { createGlm } from './glm-provider.js';
import { normalizeGlmStream } from './glm-stream.js';
import { createFixtureFetch, readFixture, sseResponse, type SseOptions } from './test-support/fixture-fetch.js';

const weatherTool = { type: 'function' as const, name: 'weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } };

function setup(fixture: string, modelId = 'glm-4.5', sse: Omit<SseOptions, 'signal'> = {}) {
  const { fetch, calls } = createFixtureFetch((call) => sseResponse(readFixture(fixture), { ...sse, signal: call.signal }));
  const model = createGlm({ apiKey: 'test-key', baseURL: 'https://glm.test/api/paas/v4', fetch }).chatModel(modelId);
  return { model, calls };
}

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const collected: StreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: text }], ...extra });

describe('GlmChatModel.stream (recorded chunks, §1.4)', () => {
  it('yields metadata, reasoning then text deltas, and a finish with the final-chunk usage', async () => {
    const { model, calls } = setup('stream-text.chunks.txt');
    const parts = await collect(model.stream(ask('Oi')));
    expect(calls[0]!.body).toEqual({ model: 'glm-4.5', messages: [{ role: 'user', content: 'Oi' }], stream: true });
    expect(parts).toEqual([
      { type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5', requestId: '20250926190540c29952ed24ae4570' },
      { type: 'reasoning-delta', delta: 'The' },
      { type: 'reasoning-delta', delta: ' user greets me in Portuguese.' },
      { type: 'text-delta', delta: 'Ol' },
      { type: 'text-delta', delta: 'á! Tudo bem?' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: { inputTokens: 18, cachedInputTokens: 0, outputTokens: 202, reasoningTokens: 0, totalTokens: 220 },
        webSearchCalls: 0,
        warnings: [],
      },
    ]);
  });

  it('emits a whole tool call once although finish_reason "tool_calls" comes twice', async () => {
    const { model } = setup('stream-tool-calls.chunks.txt');
    const parts = await collect(model.stream(ask('Weather in Florence?', { tools: [weatherTool] })));
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'reasoning-delta', 'text-delta', 'tool-call', 'finish']);
    expect(parts[3]).toEqual({
      type: 'tool-call',
      toolCall: { id: 'call_51a97502d6444997b56fd204', type: 'function', name: 'weather', arguments: '{"location": "Florence,Italy"}' },
    });
    expect(parts[4]).toMatchObject({ finishReason: { unified: 'tool-calls', raw: 'tool_calls' }, usage: { inputTokens: 179, cachedInputTokens: 43 } });
  });

  it('sends tool_stream on glm-4.6 and assembles argument fragments by index, ignoring a repeated whole call', async () => {
    const { model, calls } = setup('stream-tool-stream.chunks.txt', 'glm-4.6');
    const parts = await collect(model.stream(ask('Weather and time in Florence?', { tools: [weatherTool] })));
    expect((calls[0]!.body as Record<string, unknown>)['tool_stream']).toBe(true);
    expect(parts.filter((part) => part.type === 'tool-call')).toEqual([
      { type: 'tool-call', toolCall: { id: 'call_7c1f0e9a2b3d4c5e6f708192', type: 'function', name: 'weather', arguments: '{"location": "Florence,Italy"}' } },
      { type: 'tool-call', toolCall: { id: 'call_0d9e8f7a6b5c4d3e2f1a0b9c', type: 'function', name: 'time', arguments: '{"zone": "Europe/Rome"}' } },
    ]);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', usage: { cachedInputTokens: 128, reasoningTokens: 0, totalTokens: 270 } });
  });

  it('sends no tool_stream on glm-4.5, when tool_stream is switched off, or without tools', async () => {
    const first = setup('stream-tool-calls.chunks.txt', 'glm-4.5');
    await collect(first.model.stream(ask('x', { tools: [weatherTool] })));
    const second = setup('stream-tool-calls.chunks.txt', 'glm-4.6');
    await collect(second.model.stream(ask('x', { tools: [weatherTool], providerOptions: { glm: { tool_stream: false } } })));
    const third = setup('stream-text.chunks.txt', 'glm-4.6');
    await collect(third.model.stream(ask('x')));
    for (const { calls } of [first, second, third]) expect(calls[0]!.body).not.toHaveProperty('tool_stream');
  });

  it('returns web search results from the final chunk before finish, and counts the search', async () => {
    const { model } = setup('stream-web-search.chunks.txt', 'glm-4.5-air');
    const parts = await collect(model.stream(ask('Node 24 LTS?', { webSearch: { enabled: true } })));
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta', 'text-delta', 'web-search-results', 'finish']);
    expect(parts[3]).toEqual({
      type: 'web-search-results',
      results: [
        {
          title: 'Node.js v24.11.0 (LTS)',
          url: 'https://nodejs.org/en/blog/release/v24.11.0',
          content: "Node.js 24 'Krypton' was promoted to Long-Term Support on 28 October 2025.",
          publishDate: '2025-10-28',
          refer: 'ref_1',
          media: 'Node.js',
          icon: 'https://nodejs.org/favicon.ico',
        },
      ],
    });
    expect(parts[4]).toMatchObject({ type: 'finish', webSearchCalls: 1 });
  });

  it('throws a mid-stream data:{"error":…} as a typed ProviderError from the iterator, after the parts before it', async () => {
    const { model } = setup('stream-error.chunks.txt');
    const parts: StreamPart[] = [];
    const error = await (async () => {
      for await (const part of model.stream(ask('x'))) parts.push(part);
    })().catch((caught: unknown) => caught);
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ vendorCode: '1302', status: undefined, requestId: '20250926191002aa11bb22cc33dd44', retryable: true });
  });

  it('throws ContentFilteredError mid-stream on finish_reason "sensitive"', async () => {
    const { model } = setup('stream-sensitive.chunks.txt');
    const parts: StreamPart[] = [];
    const error = await (async () => {
      for await (const part of model.stream(ask('x'))) parts.push(part);
    })().catch((caught: unknown) => caught);
    expect(parts.map((part) => part.type)).toEqual(['response-metadata', 'text-delta']);
    expect(error).toBeInstanceOf(ContentFilteredError);
    expect(error).toMatchObject({ vendorCode: 'sensitive', status: 200, requestId: '2025092619082012ab34cd56ef7890' });
  });

  it('aborts the HTTP request when the consumer breaks out of the loop', async () => {
    const { model, calls } = setup('stream-text.chunks.txt', 'glm-4.5', { hangAfterEvents: 2 });
    for await (const part of model.stream(ask('x'))) {
      if (part.type === 'reasoning-delta') break;
    }
    expect(calls[0]!.signal?.aborted).toBe(true);
  });

  it('throws AbortedError when the caller aborts mid-stream', async () => {
    const controller = new AbortController();
    const { model, calls } = setup('stream-text.chunks.txt', 'glm-4.5', { hangAfterEvents: 2 });
    const parts: StreamPart[] = [];
    const error = await (async () => {
      for await (const part of model.stream(ask('x'), { signal: controller.signal })) {
        parts.push(part);
        if (parts.length === 3) setTimeout(() => controller.abort(), 5);
      }
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    // The two events sent before the stream stalled: metadata and two reasoning deltas.
    expect(parts).toHaveLength(3);
    expect(calls[0]!.signal?.aborted).toBe(true);
  });
});

describe('normalizeGlmStream', () => {
  async function* chunks(...items: unknown[]): AsyncGenerator<unknown> {
    for (const item of items) yield item;
  }

  it('fails with ProviderUnavailableError when the stream ends without a finish reason', async () => {
    const parts = normalizeGlmStream(chunks({ id: 'r1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hal' } }] }), { modelId: 'glm-4.5', warnings: [] });
    const error = await collect(parts).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).requestId).toBe('r1');
  });

  it('maps a transport failure to ProviderUnavailableError', async () => {
    async function* broken(): AsyncGenerator<unknown> {
      yield { id: 'r2', choices: [{ index: 0, delta: { content: 'a' } }] };
      throw new TypeError('terminated');
    }
    const error = await collect(normalizeGlmStream(broken(), { modelId: 'glm-4.5', warnings: [] })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toMatch(/terminated/);
  });

  it('reports warnings on finish, tolerates missing usage, and numbers calls without ids', async () => {
    const parts = await collect(
      normalizeGlmStream(
        chunks(
          { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: { a: 1 } } }] } }] },
          { choices: [{ index: 0, finish_reason: 'length', delta: {} }] },
        ),
        { modelId: 'glm-4.5', warnings: ['w'] },
      ),
    );
    expect(parts).toEqual([
      { type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5' },
      { type: 'tool-call', toolCall: { id: 'glm-call-0', type: 'function', name: 'f', arguments: '{"a":1}' } },
      {
        type: 'finish',
        finishReason: { unified: 'length', raw: 'length' },
        usage: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 },
        webSearchCalls: 0,
        warnings: ['w'],
      },
    ]);
  });
});
