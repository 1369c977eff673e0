import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import {
  AbortedError,
  ContentFilteredError,
  InvalidRequestError,
  ProviderTimeoutError,
  type ChatRequest,
  type StreamPart,
} from '@exai/router/spec';
import { createGlm, type GlmProvider } from './glm-provider.js';

// Integration: the real openai SDK against the provider simulator over HTTP (provider-wire.md §5).

let sim: Simulator;
let glm: GlmProvider;
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const weatherTool = { type: 'function' as const, name: 'weather', description: 'Weather of a place', parameters: { type: 'object', properties: { location: { type: 'string' }, days: { type: 'integer' } } } };
const ask = (text: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content: text }], ...extra });

beforeAll(async () => {
  sim = await startSimulator();
  glm = createGlm({ apiKey: 'sim-key', baseURL: sim.glmBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const collected: StreamPart[] = [];
  for await (const part of parts) collected.push(part);
  return collected;
}

function only(path = '/chat/completions'): RecordedRequest {
  const matching = sim.requests.filter((request) => request.path.endsWith(path));
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

const bodyOf = (path?: string) => only(path).body as Record<string, unknown>;

describe('GLM chat against the simulator', () => {
  it('generates text with reasoning, usage and the request id, sending a minimal body with the bearer key', async () => {
    const result = await glm.chatModel('glm-4.6').generate(ask('Hello GLM'));
    expect(result.text).toBe('[glm-4.6] You said: "Hello GLM" (messages: 1, system: 0, images: 0, tools: 0)');
    expect(result.reasoning).toBe('Thinking about: Hello GLM');
    expect(result.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(result.requestId).toMatch(/^\d{14}[0-9a-f]{16}$/);
    expect(result.usage.inputTokens).toBe(Math.ceil('Hello GLM'.length / 4));
    expect(result.usage.totalTokens).toBe(result.usage.inputTokens + result.usage.outputTokens);
    const request = only();
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/api/paas/v4/chat/completions');
    expect(request.headers.authorization).toBe('Bearer sim-key');
    expect(request.body).toEqual({ model: 'glm-4.6', messages: [{ role: 'user', content: 'Hello GLM' }] });
  });

  it('turns thinking off on request and reports cached prompt tokens on a repeated prefix', async () => {
    const model = glm.chatModel('glm-4.5');
    const history: ChatRequest['messages'] = [{ role: 'system', content: 'You are a careful assistant who answers briefly and precisely.' }];
    const first = await model.generate({ messages: [...history, { role: 'user', content: 'one' }], thinking: { enabled: false } });
    expect(first.reasoning).toBeUndefined();
    expect(first.usage.cachedInputTokens).toBe(0);
    expect((sim.requests[0]!.body as Record<string, unknown>)['thinking']).toEqual({ type: 'disabled' });
    const second = await model.generate({ messages: [...history, { role: 'user', content: 'two' }], thinking: { enabled: false } });
    expect(second.usage.cachedInputTokens).toBeGreaterThan(0);
  });

  it('streams reasoning, text and a finish whose totals match the non-streamed answer', async () => {
    const model = glm.chatModel('glm-4.5-air');
    const whole = await model.generate(ask('Stream this please'));
    sim.reset();
    const parts = await collect(model.stream(ask('Stream this please')));
    expect(parts[0]).toMatchObject({ type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5-air' });
    expect((parts[0] as { requestId?: string }).requestId).toMatch(/^\d{14}[0-9a-f]{16}$/);
    const types = parts.map((part) => part.type);
    expect(types.at(-1)).toBe('finish');
    expect(types.lastIndexOf('reasoning-delta')).toBeLessThan(types.indexOf('text-delta'));
    const text = parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');
    const reasoning = parts.flatMap((part) => (part.type === 'reasoning-delta' ? [part.delta] : [])).join('');
    expect(text).toBe(whole.text);
    expect(reasoning).toBe(whole.reasoning);
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: { outputTokens: whole.usage.outputTokens } });
    expect(bodyOf()['stream']).toBe(true);
  });

  it('runs a tool loop: the call, then the result sent back with reasoning_content and tool_call_id', async () => {
    const model = glm.chatModel('glm-4.5');
    const first = await model.generate(ask('Weather in Rome?', { tools: [weatherTool], toolChoice: 'auto' }));
    expect(first.finishReason.unified).toBe('tool-calls');
    expect(first.toolCalls).toHaveLength(1);
    const call = first.toolCalls[0]!;
    expect(call).toMatchObject({ type: 'function', name: 'weather' });
    expect(JSON.parse(call.arguments)).toEqual({ location: 'sample', days: 1 });
    expect(bodyOf()['tools']).toEqual([{ type: 'function', function: { name: 'weather', description: 'Weather of a place', parameters: weatherTool.parameters } }]);
    expect(bodyOf()['tool_choice']).toBe('auto');

    sim.reset();
    const second = await model.generate({
      messages: [
        { role: 'user', content: 'Weather in Rome?' },
        { role: 'assistant', content: first.text, reasoning: first.reasoning, toolCalls: first.toolCalls },
        { role: 'tool', toolCallId: call.id, name: 'weather', content: 'sunny, 24°C' },
      ],
      tools: [weatherTool],
    });
    expect(second.text).toContain('Tool result: sunny, 24°C');
    const messages = bodyOf()['messages'] as Array<Record<string, unknown>>;
    expect(messages[1]).toEqual({
      role: 'assistant',
      content: first.text,
      reasoning_content: first.reasoning,
      tool_calls: [{ id: call.id, type: 'function', function: { name: 'weather', arguments: call.arguments } }],
    });
    expect(messages[2]).toEqual({ role: 'tool', tool_call_id: call.id, content: 'sunny, 24°C' });
  });

  it('streams a whole tool call on glm-4.6 with tool_stream sent', async () => {
    const parts = await collect(glm.chatModel('glm-4.6').stream(ask('Weather?', { tools: [weatherTool] })));
    const calls = parts.filter((part) => part.type === 'tool-call');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ toolCall: { name: 'weather', arguments: '{"location":"sample","days":1}' } });
    expect(parts.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'tool-calls' } });
    expect(bodyOf()['tool_stream']).toBe(true);
  });

  it('sends images and videos to glm-4.5v as image_url / video_url with the data prefix stripped', async () => {
    const result = await glm.chatModel('glm-4.5v').generate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image', image: `data:image/png;base64,${png}` },
            { type: 'image', image: png, mediaType: 'image/png' },
            { type: 'image', image: 'https://example.com/cat.png' },
            { type: 'video', video: 'https://example.com/clip.mp4' },
          ],
        },
      ],
    });
    expect(result.text).toContain('images: 3');
    const content = (bodyOf()['messages'] as Array<{ content: unknown }>)[0]!.content;
    expect(content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: png } },
      { type: 'image_url', image_url: { url: png } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
      { type: 'video_url', video_url: { url: 'https://example.com/clip.mp4' } },
    ]);
  });

  it('searches the web inside chat and returns the results (generate and stream)', async () => {
    const model = glm.chatModel('glm-4.5');
    const webSearch = { enabled: true, count: 3, recency: 'oneWeek' as const, domainFilter: 'example.com', contentSize: 'high' as const, query: 'exai release' };
    const result = await model.generate(ask('What is new?', { webSearch }));
    expect(result.webSearchCalls).toBe(1);
    expect(result.webSearchResults).toHaveLength(3);
    expect(result.webSearchResults[0]).toEqual({
      title: 'Result 1 for exai release',
      url: 'https://search.sim.local/exai-release/1',
      content: 'Simulated search result 1 about "exai release". It says what a page on this topic would say.',
      publishDate: '2025-01-01',
      refer: 'ref_1',
      media: 'Sim Media',
      icon: 'https://search.sim.local/favicon.ico',
    });
    expect(result.text).toContain('[ref_1]');
    expect(bodyOf()['tools']).toEqual([
      {
        type: 'web_search',
        web_search: {
          enable: true,
          search_engine: 'search-prime',
          search_result: true,
          search_query: 'exai release',
          count: 3,
          search_recency_filter: 'oneWeek',
          search_domain_filter: 'example.com',
          content_size: 'high',
        },
      },
    ]);

    sim.reset();
    const parts = await collect(model.stream(ask('What is new?', { webSearch: { enabled: true, count: 2 } })));
    expect(parts.map((part) => part.type).slice(-2)).toEqual(['web-search-results', 'finish']);
    expect((parts.at(-2) as { results: unknown[] }).results).toHaveLength(2);
    expect(parts.at(-1)).toMatchObject({ webSearchCalls: 1 });
  });

  it('passes vendor extras and the end-user id, and returns the caller request id', async () => {
    const result = await glm.chatModel('glm-4.5-flash').generate(
      ask('extras', { user: 'end-user-0001', maxTokens: 64, stop: ['###'], responseFormat: { type: 'json_object' }, providerOptions: { glm: { request_id: 'exai-req-42', do_sample: true, top_p: 0.8 } } }),
    );
    expect(result.requestId).toBe('exai-req-42');
    expect(bodyOf()).toMatchObject({ user_id: 'end-user-0001', request_id: 'exai-req-42', do_sample: true, top_p: 0.8, max_tokens: 64, stop: ['###'], response_format: { type: 'json_object' } });
    expect(bodyOf()).not.toHaveProperty('max_completion_tokens');
  });

  it('stops at max_tokens with finish reason length', async () => {
    const result = await glm.chatModel('glm-4.5').generate(ask('Write a lot [[sim:long:400]]', { maxTokens: 20, thinking: { enabled: false } }));
    expect(result.finishReason).toEqual({ unified: 'length', raw: 'length' });
    expect(result.usage.outputTokens).toBeLessThanOrEqual(20);
  });

  it('converts what GLM would reject so the simulator accepts it: temperature clamped, toolChoice none, too many tokens', async () => {
    const result = await glm.chatModel('glm-4.5v').generate(
      ask('convert', { temperature: 1.6, topP: 0, maxTokens: 50_000, tools: [weatherTool], toolChoice: 'none' }),
    );
    expect(result.finishReason.unified).toBe('stop');
    expect(result.warnings).toHaveLength(4);
    const body = bodyOf();
    expect(body).toMatchObject({ temperature: 1, top_p: 0.01, max_tokens: 16_384 });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
  });

  it.each<[string, ChatRequest]>([
    ['toolChoice "required"', ask('x', { tools: [weatherTool], toolChoice: 'required' })],
    ['two stop words', ask('x', { stop: ['a', 'b'] })],
    ['a conversation without a user message', { messages: [{ role: 'system', content: 's' }, { role: 'assistant', content: 'a' }] }],
  ])('refuses %s before anything reaches GLM', async (_name, request) => {
    await expect(glm.chatModel('glm-4.6').generate(request)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(collect(glm.chatModel('glm-4.6').stream(request))).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sim.requests).toHaveLength(0);
  });

  it('reports finish_reason "sensitive" as ContentFilteredError, whole and mid-stream', async () => {
    const model = glm.chatModel('glm-4.5');
    const whole = await model.generate(ask('[[sim:sensitive]]')).catch((caught: unknown) => caught);
    expect(whole).toBeInstanceOf(ContentFilteredError);
    expect(whole).toMatchObject({ status: 200, vendorCode: 'sensitive' });
    expect((whole as ContentFilteredError).requestId).toMatch(/^\d{14}/);
    const parts: StreamPart[] = [];
    const streamed = await (async () => {
      for await (const part of model.stream(ask('[[sim:sensitive]]'))) parts.push(part);
    })().catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(ContentFilteredError);
    expect(parts[0]?.type).toBe('response-metadata');
    expect(parts.some((part) => part.type === 'finish')).toBe(false);
  });

  it('aborts the upstream request when the consumer breaks out of the stream', async () => {
    for await (const part of glm.chatModel('glm-4.5').stream(ask('Long one [[sim:long:2000]] [[sim:latency:20]]'))) {
      if (part.type === 'text-delta' || part.type === 'reasoning-delta') break;
    }
    const request = await sim.waitFor((entry) => entry.aborted);
    expect(request.completed).toBe(false);
  });

  it('cancels through the caller signal: AbortedError, and the simulator sees the connection closed', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await glm.chatModel('glm-4.5').generate(ask('wait [[sim:hang]]'), { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AbortedError);
    await sim.waitFor((entry) => entry.aborted);

    sim.reset();
    const streamController = new AbortController();
    const parts: StreamPart[] = [];
    const streamed = await (async () => {
      for await (const part of glm.chatModel('glm-4.5').stream(ask('slow [[sim:long:2000]] [[sim:latency:20]]'), { signal: streamController.signal })) {
        parts.push(part);
        if (parts.length === 2) streamController.abort();
      }
    })().catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(AbortedError);
    await sim.waitFor((entry) => entry.aborted);
  });

  it('times out after timeoutMs with ProviderTimeoutError', async () => {
    const impatient = createGlm({ apiKey: 'sim-key', baseURL: sim.glmBaseURL, timeoutMs: 150 });
    const error = await impatient.chatModel('glm-4.5').generate(ask('[[sim:hang]]')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as ProviderTimeoutError).retryable).toBe(true);
    const streamed = await collect(impatient.chatModel('glm-4.5').stream(ask('[[sim:hang]]'))).catch((caught: unknown) => caught);
    expect(streamed).toBeInstanceOf(ProviderTimeoutError);
    expect(sim.requests).toHaveLength(2);
  });

  it("honours a call's timeoutMs without a signal: the SDK's own timer aborts the request", async () => {
    const glm = createGlm({ apiKey: 'sim-key', baseURL: sim.glmBaseURL });
    const started = performance.now();
    const error = await glm.chatModel('glm-4.5').generate(ask('[[sim:hang]]'), { timeoutMs: 150 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProviderTimeoutError);
    expect((error as ProviderTimeoutError).message).toContain('150 ms');
    expect(performance.now() - started).toBeLessThan(5_000);
    await sim.waitFor((entry) => entry.aborted);
  });

  it('works against the Coding Plan prefix', async () => {
    const coding = createGlm({ apiKey: 'sim-key', baseURL: sim.glmCodingBaseURL });
    const result = await coding.chatModel('glm-4.6').generate(ask('coding'));
    expect(result.text).toContain('You said: "coding"');
    expect(only().path).toBe('/api/coding/paas/v4/chat/completions');
  });
});
