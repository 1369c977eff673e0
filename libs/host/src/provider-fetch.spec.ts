import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import OpenAI from 'openai';
import { createGlm } from '@exai/providers-glm';
import { ProviderTimeoutError } from '@exai/router/spec';
import { createProviderFetch } from './provider-fetch.js';

let server: Server;
let base: string;
const seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }> = [];

/** A small upstream: JSON, binary, SSE, empty, redirect, slow and error answers. */
function handle(request: IncomingMessage, response: ServerResponse, body: string): void {
  seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
  const url = new URL(request.url ?? '/', base);
  switch (url.pathname) {
    case '/v1/chat/completions': {
      if (JSON.parse(body).stream === true) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const chunk = (content: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
        response.write(chunk('Hel'));
        setTimeout(() => response.end(`${chunk('lo')}data: [DONE]\n\n`), 30);
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req-1', 'set-cookie': ['a=1', 'b=2'] });
      response.end(JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello' }, finish_reason: 'stop' }] }));
      return;
    }
    case '/bytes':
      response.writeHead(200, { 'content-type': 'application/octet-stream' });
      response.end(Buffer.from([0, 1, 2, 253, 254, 255]));
      return;
    case '/empty':
      response.writeHead(204);
      response.end();
      return;
    case '/moved':
      response.writeHead(307, { location: '/v1/chat/completions' });
      response.end();
      return;
    default:
      if (url.pathname.startsWith('/slow')) {
        setTimeout(() => response.end('late'), 2_000).unref();
        return;
      }
      response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2' });
      response.end(JSON.stringify({ error: { message: 'slow down', type: 'rate_limit', code: '1302' } }));
  }
}

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createProviderFetch', () => {
  const providerFetch = createProviderFetch({ env: {} });
  const sdk = () => new OpenAI({ apiKey: 'sk-test', baseURL: `${base}/v1`, maxRetries: 0, fetch: providerFetch });

  it('carries an openai SDK call: body, headers and the answer with its headers', async () => {
    const { data, response } = await sdk().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('Hello');
    expect(response.headers.get('x-request-id')).toBe('req-1');
    const request = seen.at(-1);
    expect(request).toMatchObject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' } });
    expect(JSON.parse(request?.body ?? '{}')).toMatchObject({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('streams a text/event-stream answer as it arrives', async () => {
    const stream = await sdk().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    const parts: string[] = [];
    for await (const chunk of stream) parts.push(chunk.choices[0]?.delta.content ?? '');
    expect(parts.join('')).toBe('Hello');
  });

  it('returns error answers for the SDK to map (status, body, retry-after)', async () => {
    const error = await sdk()
      .models.list()
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, code: '1302' });
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('2');
  });

  it('keeps bytes, empty answers and repeated headers intact', async () => {
    const bytes = await providerFetch(`${base}/bytes`);
    expect([...new Uint8Array(await bytes.arrayBuffer())]).toEqual([0, 1, 2, 253, 254, 255]);
    const empty = await providerFetch(`${base}/empty`, { method: 'DELETE' });
    expect(empty.status).toBe(204);
    expect(await empty.text()).toBe('');
    const answer = await providerFetch(`${base}/v1/chat/completions`, { method: 'POST', body: '{}', headers: [['content-type', 'application/json']] });
    expect(answer.headers.get('set-cookie')).toBe('a=1, b=2');
  });

  it('follows a redirect through fetch', async () => {
    const answer = await providerFetch(`${base}/moved`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { id: string }).id).toBe('c1');
  });

  it('aborts with the caller’s signal, and the SDK sees its own time limit as a timeout', async () => {
    const controller = new AbortController();
    const pending = providerFetch(`${base}/slow`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    await expect(providerFetch(`${base}/slow`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    // The provider's time limit (the SDK's own abort) is a timeout, not a cancellation.
    const impatient = createGlm({ apiKey: 'k', baseURL: `${base}/slow`, timeoutMs: 100, fetch: providerFetch });
    await expect(impatient.chatModel('glm-4.5').generate({ messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(ProviderTimeoutError);
  });

  it('reports a refused connection as the SDK’s connection error', async () => {
    const closed = new OpenAI({ apiKey: 'k', baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0, fetch: providerFetch });
    const error = await closed.models.list().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    const cause = (error as { cause?: unknown }).cause;
    expect(`${String(cause)} ${JSON.stringify(cause)}`).toContain('ECONNREFUSED');
  });

  it('hands other bodies (uploads) and Request objects to fetch, and stays out of the way behind a proxy', async () => {
    const calls: string[] = [];
    const fallback = (async (input: string | URL | Request, init?: RequestInit) => {
      calls.push(input instanceof Request ? 'request' : typeof init?.body);
      return new Response('fallback');
    }) as typeof fetch;
    const withFallback = createProviderFetch({ env: {}, fallback });
    const form = new FormData();
    form.append('purpose', 'file-extract');
    expect(await (await withFallback(`${base}/upload`, { method: 'POST', body: form })).text()).toBe('fallback');
    expect(await (await withFallback(new Request(`${base}/bytes`))).text()).toBe('fallback');
    expect(calls).toEqual(['object', 'request']);
    expect(createProviderFetch({ env: { HTTPS_PROXY: 'http://proxy.internal:3128' }, fallback })).toBe(fallback);
  });
});
