import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from './index.js';
import { get, post, postJson, sseData } from './test-support/http.js';

let sim: Simulator;
let glm: OpenAI;
let kimi: OpenAI;
const ask = (content: string, model = 'glm-4.5') => ({ model, messages: [{ role: 'user', content }] });
const isChat = (request: { path: string }) => request.path.endsWith('/chat/completions');

beforeAll(async () => {
  sim = await startSimulator();
  glm = new OpenAI({ apiKey: 'sim-key', baseURL: sim.glmBaseURL, maxRetries: 0 });
  kimi = new OpenAI({ apiKey: 'sim-key', baseURL: sim.kimiBaseURL, maxRetries: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('hang and cancellation', () => {
  it('records a fetch abort during [[sim:hang]] as aborted', async () => {
    const controller = new AbortController();
    const call = fetch(`${sim.glmBaseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer k' },
      body: JSON.stringify(ask('wait [[sim:hang]]')),
      signal: controller.signal,
    });
    const pending = await sim.waitFor(isChat);
    expect(pending).toMatchObject({ aborted: false, completed: false, status: undefined });
    controller.abort();
    await expect(call).rejects.toThrow();
    const aborted = await sim.waitFor((request) => request.aborted);
    expect(aborted.id).toBe(pending.id);
    expect(aborted.completed).toBe(false);
  });

  it('records an openai SDK cancellation mid-stream as aborted', async () => {
    const controller = new AbortController();
    const stream = await kimi.chat.completions.create(
      { ...ask('slow [[sim:latency:100]]', 'kimi-k2-turbo-preview'), stream: true } as OpenAI.ChatCompletionCreateParamsStreaming,
      { signal: controller.signal },
    );
    const seen: string[] = [];
    // openai 7 ends the iteration quietly when its own signal aborts.
    await (async () => {
      for await (const chunk of stream) {
        seen.push(chunk.id);
        controller.abort();
      }
    })().catch(() => undefined);
    expect(seen).toHaveLength(1);
    const aborted = await sim.waitFor((request) => request.aborted);
    expect(aborted.vendor).toBe('kimi');
  });

  it('close() ends hung requests so nothing leaks', async () => {
    const own = await startSimulator();
    const call = fetch(`${own.kimiBaseURL}/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer k' }, body: JSON.stringify(ask('[[sim:hang]]', 'kimi-k2-turbo-preview')) });
    await own.waitFor(isChat);
    const started = Date.now();
    await own.close();
    await expect(call).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('stream faults', () => {
  it('destroys the socket after n chunks with [[sim:reset-after:n]] (not logged as a client abort)', async () => {
    const response = await post(`${sim.glmBaseURL}/chat/completions`, { ...ask('[[sim:reset-after:2]]'), stream: true });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    let text = '';
    await expect(
      (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          text += Buffer.from(value).toString();
        }
      })(),
    ).rejects.toThrow();
    expect(text.split('\n\n').filter(Boolean)).toHaveLength(2);
    const entry = sim.requests[0]!;
    expect(entry.completed).toBe(false);
    expect(entry.aborted).toBe(false);
    const sdk = await glm.chat.completions.create({ ...ask('[[sim:reset-after:1]]'), stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    await expect(
      (async () => {
        for await (const _chunk of sdk) void _chunk;
      })(),
    ).rejects.toThrow();
  });

  it('drops the connection of a non-streamed call with [[sim:reset-after:n]]', async () => {
    await expect(glm.chat.completions.create(ask('[[sim:reset-after:0]]') as OpenAI.ChatCompletionCreateParamsNonStreaming)).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(sim.requests[0]).toMatchObject({ aborted: false, completed: false });
  });

  it('sends a mid-stream error event after the first chunk with [[sim:stream-error]]', async () => {
    const text = await (await post(`${sim.glmBaseURL}/chat/completions`, { ...ask('[[sim:stream-error]]'), stream: true })).text();
    const data = sseData(text);
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[1]!)).toEqual({ error: { code: '500', message: 'Internal Error' } });
    const stream = await kimi.chat.completions.create({ ...ask('[[sim:stream-error]]', 'kimi-k2-turbo-preview'), stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
    const failure = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(failure).toMatchObject({ status: undefined, type: 'server_error' });
  });
});

describe('latency', () => {
  it('delays a non-streamed answer by [[sim:latency:ms]] and by the default latency', async () => {
    let started = Date.now();
    await postJson(`${sim.glmBaseURL}/chat/completions`, ask('[[sim:latency:120]]'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    sim.setLatency(80);
    started = Date.now();
    await get(`${sim.kimiBaseURL}/users/me/balance`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(70);
    sim.reset();
    started = Date.now();
    await postJson(`${sim.glmBaseURL}/chat/completions`, ask('fast'));
    expect(Date.now() - started).toBeLessThan(70);
  });

  it('waits the latency before each stream chunk', async () => {
    const response = await post(`${sim.kimiBaseURL}/chat/completions`, { ...ask('tick [[sim:latency:40]]', 'kimi-k2-turbo-preview'), stream: true });
    const reader = response.body!.getReader();
    const arrivals: number[] = [];
    for (;;) {
      const { done } = await reader.read();
      if (done) break;
      arrivals.push(Date.now());
    }
    expect(arrivals.length).toBeGreaterThanOrEqual(4);
    const span = arrivals[arrivals.length - 1]! - arrivals[0]!;
    expect(span).toBeGreaterThanOrEqual(30 * (arrivals.length - 1));
  });
});

describe('fault sources', () => {
  it('reads the x-sim-fault header', async () => {
    const response = await post(`${sim.glmBaseURL}/chat/completions`, ask('plain'), 'k', { 'x-sim-fault': 'error:1113' });
    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } });
  });

  it('applies fault rules by vendor, path and model, at most `times` times', async () => {
    sim.addFault({ vendor: 'kimi', path: '/chat/completions', model: 'kimi-k2-turbo-preview', times: 2, fault: 'error:engine_overloaded_error' });
    const url = `${sim.kimiBaseURL}/chat/completions`;
    expect((await postJson(`${sim.glmBaseURL}/chat/completions`, ask('glm'))).status).toBe(200);
    expect((await postJson(url, ask('other model', 'kimi-k2-0905-preview'))).status).toBe(200);
    const first = await postJson(url, ask('a', 'kimi-k2-turbo-preview'));
    expect(first.status).toBe(429);
    expect(first.body).toEqual({ error: { type: 'engine_overloaded_error', message: 'The engine is currently overloaded, please try again later' } });
    expect((await postJson(url, ask('b', 'kimi-k2-turbo-preview'))).status).toBe(429);
    expect((await postJson(url, ask('c', 'kimi-k2-turbo-preview'))).status).toBe(200);
    sim.addFault({ fault: 'status:502' });
    expect((await postJson(url, ask('d', 'kimi-k2-turbo-preview'))).body).toEqual({ error: { type: 'server_error', message: 'Bad Gateway' } });
    sim.clearFaults();
    expect((await postJson(url, ask('e', 'kimi-k2-turbo-preview'))).status).toBe(200);
  });

  it('takes fault rules from the options', async () => {
    const own = await startSimulator({ faults: [{ vendor: 'glm', times: 1, fault: 'error:1305' }] });
    try {
      expect((await postJson(`${own.glmBaseURL}/chat/completions`, ask('x'))).body.error.code).toBe('1305');
      expect((await postJson(`${own.glmBaseURL}/chat/completions`, ask('x'))).status).toBe(200);
    } finally {
      await own.close();
    }
  });
});

describe('request log', () => {
  it('records vendor, path, query, parsed body, status and completion', async () => {
    await postJson(`${sim.glmBaseURL}/chat/completions`, ask('log me'));
    await fetch(`${sim.glmBaseURL}/files?limit=5`, { headers: { authorization: 'Bearer k' } });
    const [chat, files] = await Promise.all([sim.waitFor((request) => request.completed && isChat(request)), sim.waitFor((request) => request.completed && request.query === 'limit=5')]);
    expect(chat).toMatchObject({ vendor: 'glm', method: 'POST', path: '/api/paas/v4/chat/completions', status: 200, aborted: false, body: ask('log me') });
    expect(files).toMatchObject({ method: 'GET', path: '/api/paas/v4/files', body: undefined, status: 200 });
    expect(chat.headers.authorization).toBe('Bearer sim-key');
    await expect(sim.waitFor(() => false, { timeoutMs: 30 })).rejects.toThrow('no request matched within 30 ms');
  });

  it('keeps only the newest requestLogLimit entries', async () => {
    const own = await startSimulator({ requestLogLimit: 2 });
    try {
      for (const text of ['one', 'two', 'three']) await postJson(`${own.glmBaseURL}/chat/completions`, ask(text));
      expect(own.requests.map((request) => (request.body as { messages: { content: string }[] }).messages[0]!.content)).toEqual(['two', 'three']);
    } finally {
      await own.close();
    }
  });
});
