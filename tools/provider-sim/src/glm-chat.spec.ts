import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from './index.js';
import { post, postJson, sseChunks, sseData, type Json } from './test-support/http.js';

let sim: Simulator;
let client: OpenAI;
let chatURL: string;
const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
const weatherTool = {
  type: 'function',
  function: {
    name: 'weather',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, days: { type: 'integer' }, metric: { type: 'boolean' }, tags: { type: 'array' } },
    },
  },
};

beforeAll(async () => {
  sim = await startSimulator();
  client = new OpenAI({ apiKey: 'sim-key', baseURL: sim.glmBaseURL, maxRetries: 0 });
  chatURL = `${sim.glmBaseURL}/chat/completions`;
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('GLM chat, non-streamed', () => {
  it('answers in the recorded shape: id = request_id, no object, reasoning, usage with cached_tokens', async () => {
    const { status, body, headers } = await postJson(chatURL, { model: 'glm-4.5', messages: [{ role: 'user', content: 'Hello GLM' }] });
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(Object.keys(body)).toEqual(['choices', 'created', 'id', 'model', 'request_id', 'usage']);
    expect(body.id).toMatch(/^\d{14}[0-9a-f]{16}$/);
    expect(body.request_id).toBe(body.id);
    const [choice] = body.choices;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message).toEqual({
      content: '[glm-4.5] You said: "Hello GLM" (messages: 1, system: 0, images: 0, tools: 0)',
      reasoning_content: 'Thinking about: Hello GLM',
      role: 'assistant',
    });
    const content = choice.message.content as string;
    const completion = Math.ceil((content.length + 'Thinking about: Hello GLM'.length) / 4);
    expect(body.usage).toEqual({
      completion_tokens: completion,
      prompt_tokens: Math.ceil('Hello GLM'.length / 4),
      prompt_tokens_details: { cached_tokens: 0 },
      total_tokens: completion + Math.ceil('Hello GLM'.length / 4),
    });
  });

  it('omits reasoning with thinking disabled, echoes request_id and records ignored fields', async () => {
    const { body } = await postJson(chatURL, {
      model: 'glm-4.6',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      thinking: { type: 'disabled' },
      request_id: 'my-request-1',
      max_completion_tokens: 5,
      stream_options: { include_usage: true },
    });
    expect(body.choices[0].message.reasoning_content).toBeUndefined();
    expect(body.choices[0].message.content).toContain('(messages: 2, system: 1, images: 0, tools: 0)');
    expect(body.request_id).toBe('my-request-1');
    expect(body.id).not.toBe('my-request-1');
    expect((sim.requests[0]?.body as Json).max_completion_tokens).toBe(5);
  });

  it('works through the openai SDK on both GLM prefixes', async () => {
    const coding = new OpenAI({ apiKey: 'sim-key', baseURL: sim.glmCodingBaseURL, maxRetries: 0 });
    for (const sdk of [client, coding]) {
      const result = await sdk.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'ping' }] });
      expect(result.choices[0]?.message.content).toContain('You said: "ping"');
    }
    expect(sim.requests.map((request) => request.path)).toEqual(['/api/paas/v4/chat/completions', '/api/coding/paas/v4/chat/completions']);
  });

  it('calls the first function with schema-built arguments, then answers the tool result', async () => {
    const first = await client.chat.completions.create({
      model: 'glm-4.5',
      messages: [{ role: 'user', content: 'Weather in Florence?' }],
      tools: [weatherTool as OpenAI.ChatCompletionTool],
      tool_choice: 'auto',
    });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(call.function).toEqual({ name: 'weather', arguments: '{"location":"sample","days":1,"metric":true,"tags":[]}' });
    const second = await client.chat.completions.create({
      model: 'glm-4.5',
      messages: [
        { role: 'user', content: 'Weather in Florence?' },
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: 'Sunny, 24C' },
      ],
      tools: [weatherTool as OpenAI.ChatCompletionTool],
    });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toBe(
      '[glm-4.5] You said: "Weather in Florence?" (messages: 3, system: 0, images: 0, tools: 1)\nTool result: Sunny, 24C',
    );
  });

  it('counts images on glm-4.5v (data URL, raw base64, http URL) and rejects them on text models', async () => {
    const content = [
      { type: 'text', text: 'What is in these?' },
      { type: 'image_url', image_url: { url: `data:image/png;base64,${png}` } },
      { type: 'image_url', image_url: { url: png } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
    ];
    const { status, body } = await postJson(chatURL, { model: 'glm-4.5v', messages: [{ role: 'user', content }] });
    expect(status).toBe(200);
    expect(body.choices[0].message.content).toContain('You said: "What is in these?" (messages: 1, system: 0, images: 3, tools: 0)');
    expect(body.usage.prompt_tokens).toBe(Math.ceil(('What is in these?'.length + 3 * 1024) / 4));
    const text = await postJson(chatURL, { model: 'glm-4.5', messages: [{ role: 'user', content }] });
    expect(text.status).toBe(400);
    expect(text.body.error.code).toBe('1214');
    const bad = await postJson(chatURL, { model: 'glm-4.5v', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'not base64!' } }] }] });
    expect(bad.status).toBe(400);
  });

  it('reports the seen message prefix as cached tokens', async () => {
    const history = [
      { role: 'system', content: 'A long system prompt that stays the same across turns.' },
      { role: 'user', content: 'First question' },
    ];
    const first = await postJson(chatURL, { model: 'glm-4.5', messages: history });
    expect(first.body.usage.prompt_tokens_details.cached_tokens).toBe(0);
    const second = await postJson(chatURL, { model: 'glm-4.5', messages: [...history, { role: 'assistant', content: 'Answer' }, { role: 'user', content: 'Next' }] });
    const cachedChars = history[0]!.content.length + history[1]!.content.length;
    expect(second.body.usage.prompt_tokens_details.cached_tokens).toBe(Math.ceil(cachedChars / 4));
  });

  it('truncates at max_tokens with finish_reason length, and pads with [[sim:long:n]]', async () => {
    const { body } = await postJson(chatURL, {
      model: 'glm-4.5',
      thinking: { type: 'disabled' },
      max_tokens: 10,
      messages: [{ role: 'user', content: 'Tell me everything [[sim:long:500]]' }],
    });
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.choices[0].message.content).toHaveLength(40);
    expect(body.usage.completion_tokens).toBe(10);
    const long = await postJson(chatURL, { model: 'glm-4.5', thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'x [[sim:long:500]]' }] });
    expect(long.body.usage.completion_tokens).toBeGreaterThanOrEqual(500);
    expect(long.body.usage.completion_tokens).toBeLessThan(505);
  });

  it('answers [[sim:sensitive]] with HTTP 200 and finish_reason sensitive', async () => {
    const { status, body } = await postJson(chatURL, { model: 'glm-4.5', messages: [{ role: 'user', content: 'bad [[sim:sensitive]]' }] });
    expect(status).toBe(200);
    expect(body.choices[0].finish_reason).toBe('sensitive');
    expect(body.choices[0].message.content).toBe('');
  });
});

describe('GLM chat, streamed', () => {
  it('streams the recorded byte shape: role on every delta, reasoning first, usage only at the end', async () => {
    const response = await post(chatURL, { model: 'glm-4.5', stream: true, messages: [{ role: 'user', content: 'Stream please' }] });
    expect(response.headers.get('content-type')).toBe('text/event-stream;charset=UTF-8');
    const text = await response.text();
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    const chunks = sseChunks(text);
    expect(chunks.length).toBeGreaterThan(3);
    const id = chunks[0]!.id as string;
    expect(id).toMatch(/^\d{14}[0-9a-f]{16}$/);
    for (const chunk of chunks) {
      expect(Object.keys(chunk).slice(0, 4)).toEqual(['id', 'created', 'model', 'choices']);
      expect(chunk.id).toBe(id);
      expect(chunk.object).toBeUndefined();
      expect(chunk.choices[0].delta.role).toBe('assistant');
      expect('finish_reason' in chunk.choices[0] && chunk.choices[0].finish_reason === null).toBe(false);
    }
    const middle = chunks.slice(0, -1);
    expect(middle.every((chunk) => chunk.usage === undefined && chunk.choices[0].finish_reason === undefined)).toBe(true);
    const reasoning = middle.filter((chunk) => chunk.choices[0].delta.reasoning_content !== undefined);
    const firstContent = middle.findIndex((chunk) => chunk.choices[0].delta.content !== undefined);
    expect(reasoning.length).toBeGreaterThan(0);
    expect(firstContent).toBe(reasoning.length);
    expect(reasoning.map((chunk) => chunk.choices[0].delta.reasoning_content).join('')).toBe('Thinking about: Stream please');
    const last = chunks[chunks.length - 1]!;
    expect(last.choices[0]).toEqual({ index: 0, finish_reason: 'stop', delta: { role: 'assistant', content: '' } });
    expect(Object.keys(last.usage)).toEqual(['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details']);
    const content = middle.map((chunk) => chunk.choices[0].delta.content ?? '').join('');
    expect(content).toBe('[glm-4.5] You said: "Stream please" (messages: 1, system: 0, images: 0, tools: 0)');
  });

  it('sends a tool call as one whole delta, then a closing chunk repeating finish_reason', async () => {
    const text = await (
      await post(chatURL, { model: 'glm-4.5', stream: true, thinking: { type: 'disabled' }, messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool] })
    ).text();
    const data = sseData(text);
    expect(data).toHaveLength(3);
    const [call, close] = data.slice(0, 2).map((payload) => JSON.parse(payload) as Json);
    expect(call!.choices[0].finish_reason).toBe('tool_calls');
    expect(call!.choices[0].delta.tool_calls).toEqual([
      expect.objectContaining({ index: 0, type: 'function', function: { name: 'weather', arguments: '{"location":"sample","days":1,"metric":true,"tags":[]}' } }),
    ]);
    expect(close!.choices[0]).toEqual({ index: 0, finish_reason: 'tool_calls', delta: { role: 'assistant', content: '' } });
    expect(close!.usage.total_tokens).toBeGreaterThan(0);
  });

  it('is consumed by the openai SDK stream iterator', async () => {
    const stream = await client.chat.completions.create({ model: 'glm-4.5-air', stream: true, messages: [{ role: 'user', content: 'SDK stream' }] });
    let content = '';
    let reasoning = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      content += choice?.delta.content ?? '';
      reasoning += (choice?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
      finish = choice?.finish_reason ?? finish;
    }
    expect(content).toContain('You said: "SDK stream"');
    expect(reasoning).toBe('Thinking about: SDK stream');
    expect(finish).toBe('stop');
  });
});
