import { readFileSync } from 'node:fs';
import { createKimi, type KimiProvider } from '../kimi-provider.js';
import type { KimiProviderSettings } from '../kimi-context.js';

/** A request the fake `fetch` received. */
export interface FakeCall {
  method: string;
  url: string;
  headers: Headers;
  /** Parsed JSON body; for multipart uploads, the `FormData`; undefined without a body. */
  body: unknown;
}

/** A scripted answer: a `Response` factory, so each call gets a fresh body. */
export type FakeAnswer = () => Response;

/** Reads a fixture file of `src/__fixtures__`. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** A JSON fixture, parsed. */
export function jsonFixture<T = unknown>(name: string): T {
  return JSON.parse(fixture(name)) as T;
}

/** Answers with JSON. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): FakeAnswer {
  return () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** Answers with a JSON fixture file. */
export function jsonFile(name: string, status = 200, headers: Record<string, string> = {}): FakeAnswer {
  return json(jsonFixture(name), status, headers);
}

/** Answers with an SSE fixture file (`*.chunks.txt`), streamed in small pieces. */
export function sseFile(name: string): FakeAnswer {
  const text = fixture(name);
  return () => {
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 97) controller.enqueue(bytes.slice(at, at + 97));
        controller.close();
      },
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  };
}

/** The error body of a case of `errors.json` (provider-wire.md §2.9). */
export function errorFile(name: string, headers: Record<string, string> = {}): FakeAnswer {
  const cases = jsonFixture<Record<string, { status: number; body: unknown }>>('errors.json');
  const found = cases[name];
  if (!found) throw new Error(`no error case ${name}`);
  return json(found.body, found.status, headers);
}

/**
 * A `fetch` that answers scripted responses in order and records every request. It fails the test
 * loudly when more requests arrive than were scripted.
 */
export function fakeFetch(answers: FakeAnswer[]): { fetch: typeof globalThis.fetch; calls: FakeCall[] } {
  const calls: FakeCall[] = [];
  const queue = [...answers];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    // The SDK probes fetch's FormData support with a `data:` URL before multipart uploads.
    if (request.url.startsWith('data:')) return globalThis.fetch(request);
    const type = request.headers.get('content-type') ?? '';
    let body: unknown;
    if (type.includes('multipart/form-data')) body = await request.formData();
    else {
      const text = await request.text();
      body = text ? (JSON.parse(text) as unknown) : undefined;
    }
    calls.push({ method: request.method, url: request.url, headers: request.headers, body });
    const next = queue.shift();
    if (!next) throw new Error(`unexpected request ${request.method} ${request.url}`);
    return next();
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

/** A provider wired to a fake fetch. */
export function fakeKimi(
  answers: FakeAnswer[],
  settings: KimiProviderSettings = {},
): { kimi: KimiProvider; calls: FakeCall[] } {
  const { fetch, calls } = fakeFetch(answers);
  return { kimi: createKimi({ apiKey: 'sk-test', baseURL: 'https://api.moonshot.test/v1', fetch, ...settings }), calls };
}

/** The JSON body of a recorded call, typed loosely for assertions. */
export function bodyOf(call: FakeCall | undefined): Record<string, unknown> & { messages: Array<Record<string, unknown>> } {
  if (!call) throw new Error('no such call');
  return call.body as Record<string, unknown> & { messages: Array<Record<string, unknown>> };
}
