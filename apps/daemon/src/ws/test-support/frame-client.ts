import type { IncomingMessage } from 'node:http';
import { WebSocket, type ClientOptions } from 'ws';

/** One JSON frame the server sent. */
export type Frame = Record<string, unknown> & { op?: string; request_id?: unknown };

/**
 * A raw `ws` client for tests: keeps every JSON frame the server sends and waits for the one a
 * test expects, and reports how the connection closed.
 */
export class FrameClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly #waiters: Array<{ match: (frame: Frame) => boolean; resolve: (frame: Frame) => void }> = [];
  #taken = new Set<Frame>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      this.frames.push(frame);
      const waiter = this.#waiters.find((entry) => entry.match(frame));
      if (waiter) {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        this.#taken.add(frame);
        waiter.resolve(frame);
      }
    });
    socket.on('error', () => undefined);
  }

  /** Opens a connection (no subprotocol: the legacy protocol, unless `protocols` says otherwise). */
  static open(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<FrameClient> {
    const { protocols, ...rest } = options;
    const socket = new WebSocket(url, protocols ?? [], rest);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new FrameClient(socket)));
      socket.once('error', reject);
      socket.once('unexpected-response', (_request, response: IncomingMessage) => reject(new Error(`upgrade refused with HTTP ${response.statusCode}`)));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame not yet returned that matches, already received or still to come. */
  next(match: (frame: Frame) => boolean, timeoutMs = 5_000): Promise<Frame> {
    const seen = this.frames.find((frame) => !this.#taken.has(frame) && match(frame));
    if (seen) {
      this.#taken.add(seen);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`)), timeoutMs);
      this.#waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  /** The next frame with this op (and request id, when given). */
  op(op: string, requestId?: unknown, timeoutMs?: number): Promise<Frame> {
    return this.next((frame) => frame.op === op && (requestId === undefined || frame.request_id === requestId), timeoutMs);
  }

  close(): void {
    this.socket.close();
  }
}

/** What an upgrade refused before the handshake answered. */
export interface RefusedUpgrade {
  status: number;
  headers: IncomingMessage['headers'];
  body: { error?: { code?: string; message?: string } };
}

/** Tries an upgrade that the server should refuse, and returns its HTTP answer. */
export function refusedUpgrade(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<RefusedUpgrade> {
  const { protocols, ...rest } = options;
  const socket = new WebSocket(url, protocols ?? [], rest);
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      socket.close();
      reject(new Error('the upgrade was accepted'));
    });
    socket.once('error', () => undefined);
    socket.once('unexpected-response', (_request, response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text ? (JSON.parse(text) as RefusedUpgrade['body']) : {} });
      });
    });
  });
}
