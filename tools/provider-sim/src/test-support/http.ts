import { expect } from '@jest/globals';
/** Test helpers: plain-fetch calls against the simulator and an SSE reader. */

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** POSTs JSON with a bearer key (omit the key with `null`). */
export function post(url: string, body: unknown, key: string | null = 'sim-key', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...headers },
    body: JSON.stringify(body),
  });
}

/** GETs with a bearer key. */
export function get(url: string, key = 'sim-key'): Promise<Response> {
  return fetch(url, { headers: { authorization: `Bearer ${key}` } });
}

/** POSTs and returns status and parsed body. */
export async function postJson(url: string, body: unknown, key: string | null = 'sim-key'): Promise<{ status: number; body: Json; headers: Headers }> {
  const response = await post(url, body, key);
  return { status: response.status, body: (await response.json()) as Json, headers: response.headers };
}

/** The raw SSE text split into its `data:` payloads (strings, `[DONE]` included). */
export function sseData(text: string): string[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      expect(block.startsWith('data: ')).toBe(true);
      return block.slice('data: '.length);
    });
}

/** Parses every payload but `[DONE]`. */
export function sseChunks(text: string): Json[] {
  const data = sseData(text);
  expect(data[data.length - 1]).toBe('[DONE]');
  return data.slice(0, -1).map((payload) => JSON.parse(payload) as Json);
}
