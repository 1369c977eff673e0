import type { NeedleScanner } from '../needle-scanner.js';

/** One HTTP answer as the runner judges it. */
export interface HttpAnswer {
  /** 0 when no answer came (connection error or time bound). */
  status: number;
  headers: Record<string, string>;
  text: string;
  /** JSON-RPC messages of the body: a JSON body, or every `data:` event of an SSE stream. */
  messages: unknown[];
  /** Why no answer came: `timeout` or the network error. */
  failure?: string;
  ms: number;
}

/** Options of {@link httpExchange}. */
export interface HttpExchangeOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A stream goes out chunked, without a Content-Length. */
  body?: string | Buffer | ReadableStream<Uint8Array>;
  timeoutMs: number;
  /** Every body and header set received is scanned for secrets. */
  scanner: NeedleScanner;
}

/** One request with a time bound; never throws (a failure is in `failure`). */
export async function httpExchange(url: string, options: HttpExchangeOptions): Promise<HttpAnswer> {
  const started = performance.now();
  try {
    const response = await fetch(url, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers: options.headers ?? {},
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.body instanceof ReadableStream ? { duplex: 'half' } : {}),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    const headers = Object.fromEntries(response.headers.entries());
    const path = new URL(url).pathname;
    options.scanner.scanWhole(`response ${path}`, `${JSON.stringify(headers)}\n${text}`);
    return { status: response.status, headers, text, messages: parseMessages(text, headers['content-type'] ?? ''), ms: performance.now() - started };
  } catch (error) {
    const failure = (error as Error).name === 'TimeoutError' ? 'timeout' : `${(error as Error).message}${(error as { cause?: Error }).cause ? `: ${(error as { cause: Error }).cause.message}` : ''}`;
    return { status: 0, headers: {}, text: '', messages: [], failure, ms: performance.now() - started };
  }
}

/** The JSON-RPC messages of a body: JSON (one message or a batch) or an SSE stream of `data:` events. */
export function parseMessages(text: string, contentType: string): unknown[] {
  if (contentType.includes('text/event-stream')) {
    const messages: unknown[] = [];
    for (const event of text.split(/\r?\n\r?\n/)) {
      const data = event
        .split(/\r?\n/)
        .filter((line) => line.startsWith('data:'))
        .map((line) => line.slice(5).replace(/^ /, ''))
        .join('\n');
      if (data === '') continue;
      const parsed = tryParse(data);
      if (parsed !== undefined) messages.push(parsed);
    }
    return messages;
  }
  const parsed = tryParse(text);
  if (parsed === undefined) return [];
  return Array.isArray(parsed) ? parsed : [parsed];
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
