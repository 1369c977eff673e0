import { Readable } from 'node:stream';
import type { Agent, request as undiciRequest } from 'undici';

/** Variables that put Node's `fetch` behind a proxy (`NODE_USE_ENV_PROXY`): with any of them set, exai keeps Node's `fetch`. */
const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NODE_USE_ENV_PROXY'] as const;
/** Statuses whose response has no body (a `Response` refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Options of {@link createProviderFetch}. */
export interface ProviderFetchOptions {
  /** Where proxy settings are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** What requests this transport does not take go to (default the global `fetch`). */
  fallback?: typeof fetch;
}

/**
 * The `fetch` exai gives the providers' openai SDK clients. A request with a text body or none (every
 * JSON call: chat, web search, balance, file listings) goes out with undici's `request` over
 * kept-alive connections and comes back as a standard `Response`: the same HTTP exchange as Node's
 * `fetch`, without the WHATWG stream machinery around each call, which cost about 0.15–0.25 ms of
 * CPU per call (a third of what an openai SDK call costs; docs/benchmarks.md). Streamed answers
 * (`text/event-stream`) still stream. Everything else uses Node's `fetch` unchanged: other bodies
 * (file uploads), a `Request` object, redirects (followed by `fetch`), and any process configured
 * for a proxy. Aborts, time limits and connection errors reach the SDK as they would from `fetch`.
 */
export function createProviderFetch(options: ProviderFetchOptions = {}): typeof fetch {
  const fallback = options.fallback ?? ((input: string | URL | Request, init?: RequestInit) => fetch(input, init));
  const env = options.env ?? process.env;
  if (PROXY_VARIABLES.some((name) => env[name])) return fallback;
  // Loaded with the first call, not at startup (exai-stdio answers `initialize` before any model call).
  let transport: Promise<{ request: typeof undiciRequest; dispatcher: Agent }> | undefined;
  const load = () => (transport ??= import('undici').then((undici) => ({ request: undici.request, dispatcher: new undici.Agent() })));

  return async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const body = init.body;
    if (input instanceof Request || (body !== undefined && body !== null && typeof body !== 'string')) return fallback(input, init);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const { request, dispatcher } = await load();
    const answer = await request(String(input), {
      method: (init.method ?? 'GET') as 'GET',
      headers: plainHeaders(init.headers),
      ...(typeof body === 'string' ? { body } : {}),
      ...(signal ? { signal } : {}),
      dispatcher,
    });
    const status = answer.statusCode;
    if (REDIRECT_STATUSES.has(status) && answer.headers['location'] !== undefined) {
      await answer.body.dump();
      return fallback(input, init);
    }
    const headers = responseHeaders(answer.headers);
    if (NULL_BODY_STATUSES.has(status) || init.method === 'HEAD') {
      await answer.body.dump();
      return new Response(null, { status, headers });
    }
    if ((headers.get('content-type') ?? '').includes('text/event-stream')) {
      return new Response(Readable.toWeb(answer.body) as unknown as ReadableStream<Uint8Array>, { status, headers });
    }
    return new Response(await answer.body.arrayBuffer(), { status, headers });
  };
}

/** `RequestInit.headers` (a `Headers`, pairs or a record) as the record undici takes. */
function plainHeaders(headers: RequestInit['headers']): Record<string, string> {
  const result: Record<string, string> = {};
  if (headers === undefined) return result;
  if (headers instanceof Headers) {
    headers.forEach((value, name) => (result[name] = value));
    return result;
  }
  const entries = Array.isArray(headers) ? headers : Object.entries(headers);
  for (const [name, value] of entries) if (value !== undefined && value !== null) result[name.toLowerCase()] = String(value);
  return result;
}

function responseHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.append(name, value);
  }
  return headers;
}
