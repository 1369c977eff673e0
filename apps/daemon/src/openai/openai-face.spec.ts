import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { SignJWT } from 'jose';
import { userIdForSubject } from '../auth/user-id-for-subject.js';
import type { DaemonContext } from '../daemon-context.js';
import { createOpenAiFace } from './openai-face.js';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';

type Exai = { provider: string; model: string; mode: string; chain: string[]; attempts: number; fallback: boolean; cost_usd: number; attempt_log: Array<{ model: string; outcome: string }> };
type WithExai = { exai?: Exai };

const openaiFor = (test: TestDaemon, apiKey = TEST_STATIC_TOKEN): OpenAI => new OpenAI({ baseURL: `${test.url}/v1`, apiKey, maxRetries: 0 });
const aliceId = userIdForSubject('alice', 'static');
const chatRequests = (test: TestDaemon) => test.sim.requests.filter((entry) => entry.path.endsWith('/chat/completions'));
const lastChatBody = (test: TestDaemon): Record<string, unknown> => chatRequests(test).at(-1)?.body as Record<string, unknown>;

async function jwtFor(subject: string): Promise<string> {
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setAudience('authenticated').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

describe('OpenAI-compatible gateway', () => {
  let test: TestDaemon;
  let client: OpenAI;
  beforeAll(async () => {
    test = await startTestDaemon();
    client = openaiFor(test);
  });
  afterAll(async () => test?.close());

  it('answers a non-streamed completion on auto with routing headers and the exai field', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello gateway' }] }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.choices[0]?.message.content).toContain('You said: "hello gateway"');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(response.headers.get('x-exai-model')).toBe(data.model);
    expect(response.headers.get('x-exai-provider')).toMatch(/^(glm|kimi)$/);
    expect(response.headers.get('x-exai-fallback')).toBe('false');
    expect(response.headers.get('x-exai-attempts')).toBe('1');
    expect(Number(response.headers.get('x-exai-overhead-ms'))).toBeGreaterThanOrEqual(0);
    const exai = (data as WithExai).exai!;
    expect(exai).toMatchObject({ mode: 'auto', model: data.model, fallback: false, attempts: 1 });
    expect(exai.chain[0]).toBe(data.model);
    expect(exai.provider).toBe(response.headers.get('x-exai-provider'));
  });

  it('maps system messages, sampling, limits and stop to the named model, which answers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'named model please' }], temperature: 0.3, top_p: 0.9, max_completion_tokens: 300, stop: ['END'] })
      .withResponse();
    expect(data.model).toBe('kimi-k2-turbo-preview');
    expect(response.headers.get('x-exai-provider')).toBe('kimi');
    expect((data as WithExai).exai?.mode).toBe('explicit');
    const sent = lastChatBody(test);
    expect(sent).toMatchObject({ model: 'kimi-k2-turbo-preview', temperature: 0.3, top_p: 0.9, max_tokens: 300, stop: ['END'] });
    expect((sent['messages'] as Array<{ role: string }>).map((message) => message.role)).toEqual(['system', 'user']);
    expect(data.choices[0]?.message.content).toContain('(messages: 2, system: 1');
  });

  it('passes multi-part user content with an image to a vision model', async () => {
    const pixel = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const data = await client.chat.completions.create({
      model: 'glm-4.5v',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: pixel } }] }],
    });
    expect(data.model).toBe('glm-4.5v');
    expect(data.choices[0]?.message.content).toContain('images: 1');
    const content = (lastChatBody(test)['messages'] as Array<{ content: Array<{ type: string }> }>)[0]!.content;
    expect(content.map((part) => part.type)).toEqual(['text', 'image_url']);
  });

  it('offers function tools, returns the tool call, and takes the tool result back', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const first = await client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'weather in Paris?' }], tools, tool_choice: 'auto' });
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0] as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'sample' });
    const second = await client.chat.completions.create({
      model: 'glm-4.5-flash',
      tools,
      messages: [{ role: 'user', content: 'weather in Paris?' }, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' }],
    });
    expect(second.choices[0]?.message.content).toContain('Tool result: sunny, 21 C');
    const sent = lastChatBody(test)['messages'] as Array<{ role: string; tool_call_id?: string }>;
    expect(sent.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(sent[2]?.tool_call_id).toBe(call.id);
  });

  it('streams on auto with usage and routing metadata on the last chunk', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'stream me' }], stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-exai-fallback')).toBe('false');
    let text = '';
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toContain('You said: "stream me"');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === response.headers.get('x-exai-model'))).toBe(true);
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect((last as WithExai).exai).toMatchObject({ mode: 'auto', fallback: false });
  });

  it('streams a named model, reasoning included', async () => {
    const stream = await client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'think and stream' }], stream: true, reasoning_effort: 'low' });
    let text = '';
    let reasoning = '';
    for await (const chunk of stream) {
      expect(chunk.model).toBe('glm-4.5-flash');
      text += chunk.choices[0]?.delta.content ?? '';
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    }
    expect(text).toContain('You said: "think and stream"');
    expect(reasoning).toContain('Thinking about: think and stream');
    expect(lastChatBody(test)).toMatchObject({ stream: true, thinking: { type: 'enabled' } });
  });

  it('answers a failure before the first token as an ordinary HTTP error, and one after it as a stream error', async () => {
    await expect(client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'bad [[sim:error:1214]]' }], stream: true })).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    const stream = await client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'breaks midway [[sim:stream-error]]' }], stream: true });
    let chunks = 0;
    await expect(
      (async () => {
        for await (const _chunk of stream) chunks++;
      })(),
    ).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(chunks).toBeGreaterThan(0);
  });

  it('lists auto and the usable models, and retrieves one by alias', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids[0]).toBe('auto');
    expect(ids).toEqual(expect.arrayContaining(['glm-4.5-flash', 'glm-4.6', 'kimi-k2-turbo-preview']));
    expect((await client.models.retrieve('auto')).owned_by).toBe('exai');
    expect((await client.models.retrieve('kimi-turbo')).id).toBe('kimi-k2-turbo-preview');
    await expect(client.models.retrieve('no-such-model')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('refuses invalid requests with 400 naming the field', async () => {
    const refused = async (body: Record<string, unknown>): Promise<InstanceType<typeof OpenAI.BadRequestError>> => {
      const error = await client.chat.completions.create(body as never).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      return error as InstanceType<typeof OpenAI.BadRequestError>;
    };
    const before = chatRequests(test).length;
    expect((await refused({ model: 'auto', messages: [{ role: 'user', content: 42 }] })).param).toBe('messages[0].content');
    const missing = await refused({ messages: [{ role: 'user', content: 'hi' }] });
    expect(missing.param).toBe('model');
    expect(missing.code).toBe('missing_required_parameter');
    expect((await refused({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], temperature: 5 })).param).toBe('temperature');
    expect((await refused({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], n: 2 })).param).toBe('n');
    expect((await refused({ model: 'auto', messages: [{ role: 'wizard', content: 'hi' }] })).param).toMatch(/^messages\[0\]/);
    expect((await refused({ model: 'auto', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: {} } })).param).toBe('response_format.type');
    expect(chatRequests(test).length).toBe(before);
    await expect(client.chat.completions.create({ model: 'gpt-17', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });

  it('refuses a missing or wrong token with 401 (openai.AuthenticationError) and audits it', async () => {
    await expect(openaiFor(test, 'not-a-token').chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const bare = await fetch(`${test.url}/v1/models`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toBe('Bearer realm="exai"');
    expect(await bare.json()).toMatchObject({ error: { type: 'invalid_request_error', code: 'invalid_api_key' } });
    const audit = await test.daemon.context.exai.storage.service.audit.list({ action: 'auth' });
    const failures = audit.filter((entry) => entry.outcome === 'failure' && (entry.details as { transport?: string } | undefined)?.transport === 'openai');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    // The first accepted request of a user opened its gateway session and was audited once.
    expect(audit.filter((entry) => entry.outcome === 'success' && entry.userId === aliceId && (entry.details as { transport?: string }).transport === 'openai')).toHaveLength(1);
    expect(test.daemon.context.sessions.get(`openai:${aliceId}`)?.transport).toBe('openai');
  });

  it('aborts the upstream request when the client aborts, streamed or not', async () => {
    const controller = new AbortController();
    const pending = client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'hang on [[sim:hang]]' }] }, { signal: controller.signal });
    const upstream = await test.sim.waitFor((entry) => JSON.stringify(entry.body ?? '').includes('hang on'));
    expect(test.daemon.context.inFlight.count).toBeGreaterThanOrEqual(1);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(OpenAI.APIUserAbortError);
    expect((await test.sim.waitFor((entry) => entry.id === upstream.id && entry.aborted)).completed).toBe(false);

    const stream = await client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'slow stream [[sim:long:3000]] [[sim:latency:30]]' }], stream: true });
    for await (const chunk of stream) {
      if (chunk.choices[0]?.delta.content || (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content) break;
    }
    const streamed = await test.sim.waitFor((entry) => JSON.stringify(entry.body ?? '').includes('slow stream') && entry.aborted);
    expect(streamed.completed).toBe(false);
  });

  it('records usage in the user storage and counts gateway requests', async () => {
    const data = await client.chat.completions.create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'user', content: 'account for me' }] });
    const usage = test.daemon.context.userScope({ userId: aliceId, subject: 'alice', method: 'static' }).storage.usage;
    let events = await usage.list();
    for (let tries = 0; tries < 50 && !events.some((event) => event.model === 'kimi-k2-turbo-preview'); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      events = await usage.list();
    }
    const event = events.find((entry) => entry.model === 'kimi-k2-turbo-preview' && entry.tool === 'openai:chat.completions');
    expect(event).toMatchObject({ provider: 'kimi', usage: { inputTokens: data.usage?.prompt_tokens, outputTokens: data.usage?.completion_tokens } });
    expect(event!.costUsd).toBeGreaterThan(0);
    const metrics = await (await fetch(`${test.url}/metrics`)).text();
    expect(metrics).toMatch(/exai_gateway_requests_total\{status="200",stream="false"\} [1-9]/);
    expect(metrics).toMatch(/exai_gateway_requests_total\{status="400",stream="false"\} [1-9]/);
    expect(test.daemon.context.metrics.recentCalls().some((call) => call.tool === 'openai:chat.completions' && call.model === 'kimi-k2-turbo-preview')).toBe(true);
  });
});

describe('OpenAI-compatible gateway fallback', () => {
  // A fresh daemon per test: a quota error takes the provider's key out of rotation for a while.
  let test: TestDaemon;
  let client: OpenAI;
  beforeEach(async () => {
    test = await startTestDaemon();
    client = openaiFor(test);
  });
  afterEach(async () => test?.close());

  it('moves to Kimi when GLM is out of quota, and says so in headers and metadata', async () => {
    test.sim.addFault({ vendor: 'glm', fault: 'error:1113' });
    const { data, response } = await client.chat.completions.create({ model: 'glm-4.5-flash', messages: [{ role: 'user', content: 'fall back please' }] }).withResponse();
    expect(response.headers.get('x-exai-provider')).toBe('kimi');
    expect(response.headers.get('x-exai-fallback')).toBe('true');
    expect(Number(response.headers.get('x-exai-attempts'))).toBeGreaterThanOrEqual(2);
    const exai = (data as WithExai).exai!;
    expect(exai.fallback).toBe(true);
    expect(exai.attempt_log[0]).toMatchObject({ model: 'glm-4.5-flash', outcome: 'fell-back' });
    expect(data.model).toBe(response.headers.get('x-exai-model'));
    expect(data.choices[0]?.message.content).toContain('You said: "fall back please"');
  });

  it('moves a stream to GLM when Kimi has no balance, before the first token', async () => {
    test.sim.setKimiBalance(0);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'kimi-k2-turbo-preview', messages: [{ role: 'user', content: 'stream the fallback' }], stream: true, stream_options: { include_usage: true } })
      .withResponse();
    let text = '';
    let last: OpenAI.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      last = chunk;
    }
    expect(text).toContain('You said: "stream the fallback"');
    expect(response.headers.get('x-exai-provider')).toBe('glm');
    expect(response.headers.get('x-exai-fallback')).toBe('true');
    expect((last as WithExai).exai).toMatchObject({ provider: 'glm', fallback: true });
    expect(test.sim.requests.some((entry) => entry.vendor === 'kimi' && entry.status === 429)).toBe(true);
  });
});

describe('OpenAI-compatible gateway limits', () => {
  let test: TestDaemon;
  beforeAll(async () => {
    test = await startTestDaemon({ EXAI_RATE_USER_PER_SECOND: '0.001', EXAI_RATE_USER_BURST: '1' });
  });
  afterAll(async () => test?.close());

  it('answers over the rate limit with 429 (openai.RateLimitError) and Retry-After, per user', async () => {
    const carol = openaiFor(test, await jwtFor('carol'));
    await carol.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'one' }] });
    const error = await carol.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'two' }] }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(Number(limited.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.code).toBe('rate_limit_exceeded');
    // Listing models is not a call; another user has their own bucket.
    expect((await carol.models.list()).data.length).toBeGreaterThan(1);
    await openaiFor(test, await jwtFor('dave')).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'mine' }] });
  });
});

describe('OpenAI-compatible gateway while draining', () => {
  let test: TestDaemon;
  let server: Server;
  let draining = false;
  let client: OpenAI;
  beforeAll(async () => {
    test = await startTestDaemon();
    // The face over the daemon's context, with `draining` under the test's control.
    const context = Object.create(test.daemon.context, { draining: { get: () => draining } }) as DaemonContext;
    const face = createOpenAiFace(context);
    server = createServer((request, response) => void face.handleRequest?.(request, response, new URL(request.url ?? '/', 'http://localhost')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new OpenAI({ baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, apiKey: TEST_STATIC_TOKEN, maxRetries: 0 });
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await test?.close();
  });

  it('refuses new completions with 503 and Retry-After, and still lists models', async () => {
    await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'before' }] });
    draining = true;
    const error = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'during' }] }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error).toMatchObject({ status: 503, code: 'draining' });
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('5');
    expect((await client.models.list()).data[0]?.id).toBe('auto');
    expect(await (await fetch(`${test.url}/metrics`)).text()).toMatch(/exai_refused_total\{limit="draining"\} 1/);
    draining = false;
  });
});
