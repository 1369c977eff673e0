import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { kimiDefaultMaxTokens, startSimulator, type Simulator } from './index.js';
import { post, postJson, sseChunks, type Json } from './test-support/http.js';

let sim: Simulator;
let client: OpenAI;
let chatURL: string;
const user = (content: unknown) => [{ role: 'user', content }];
const png = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

beforeAll(async () => {
  sim = await startSimulator();
  client = new OpenAI({ apiKey: 'sim-key', baseURL: sim.kimiBaseURL, maxRetries: 0 });
  chatURL = `${sim.kimiBaseURL}/chat/completions`;
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('Kimi chat, non-streamed', () => {
  it('answers with a cmpl- id, object, and cached_tokens in both places', async () => {
    const { status, body } = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', messages: user('Hello Kimi') });
    expect(status).toBe(200);
    expect(body.id).toMatch(/^cmpl-[0-9a-f]{32}$/);
    expect(body.object).toBe('chat.completion');
    expect(body.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: '[kimi-k2-turbo-preview] You said: "Hello Kimi" (messages: 1, system: 0, images: 0, tools: 0)' }, finish_reason: 'stop' },
    ]);
    expect(body.usage).toEqual({
      prompt_tokens: 3,
      completion_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
      cached_tokens: 0,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    const second = await postJson(chatURL, {
      model: 'kimi-k2-turbo-preview',
      messages: [...user('Hello Kimi'), { role: 'assistant', content: body.choices[0].message.content }, ...user('More')],
    });
    expect(second.body.usage.cached_tokens).toBe(3);
    expect(second.body.usage.prompt_tokens_details.cached_tokens).toBe(3);
  });

  it('returns reasoning_content from the thinking models only', async () => {
    for (const model of ['kimi-k2-thinking', 'kimi-k2-thinking-turbo', 'kimi-thinking-preview']) {
      const result = await client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Why?' }] });
      expect((result.choices[0]?.message as { reasoning_content?: string }).reasoning_content).toBe('Thinking about: Why?');
    }
    const plain = await client.chat.completions.create({ model: 'kimi-k2-0905-preview', messages: [{ role: 'user', content: 'Why?' }] });
    expect((plain.choices[0]?.message as { reasoning_content?: string }).reasoning_content).toBeUndefined();
  });

  it('applies the silent max_tokens default of 1024 with finish_reason length', async () => {
    const { body } = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', messages: user('essay [[sim:long:3000]]') });
    expect(kimiDefaultMaxTokens).toBe(1024);
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage.completion_tokens).toBe(1024);
    const full = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', max_tokens: 4000, messages: user('essay [[sim:long:3000]]') });
    expect(full.body.choices[0].finish_reason).toBe('stop');
  });

  it('continues a partial assistant prefix and excludes it (auto-continue reassembles the answer)', async () => {
    const messages = user('essay [[sim:long:300]]');
    const whole = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', max_tokens: 1000, messages });
    const cut = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', max_tokens: 100, messages });
    expect(cut.body.choices[0].finish_reason).toBe('length');
    const prefix = cut.body.choices[0].message.content as string;
    const rest = await postJson(chatURL, {
      model: 'kimi-k2-turbo-preview',
      max_tokens: 1000,
      messages: [...messages, { role: 'assistant', content: prefix, partial: true }],
    });
    expect(rest.body.choices[0].finish_reason).toBe('stop');
    expect(prefix + (rest.body.choices[0].message.content as string)).toBe(whole.body.choices[0].message.content);
    const json = await postJson(chatURL, {
      model: 'kimi-k2-turbo-preview',
      response_format: { type: 'json_object' },
      messages: [...messages, { role: 'assistant', content: '{', partial: true }],
    });
    expect(json.status).toBe(400);
    expect(json.body.error.type).toBe('invalid_request_error');
  });

  it('accepts data: and ms:// images on vision models only, never http URLs', async () => {
    const parts = [{ type: 'text', text: 'Describe' }, { type: 'image_url', image_url: { url: png } }];
    const vision = await postJson(chatURL, { model: 'moonshot-v1-8k-vision-preview', messages: user(parts) });
    expect(vision.body.choices[0].message.content).toContain('images: 1');
    for (const model of ['kimi-k2-turbo-preview', 'moonshot-v1-8k']) {
      const rejected = await postJson(chatURL, { model, messages: user(parts) });
      expect([model, rejected.status, rejected.body.error.type]).toEqual([model, 400, 'invalid_request_error']);
    }
    const http = await postJson(chatURL, { model: 'moonshot-v1-8k-vision-preview', messages: user([{ type: 'image_url', image_url: { url: 'https://x.test/a.png' } }]) });
    expect(http.status).toBe(400);
    expect(http.body.error.type).toBe('invalid_request_error');
  });

  it('answers n choices', async () => {
    const { body } = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', n: 2, messages: user('two') });
    expect(body.choices.map((choice: Json) => choice.index)).toEqual([0, 1]);
  });
});

describe('Kimi chat, streamed', () => {
  it('sends role only first, finish_reason null until the end, usage inside the last choice', async () => {
    const response = await post(chatURL, { model: 'kimi-k2-thinking', stream: true, messages: user('Stream it') });
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const chunks = sseChunks(await response.text());
    expect(chunks[0]!.choices[0]).toEqual({ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null });
    for (const chunk of chunks) {
      expect(chunk.id).toMatch(/^cmpl-[0-9a-f]{32}$/);
      expect(chunk.object).toBe('chat.completion.chunk');
      expect('usage' in chunk).toBe(false);
    }
    const middle = chunks.slice(1, -1);
    expect(middle.every((chunk) => chunk.choices[0].finish_reason === null && chunk.choices[0].delta.role === undefined)).toBe(true);
    expect(middle.map((chunk) => chunk.choices[0].delta.reasoning_content ?? '').join('')).toBe('Thinking about: Stream it');
    const last = chunks[chunks.length - 1]!.choices[0];
    expect(last.delta).toEqual({});
    expect(last.finish_reason).toBe('stop');
    expect(Object.keys(last.usage)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens', 'cached_tokens', 'prompt_tokens_details']);
  });

  it('with include_usage: usage null on every chunk and a final choices:[] chunk with the usage', async () => {
    const response = await post(chatURL, { model: 'kimi-k2-turbo-preview', stream: true, stream_options: { include_usage: true }, messages: user('u') });
    const chunks = sseChunks(await response.text());
    const extra = chunks[chunks.length - 1]!;
    expect(extra.choices).toEqual([]);
    expect(extra.usage.total_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
    expect(chunks[chunks.length - 2]!.choices[0].usage).toEqual(extra.usage);
  });

  it('streams tool-call arguments and is read by the openai SDK', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [
      { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } },
    ];
    const stream = await client.chat.completions.create({ model: 'kimi-k2-0905-preview', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'find' }], tools });
    let args = '';
    let name = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const call = chunk.choices[0]?.delta.tool_calls?.[0];
      name += call?.function?.name ?? '';
      args += call?.function?.arguments ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(name).toBe('lookup');
    expect(args).toBe('{"q":"sample"}');
    expect(finish).toBe('tool_calls');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });
});
