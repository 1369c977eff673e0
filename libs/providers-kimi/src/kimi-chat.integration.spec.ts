import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import { createKimi, type KimiProvider } from './kimi-provider.js';

let sim: Simulator;
let kimi: KimiProvider;

beforeAll(async () => {
  sim = await startSimulator();
  kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

type WireBody = Record<string, unknown> & { messages: Array<Record<string, unknown>> };
const chatRequests = (): RecordedRequest[] => sim.requests.filter((request) => request.path === '/v1/chat/completions');
const sent = (index = 0): WireBody => chatRequests()[index]?.body as WireBody;
const user = (content: string): ChatRequest => ({ messages: [{ role: 'user', content }] });

async function collect(parts: AsyncIterable<StreamPart>): Promise<StreamPart[]> {
  const out: StreamPart[] = [];
  for await (const part of parts) out.push(part);
  return out;
}

const textOf = (parts: StreamPart[]): string => parts.flatMap((part) => (part.type === 'text-delta' ? [part.delta] : [])).join('');

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Kimi chat against the simulator', () => {
  it('generates with max_tokens always sent, and reports automatic prefix caching as cached tokens', async () => {
    const model = kimi.chatModel('kimi-k2-0905-preview');
    const first = await model.generate(user('Hello there'));
    expect(first.text).toBe('[kimi-k2-0905-preview] You said: "Hello there" (messages: 1, system: 0, images: 0, tools: 0)');
    expect(first.finishReason).toEqual({ unified: 'stop', raw: 'stop' });
    expect(first.requestId).toMatch(/^cmpl-[0-9a-f]{32}$/);
    expect(first.usage.cachedInputTokens).toBe(0);
    expect(sent(0).max_tokens).toBe(8192);
    expect(sent(0).stream).toBeUndefined();
    expect(chatRequests()[0]?.headers.authorization).toBe('Bearer sk-sim');

    const history: ChatRequest = {
      messages: [
        { role: 'system', content: 'You are terse. '.repeat(40) },
        { role: 'user', content: 'Hello there' },
        { role: 'assistant', content: first.text },
        { role: 'user', content: 'And again' },
      ],
    };
    await model.generate(history);
    const second = await model.generate({ ...history, messages: [...history.messages.slice(0, 3), { role: 'user', content: 'Once more' }] });
    expect(second.usage.cachedInputTokens).toBeGreaterThan(0);
    expect(second.usage.cachedInputTokens).toBeLessThan(second.usage.inputTokens);
  });

  it('streams with include_usage: metadata first, deltas, one finish with usage counted once', async () => {
    const model = kimi.chatModel('kimi-k2-turbo-preview');
    const parts = await collect(model.stream(user('Stream this please')));
    expect(parts[0]).toMatchObject({ type: 'response-metadata', provider: 'kimi', modelId: 'kimi-k2-turbo-preview' });
    expect(parts.at(-1)?.type).toBe('finish');
    expect(parts.filter((part) => part.type === 'finish')).toHaveLength(1);
    const generated = await model.generate(user('Stream this please'));
    expect(textOf(parts)).toBe(generated.text);
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && finish.usage.outputTokens).toBe(generated.usage.outputTokens);
    expect(finish?.type === 'finish' && finish.usage.inputTokens).toBe(generated.usage.inputTokens);
    expect(sent(0)).toMatchObject({ stream: true, stream_options: { include_usage: true }, max_tokens: 8192 });
  });

  it('clamps temperature with a warning; forces 1.0 on kimi-k2-thinking (the simulator rejects anything else)', async () => {
    const clamped = await kimi.chatModel('kimi-k2-0905-preview').generate({ ...user('hi'), temperature: 1.5 });
    expect(sent(0).temperature).toBe(1);
    expect(clamped.warnings).toEqual(['Kimi accepts temperature in [0, 1]; 1.5 was clamped to 1.']);
    const thinking = await kimi.chatModel('kimi-k2-thinking').generate({ ...user('hi'), temperature: 0.3 });
    expect(sent(1).temperature).toBe(1);
    expect(thinking.warnings.join()).toContain('accepts only temperature 1');
    expect(thinking.reasoning).toBe('Thinking about: hi');
  });

  it('thinking with tools: returns reasoning and the call, then sends reasoning_content back on the tool turn', async () => {
    const model = kimi.chatModel('kimi-k2-thinking');
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } }];
    const first = await model.generate({ ...user('Weather in Paris?'), tools });
    expect(first.reasoning).toBe('Thinking about: Weather in Paris?');
    expect(first.toolCalls).toEqual([{ id: 'functions.get_weather:0', type: 'function', name: 'get_weather', arguments: '{"city":"sample"}' }]);
    expect(first.finishReason.unified).toBe('tool-calls');

    const followUp = (reasoning: string | undefined): ChatRequest => ({
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: first.toolCalls, ...(reasoning ? { reasoning } : {}) },
        { role: 'tool', toolCallId: 'functions.get_weather:0', content: '{"temp":21}' },
      ],
    });
    const answer = await model.generate(followUp(first.reasoning));
    expect(answer.text).toContain('Tool result: {"temp":21}');
    expect(sent(1).messages[1]).toMatchObject({ role: 'assistant', reasoning_content: 'Thinking about: Weather in Paris?' });
    expect(sent(1).messages[2]).toEqual({ role: 'tool', tool_call_id: 'functions.get_weather:0', name: 'get_weather', content: '{"temp":21}' });

    // Without the reasoning the simulator (like Kimi) answers 400; the placeholder keeps the call valid.
    const placeholder = await model.generate(followUp(undefined));
    expect(sent(2).messages[1]?.reasoning_content).toBe(' ');
    expect(placeholder.warnings.join()).toContain('placeholder');
  });

  it('streams reasoning deltas before text, and tool calls before finish', async () => {
    const thinking = await collect(kimi.chatModel('kimi-k2-thinking').stream(user('Think about this')));
    const kinds = thinking.map((part) => part.type);
    expect(kinds[0]).toBe('response-metadata');
    expect(kinds.indexOf('reasoning-delta')).toBeLessThan(kinds.indexOf('text-delta'));
    expect(thinking.flatMap((part) => (part.type === 'reasoning-delta' ? [part.delta] : [])).join('')).toBe('Thinking about: Think about this');

    const tools = [{ type: 'function' as const, name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' }, n: { type: 'integer' } } } }];
    const calls = await collect(kimi.chatModel('kimi-k2-0905-preview').stream({ ...user('Look it up'), tools, toolChoice: 'auto' }));
    expect(calls.slice(-2)).toEqual([
      { type: 'tool-call', toolCall: { id: 'functions.lookup:0', type: 'function', name: 'lookup', arguments: '{"q":"sample","n":1}' } },
      expect.objectContaining({ type: 'finish', finishReason: { unified: 'tool-calls', raw: 'tool_calls' } }),
    ]);
    expect(sent(1).tool_choice).toBe('auto');
  });

  it('partial mode: the result and the stream hold the prefix plus the continuation', async () => {
    const full = '[kimi-k2-0905-preview] You said: "Continue" (messages: 1, system: 0, images: 0, tools: 0)';
    const prefix = '[kimi-k2-0905-preview] You said:';
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'Continue' },
        { role: 'assistant', content: prefix, partial: true },
      ],
    };
    const model = kimi.chatModel('kimi-k2-0905-preview');
    const result = await model.generate(request);
    expect(result.text).toBe(full);
    expect(sent(0).messages[1]).toEqual({ role: 'assistant', content: prefix, partial: true });
    const parts = await collect(model.stream(request));
    expect(parts[1]).toEqual({ type: 'text-delta', delta: prefix });
    expect(textOf(parts)).toBe(full);
  });

  it('auto-continue: joins length-cut rounds in generate and stream, summing usage', async () => {
    const model = kimi.chatModel('kimi-k2-0905-preview');
    const prompt = 'Write a lot [[sim:long:120]]';
    const whole = await model.generate({ ...user(prompt), maxTokens: 1000 });
    expect(whole.finishReason.unified).toBe('stop');

    sim.reset();
    const continued = await model.generate({ ...user(prompt), maxTokens: 50, providerOptions: { kimi: { autoContinue: {} } } });
    expect(continued.text).toBe(whole.text);
    expect(continued.finishReason.unified).toBe('stop');
    expect(chatRequests()).toHaveLength(3);
    expect(sent(1).messages.at(-1)).toMatchObject({ role: 'assistant', partial: true });
    expect(String(sent(1).messages.at(-1)?.content).length).toBe(200);
    expect(continued.usage.outputTokens).toBe(whole.usage.outputTokens);
    expect(continued.usage.inputTokens).toBeGreaterThan(whole.usage.inputTokens);

    sim.reset();
    const streamed = await collect(model.stream({ ...user(prompt), maxTokens: 50, providerOptions: { kimi: { autoContinue: true } } }));
    expect(textOf(streamed)).toBe(whole.text);
    expect(streamed.filter((part) => part.type === 'response-metadata')).toHaveLength(1);
    expect(streamed.at(-1)).toMatchObject({ type: 'finish', finishReason: { unified: 'stop' } });

    sim.reset();
    const bounded = await model.generate({
      ...user(prompt),
      maxTokens: 50,
      providerOptions: { kimi: { autoContinue: { maxRounds: 1 } } },
    });
    expect(chatRequests()).toHaveLength(2);
    expect(bounded.finishReason.unified).toBe('length');
    expect(bounded.text).toBe(whole.text.slice(0, 400));
    expect(bounded.warnings.join()).toContain('autoContinue.maxRounds (1)');
  });

  it('images: data URLs and raw base64 on a vision model; http URLs refused before sending', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const model = kimi.chatModel('moonshot-v1-8k-vision-preview');
    const result = await model.generate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe' },
            { type: 'image', image: png },
            { type: 'image', image: `data:image/png;base64,${png}` },
          ],
        },
      ],
    });
    expect(result.text).toContain('images: 2');
    // 8192 (the default) never fits moonshot-v1-8k's context with a prompt; it is lowered, with a warning.
    expect(sent(0).max_tokens).toBeLessThan(8192);
    expect(sent(0).max_tokens).toBeGreaterThan(4000);
    expect(result.warnings.join()).toContain('max_tokens lowered from 8192');
    expect(sent(0).messages[0]?.content).toEqual([
      { type: 'text', text: 'Describe' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
    ]);
    const refused = await failure(
      model.generate({ messages: [{ role: 'user', content: [{ type: 'image', image: 'http://example.com/a.png' }] }] }),
    );
    expect(refused.code).toBe('invalid_request');
    expect(refused.message).toContain("files.upload({ purpose: 'image' })");
    expect(chatRequests()).toHaveLength(1);
  });

  it('refuses what Kimi cannot do before sending anything', async () => {
    const tool = { type: 'function' as const, name: 'f', parameters: { type: 'object' } };
    const refusals = await Promise.all([
      failure(kimi.chatModel('kimi-k2-0905-preview').generate({ ...user('x'), tools: [tool], toolChoice: 'required' })),
      failure(kimi.chatModel('kimi-thinking-preview').generate({ ...user('x'), tools: [tool] })),
      failure(kimi.chatModel('kimi-k2-thinking').generate({ ...user('x'), webSearch: { enabled: true } })),
      failure(
        kimi.chatModel('kimi-k2-0905-preview').generate({
          messages: [{ role: 'user', content: 'x' }, { role: 'assistant', content: '{', partial: true }],
          responseFormat: { type: 'json_object' },
        }),
      ),
      failure(kimi.chatModel('kimi-k2-0905-preview').generate({ ...user('x'), providerOptions: { kimi: { cacheId: 'cache-x' } } })),
      failure(kimi.chatModel('kimi-k2-0905-preview').generate({ ...user('x'), providerOptions: { kimi: { temperature: 2 } } })),
    ]);
    expect(refusals.map((error) => error.code)).toEqual(Array(6).fill('invalid_request'));
    expect(sim.requests).toHaveLength(0);
  });

  it('passes stop, json mode, n and vendor extras through', async () => {
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({
      ...user('Give JSON'),
      stop: ['\n\n'],
      topP: 0.8,
      responseFormat: { type: 'json_object' },
      providerOptions: { kimi: { n: 2, presence_penalty: 0.2, frequency_penalty: 0.3, prompt_cache_key: 'k1', safety_identifier: 'u1' } },
    });
    expect(sent(0)).toMatchObject({
      stop: ['\n\n'],
      top_p: 0.8,
      response_format: { type: 'json_object' },
      n: 2,
      presence_penalty: 0.2,
      frequency_penalty: 0.3,
      prompt_cache_key: 'k1',
      safety_identifier: 'u1',
    });
    expect(result.text).toContain('You said: "Give JSON"');
    expect(result.warnings.join()).toContain('n=2');
  });

  it('aborts a pending call through the signal and closes the HTTP request', async () => {
    const controller = new AbortController();
    const pending = kimi.chatModel('kimi-k2-0905-preview').generate(user('wait [[sim:hang]]'), { signal: controller.signal });
    await sim.waitFor((request) => request.path === '/v1/chat/completions');
    controller.abort();
    const error = await failure(pending);
    expect(error.code).toBe('aborted');
    await sim.waitFor((request) => request.aborted);
  });

  it('aborts a stream mid-way through the signal', async () => {
    sim.setLatency(20);
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await failure(
      (async () => {
        for await (const part of kimi.chatModel('kimi-k2-0905-preview').stream(user('a long one [[sim:long:400]]'), { signal: controller.signal })) {
          seen.push(part.type);
          if (seen.length === 3) controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('aborted');
    expect(seen).not.toContain('finish');
    await sim.waitFor((request) => request.aborted);
  });

  it('breaking out of a stream aborts the HTTP request', async () => {
    sim.setLatency(20);
    for await (const part of kimi.chatModel('kimi-k2-0905-preview').stream(user('a long one [[sim:long:400]]'))) {
      if (part.type === 'text-delta') break;
    }
    const request = await sim.waitFor((entry) => entry.aborted);
    expect(request.completed).toBe(false);
  });

  it("honours a call's timeoutMs without a signal, the shorter of it and the provider's", async () => {
    const kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL, timeoutMs: 60_000 });
    const error = await failure(kimi.chatModel('kimi-k2-0905-preview').generate(user('never [[sim:hang]]'), { timeoutMs: 150 }));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('150 ms');
    const request = await sim.waitFor((entry) => entry.aborted);
    expect(request.completed).toBe(false);
  });

  it('times out with ProviderTimeoutError when Kimi does not answer', async () => {
    const slow = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL, timeoutMs: 200 });
    const error = await failure(slow.chatModel('kimi-k2-0905-preview').generate(user('never [[sim:hang]]')));
    expect(error.code).toBe('timeout');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('200 ms');
  });
});
