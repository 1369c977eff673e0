import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange.js';

/** Reads a request body completely. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('client closed the request before its body ended'));
    });
  });
}

/** Resolves after `ms` (true), or early when `signal` aborts (false). Never rejects. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** JSON content type per vendor: GLM's observed `application/json; charset=UTF-8` (provider-wire.md §1.1). */
export function jsonContentType(exchange: Exchange): string {
  return exchange.vendor === 'glm' ? 'application/json; charset=UTF-8' : 'application/json; charset=utf-8';
}

/** Writes a complete response, after the exchange's latency. */
export async function respond(
  exchange: Exchange,
  status: number,
  payload: string | Buffer,
  headers: OutgoingHttpHeaders = {},
): Promise<void> {
  if (exchange.latencyMs > 0 && !(await sleep(exchange.latencyMs, exchange.signal))) return;
  const { res } = exchange;
  if (res.destroyed || res.headersSent) return;
  if (exchange.plan.resetAfter !== undefined) {
    // [[sim:reset-after:n]] on a non-streamed call: the connection drops instead of an answer.
    exchange.serverClosed = true;
    res.destroy();
    return;
  }
  res.writeHead(status, {
    'content-type': jsonContentType(exchange),
    'content-length': typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length,
    ...headers,
  });
  res.end(payload);
}

/** Writes `value` as a JSON response. */
export function respondJson(exchange: Exchange, status: number, value: unknown, headers?: OutgoingHttpHeaders): Promise<void> {
  return respond(exchange, status, JSON.stringify(value), headers);
}

/** Reads a string field of an untrusted object. */
export function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}

/** True for a plain (non-array) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
