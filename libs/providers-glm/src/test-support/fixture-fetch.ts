import { readFileSync } from 'node:fs';
import type { GlmFetch } from '../glm-fetch.js';

/** One request the fixture fetch received. */
export interface RecordedFetchCall {
  url: URL;
  method: string;
  headers: Headers;
  /** Parsed JSON body, the `FormData` of a multipart upload, or undefined. */
  body: unknown;
  signal: AbortSignal | undefined;
}

/** Answers one recorded call. */
export type FixtureResponder = (call: RecordedFetchCall) => Response | Promise<Response>;

/** A fetch for the provider's `fetch` setting that records every call and answers from fixtures. */
export function createFixtureFetch(responder: FixtureResponder): { fetch: GlmFetch; calls: RecordedFetchCall[] } {
  const calls: RecordedFetchCall[] = [];
  const fetch: GlmFetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const rawBody = init?.body;
    const body = typeof rawBody === 'string' ? JSON.parse(rawBody) : rawBody ?? undefined;
    const call: RecordedFetchCall = { url, method: init?.method ?? 'GET', headers: new Headers(init?.headers), body, signal: init?.signal ?? undefined };
    calls.push(call);
    return responder(call);
  };
  return { fetch, calls };
}

/** Text of a file in `src/__fixtures__`. */
export function readFixture(name: string): string {
  return readFileSync(new URL(`../__fixtures__/${name}`, import.meta.url), 'utf8');
}

/** Parsed JSON of a file in `src/__fixtures__`. */
export function jsonFixture<T = unknown>(name: string): T {
  return JSON.parse(readFixture(name)) as T;
}

/** A JSON response as GLM sends it (§1.1 content type). */
export function jsonResponse(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: { 'content-type': 'application/json; charset=UTF-8', ...init.headers },
  });
}

/** Options of `sseResponse`. */
export interface SseOptions {
  /** The request's signal: a hanging stream errors with an AbortError when it fires. */
  signal?: AbortSignal | undefined;
  /** Send this many events, then stay open until aborted. */
  hangAfterEvents?: number;
}

/**
 * An SSE response replaying a `.chunks.txt` fixture event by event, each event split in two writes
 * so the SDK's decoder meets chunk boundaries inside an event.
 */
export function sseResponse(text: string, options: SseOptions = {}): Response {
  const events = text.split('\n\n').filter((event) => event.trim() !== '').map((event) => `${event}\n\n`);
  const encoder = new TextEncoder();
  let index = 0;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (options.hangAfterEvents !== undefined && index >= options.hangAfterEvents) {
        await new Promise<void>((resolve) => {
          if (options.signal?.aborted) return resolve();
          options.signal?.addEventListener('abort', () => resolve(), { once: true });
        });
        controller.error(Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }));
        return;
      }
      const event = events[index++];
      if (event === undefined) {
        controller.close();
        return;
      }
      const middle = Math.floor(event.length / 2);
      controller.enqueue(encoder.encode(event.slice(0, middle)));
      controller.enqueue(encoder.encode(event.slice(middle)));
    },
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream;charset=UTF-8' } });
}
