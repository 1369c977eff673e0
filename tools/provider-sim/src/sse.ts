import type { Exchange } from './exchange.js';
import { sleep } from './http-io.js';

/** How to deliver a stream: the faults that shape it. */
export interface SseOptions {
  /** `content-type` of the stream (each vendor spells it differently). */
  contentType: string;
  /** JSON of a `data: {"error":…}` event to send after the first chunk instead of finishing. */
  errorEvent?: string;
}

const done = 'data: [DONE]\n\n';

function frame(json: string): string {
  return `data: ${json}\n\n`;
}

/** Writes `data` and resolves once it has been handed to the socket. */
function writeFlushed(exchange: Exchange, data: string): Promise<void> {
  return new Promise((resolve) => exchange.res.write(data, () => resolve()));
}

/**
 * Writes `chunks` (JSON texts) as an SSE stream ending in `data: [DONE]`. Without latency or faults the
 * whole stream goes out in one write (the benchmark path); otherwise chunk by chunk, waiting the
 * latency before each, stopping when the client goes away, destroying the socket after
 * `plan.resetAfter` chunks, or ending with an error event after the first chunk.
 */
export async function writeSse(exchange: Exchange, chunks: readonly string[], options: SseOptions): Promise<void> {
  const { res, plan } = exchange;
  const latency = exchange.latencyMs;
  if (res.destroyed) return;
  res.writeHead(200, { 'content-type': options.contentType, 'cache-control': 'no-cache' });
  if (latency <= 0 && plan.resetAfter === undefined && options.errorEvent === undefined) {
    let body = '';
    for (const chunk of chunks) body += frame(chunk);
    res.end(body + done);
    return;
  }
  res.flushHeaders();
  for (let index = 0; index < chunks.length; index++) {
    if (plan.resetAfter !== undefined && index >= plan.resetAfter) return reset(exchange);
    if (latency > 0 && !(await sleep(latency, exchange.signal))) return;
    if (res.destroyed) return;
    if (plan.resetAfter !== undefined) await writeFlushed(exchange, frame(chunks[index] as string));
    else res.write(frame(chunks[index] as string));
    if (options.errorEvent !== undefined) {
      res.end(frame(options.errorEvent));
      return;
    }
  }
  if (plan.resetAfter !== undefined && plan.resetAfter <= chunks.length) return reset(exchange);
  if (latency > 0 && !(await sleep(latency, exchange.signal))) return;
  res.end(done);
}

/** Destroys the socket (a scripted connection reset); earlier chunks were awaited to reach it. */
function reset(exchange: Exchange): void {
  exchange.serverClosed = true;
  exchange.res.socket?.destroy();
  exchange.res.destroy();
}
