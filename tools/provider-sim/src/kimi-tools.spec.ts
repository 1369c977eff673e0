import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { kimiSearchTokens, startSimulator, type Simulator } from './index.js';
import { postJson, type Json } from './test-support/http.js';

let sim: Simulator;
let client: OpenAI;
let chatURL: string;
const user = (content: string) => [{ role: 'user', content }];
const webSearch = { type: 'builtin_function', function: { name: '$web_search' } };
const lookup = { type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } };

beforeAll(async () => {
  sim = await startSimulator({ kimiApiKeys: ['good-key'] });
  client = new OpenAI({ apiKey: 'good-key', baseURL: sim.kimiBaseURL, maxRetries: 0 });
  chatURL = `${sim.kimiBaseURL}/chat/completions`;
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const chat = (body: Record<string, unknown>) => postJson(chatURL, { model: 'kimi-k2-turbo-preview', messages: user('hi'), ...body }, 'good-key');

describe('Kimi $web_search', () => {
  it('runs the two-step flow with the echoed arguments (through the openai SDK)', async () => {
    const messages: Json[] = [{ role: 'user', content: 'What happened today?' }];
    const params = { model: 'kimi-k2-turbo-preview', tools: [webSearch] } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const first = await client.chat.completions.create({ ...params, messages: messages as OpenAI.ChatCompletionMessageParam[] });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0] as unknown as Json;
    expect(call.type).toBe('builtin_function');
    expect(call.id).toMatch(/^t-web_search-\d{12}$/);
    expect(call.function.name).toBe('$web_search');
    expect(JSON.parse(call.function.arguments as string)).toEqual({ search_result: { search_id: expect.stringMatching(/^[0-9a-f]{32}$/) }, usage: { total_tokens: kimiSearchTokens } });
    messages.push(choice.message as unknown as Json, { role: 'tool', tool_call_id: call.id, name: '$web_search', content: call.function.arguments });
    const second = await client.chat.completions.create({ ...params, messages: messages as OpenAI.ChatCompletionMessageParam[] });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toContain(`Tool result: ${call.function.arguments as string}`);
    // The search's total_tokens are billed as prompt tokens of the next call (§2.5).
    expect(second.usage!.prompt_tokens).toBeGreaterThanOrEqual(kimiSearchTokens);
  });

  it('rejects an echo that is not verbatim or lacks the $web_search name', async () => {
    const first = await chat({ tools: [webSearch] });
    const assistant = first.body.choices[0].message as Json;
    const call = assistant.tool_calls[0] as Json;
    const echo = { role: 'tool', tool_call_id: call.id, name: '$web_search', content: call.function.arguments };
    for (const wrong of [{ ...echo, content: '{"search_result":{}}' }, { ...echo, name: undefined }, { ...echo, content: JSON.stringify({ search_result: { search_id: 'forged' }, usage: { total_tokens: 1 } }) }]) {
      const result = await chat({ tools: [webSearch], messages: [...user('hi'), assistant, wrong] });
      expect(result.status).toBe(400);
      expect(result.body.error.type).toBe('invalid_request_error');
    }
    expect((await chat({ tools: [webSearch], messages: [...user('hi'), assistant, echo] })).status).toBe(200);
  });

  it('runs n rounds with [[sim:search-rounds:n]]', async () => {
    const messages: Json[] = user('deep research [[sim:search-rounds:2]]');
    for (let round = 0; round < 2; round++) {
      const result = await chat({ tools: [webSearch, lookup], messages });
      expect(result.body.choices[0].finish_reason).toBe('tool_calls');
      const call = result.body.choices[0].message.tool_calls[0] as Json;
      expect(call.function.name).toBe('$web_search');
      messages.push(result.body.choices[0].message, { role: 'tool', tool_call_id: call.id, name: '$web_search', content: call.function.arguments });
    }
    const last = await chat({ tools: [webSearch, lookup], messages });
    expect(last.body.choices[0].finish_reason).toBe('stop');
  });

  it('needs thinking disabled on thinking models', async () => {
    const rejected = await chat({ model: 'kimi-k2-thinking', tools: [webSearch] });
    expect(rejected.status).toBe(400);
    expect(rejected.body.error.type).toBe('invalid_request_error');
    const allowed = await chat({ model: 'kimi-k2-thinking', tools: [webSearch], thinking: { type: 'disabled' } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.choices[0].message.reasoning_content).toBeUndefined();
  });
});

describe('Kimi validation', () => {
  const invalid = { type: 'invalid_request_error', message: expect.any(String) };
  const cases: [string, Record<string, unknown>, unknown][] = [
    ['temperature above 1', { temperature: 1.2 }, invalid],
    ['tool_choice required', { tools: [lookup], tool_choice: 'required' }, invalid],
    ['an empty message', { messages: [{ role: 'system', content: '' }, ...user('hi')] }, invalid],
    ['tools on kimi-thinking-preview', { model: 'kimi-thinking-preview', tools: [lookup] }, invalid],
    ['k2-thinking with temperature 0.6', { model: 'kimi-k2-thinking', temperature: 0.6 }, { type: 'invalid_request_error', message: 'invalid temperature: only 1 is allowed for this model' }],
    [
      'k2-thinking tool-call turn without reasoning_content',
      {
        model: 'kimi-k2-thinking',
        tools: [lookup],
        messages: [...user('hi'), { role: 'assistant', content: '', tool_calls: [{ id: 'functions.lookup:0', type: 'function', function: { name: 'lookup', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'functions.lookup:0', content: 'ok' }],
      },
      { type: 'invalid_request_error', message: 'thinking is enabled but reasoning_content is missing' },
    ],
    ['prompt + max_tokens over the context', { model: 'moonshot-v1-8k', max_tokens: 8000, messages: user('x'.repeat(1000)) }, { type: 'invalid_request_error', message: 'Your request exceeded model token limit : 8192' }],
  ];
  it.each(cases)('rejects %s', async (_name, patch, error) => {
    const result = await chat(patch);
    expect(result.status).toBe(400);
    expect(result.body).toEqual({ error });
  });

  it('accepts an assistant tool-call turn with empty content, and k2-thinking with reasoning_content and temperature 1', async () => {
    const turn = { role: 'assistant', content: '', reasoning_content: 'plan', tool_calls: [{ id: 'functions.lookup:0', type: 'function', function: { name: 'lookup', arguments: '{"q":"a"}' } }] };
    const result = await chat({ model: 'kimi-k2-thinking', temperature: 1, tools: [lookup], messages: [...user('hi'), turn, { role: 'tool', tool_call_id: 'functions.lookup:0', content: 'found' }] });
    expect(result.status).toBe(200);
    expect(result.body.choices[0].message.content).toContain('Tool result: found');
  });

  it('answers 404 for an unknown model and 401 for a bad key', async () => {
    const unknown = await chat({ model: 'kimi-9' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { type: 'resource_not_found_error', message: 'Not found the model kimi-9 or Permission denied' } });
    for (const key of [null, 'bad-key']) {
      const denied = await postJson(chatURL, { model: 'kimi-k2-turbo-preview', messages: user('hi') }, key);
      expect(denied.status).toBe(401);
      expect(denied.body).toEqual({ error: { type: 'invalid_authentication_error', message: 'Invalid Authentication' } });
    }
  });

  it('maps to openai SDK errors with type and status', async () => {
    await expect(client.chat.completions.create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'user', content: 'x' }], temperature: 1.5 })).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
    });
  });
});
