import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { glmErrorCodes, startSimulator, type Simulator } from './index.js';
import { postJson } from './test-support/http.js';

let sim: Simulator;
let chatURL: string;
const user = (content: string) => [{ role: 'user', content }];
const invalidParameter = { error: { code: '1210', message: 'Invalid API parameter, please check the documentation.' } };
const illegalMessages = { error: { code: '1214', message: 'The messages parameter is illegal. Please check the documentation.' } };
const fn = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } };

beforeAll(async () => {
  sim = await startSimulator({ glmApiKeys: ['good-key'] });
  chatURL = `${sim.glmBaseURL}/chat/completions`;
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('GLM auth', () => {
  it('answers 401 code 1001 without a header and 1002 for a rejected key', async () => {
    const missing = await postJson(chatURL, { model: 'glm-4.5', messages: user('hi') }, null);
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ error: { code: '1001', message: 'Authentication parameter not received in Header, unable to authenticate' } });
    const bad = await postJson(chatURL, { model: 'glm-4.5', messages: user('hi') }, 'wrong-key');
    expect(bad.status).toBe(401);
    expect(bad.body.error.code).toBe('1002');
    expect((await postJson(chatURL, { model: 'glm-4.5', messages: user('hi') }, 'good-key')).status).toBe(200);
  });

  it('rejects keys starting with "invalid" by default', async () => {
    const open = await startSimulator();
    try {
      expect((await postJson(`${open.glmBaseURL}/chat/completions`, { model: 'glm-4.5', messages: user('hi') }, 'invalid-key')).body.error.code).toBe('1002');
      expect((await postJson(`${open.glmBaseURL}/chat/completions`, { model: 'glm-4.5', messages: user('hi') }, 'any-key')).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('GLM validation', () => {
  const cases: [string, Record<string, unknown>, number, unknown][] = [
    ['tool_choice other than auto', { tools: [fn], tool_choice: 'required' }, 400, { error: { code: '1210', message: 'Tool choice must be auto' } }],
    ['tool_choice without tools', { tool_choice: 'auto' }, 400, invalidParameter],
    ['more than one stop', { stop: ['a', 'b'] }, 400, invalidParameter],
    ['temperature above 1', { temperature: 1.5 }, 400, invalidParameter],
    ['negative temperature', { temperature: -0.1 }, 400, invalidParameter],
    ['a bare web_search tool', { tools: [{ type: 'web_search' }] }, 400, invalidParameter],
    ['max_tokens above the model output', { max_tokens: 98_305 }, 400, invalidParameter],
    ['no user message', { messages: [{ role: 'system', content: 'only system' }] }, 400, illegalMessages],
    ['empty messages', { messages: [] }, 400, illegalMessages],
    ['unknown model', { model: 'glm-9' }, 400, { error: { code: '1211', message: 'Unknown Model, please check the model code.' } }],
    ['a prompt over the context', { messages: user('x'.repeat(131_073 * 4)) }, 400, { error: { code: '1261', message: 'Prompt exceeds max length' } }],
  ];
  it.each(cases)('rejects %s', async (_name, patch, status, expected) => {
    const result = await postJson(chatURL, { model: 'glm-4.5', messages: user('hi'), ...patch }, 'good-key');
    expect(result.status).toBe(status);
    expect(result.body).toEqual(expected);
  });

  it('tolerates stream_options, strict, a single stop string and temperature 0 or 1', async () => {
    const tool = { type: 'function', function: { name: 'f', strict: false, parameters: { type: 'object', properties: {} } } };
    for (const patch of [{ stream_options: { include_usage: true } }, { tools: [tool] }, { stop: 'END' }, { stop: ['END'] }, { temperature: 0 }, { temperature: 1 }, { temperature: 1.5, do_sample: false }]) {
      expect((await postJson(chatURL, { model: 'glm-4.5', messages: user('hi'), ...patch }, 'good-key')).status).toBe(200);
    }
  });

  it('answers malformed JSON with 1210', async () => {
    const response = await fetch(chatURL, { method: 'POST', headers: { authorization: 'Bearer good-key' }, body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(invalidParameter);
  });
});

describe('GLM error markers', () => {
  it('triggers every code of the error table with its status and exact body', async () => {
    const expectedStatus: Record<string, number> = { '500': 500, '1000': 401, '1001': 401, '1002': 401, '1003': 401, '1004': 401, '1210': 400, '1211': 400, '1213': 400, '1214': 400, '1261': 400, '1301': 400 };
    expect(glmErrorCodes).toEqual(expect.arrayContaining(['1113', '1261', '1301', '1302', '1303', '1304', '1305', '1112', '1121', '1312', '1308', '1310']));
    for (const code of glmErrorCodes) {
      const result = await postJson(chatURL, { model: 'glm-4.5', messages: user(`go [[sim:error:${code}]]`) }, 'good-key');
      expect([code, result.status]).toEqual([code, expectedStatus[code] ?? 429]);
      expect(Object.keys(result.body)).toEqual(['error']);
      expect(result.body.error).toEqual({ code, message: expect.any(String) });
    }
    const quota = await postJson(chatURL, { model: 'glm-4.5', messages: user('[[sim:error:1113]]') }, 'good-key');
    expect(quota.body).toEqual({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });
    const filter = await postJson(chatURL, { model: 'glm-4.5', messages: user('[[sim:error:1301]]') }, 'good-key');
    expect(filter.body.error.message).toMatch(/^System detected potentially unsafe or sensitive content/);
  });

  it('surfaces through the openai SDK as APIError with status and the business code', async () => {
    const client = new OpenAI({ apiKey: 'good-key', baseURL: sim.glmBaseURL, maxRetries: 0 });
    const call = client.chat.completions.create({ model: 'glm-4.5', messages: [{ role: 'user', content: 'hi [[sim:error:1302]] [[sim:retry-after:2]]' }] });
    await expect(call).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const error = (await call.then(
      () => undefined,
      (caught: unknown) => caught,
    )) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(429);
    expect(error.code).toBe('1302');
    expect(error.headers?.get('retry-after')).toBe('2');
    const tool = client.chat.completions.create({ model: 'glm-4.5', messages: [{ role: 'user', content: 'hi' }], tools: [fn as OpenAI.ChatCompletionTool], tool_choice: 'required' });
    await expect(tool).rejects.toMatchObject({ status: 400, code: '1210', message: expect.stringContaining('Tool choice must be auto') });
  });

  it('answers [[sim:status:<http>]] with the generic body', async () => {
    const result = await postJson(chatURL, { model: 'glm-4.5', messages: user('[[sim:status:503]]') }, 'good-key');
    expect(result.status).toBe(503);
    expect(result.body).toEqual({ error: { code: '503', message: 'Service Unavailable' } });
  });
});
