import type { IncomingMessage } from 'node:http';
import { WebSocket, type RawData } from 'ws';
import type { NeedleScanner } from '../needle-scanner.js';

/** How a WebSocket ended, as the client saw it. */
export interface WsClose {
  code: number;
  reason: string;
}

/** An upgrade the server answered with an HTTP status instead of 101. */
export interface WsRefusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Options of {@link WsPeer.connect}. */
export interface WsPeerOptions {
  protocols?: string[];
  headers?: Record<string, string>;
  timeoutMs: number;
  scanner: NeedleScanner;
}

interface Waiter {
  predicate: (message: unknown) => boolean;
  resolve: (message: unknown) => void;
}

/**
 * One client WebSocket for the runner: every text frame is parsed (or kept as text when it is not
 * JSON), scanned for secrets and queued until a check takes it; the close code and reason are kept.
 */
export class WsPeer {
  readonly #socket: WebSocket;
  readonly #inbox: unknown[] = [];
  readonly #waiters = new Set<Waiter>();
  #close: WsClose | undefined;
  readonly closed: Promise<WsClose>;

  private constructor(socket: WebSocket, scanner: NeedleScanner) {
    this.#socket = socket;
    socket.on('message', (data: RawData) => {
      const text = textOf(data);
      scanner.scanWhole('websocket frame', text);
      let message: unknown = text;
      try {
        message = JSON.parse(text) as unknown;
      } catch {
        // kept as text: the check decides whether that is acceptable
      }
      for (const waiter of this.#waiters) {
        if (waiter.predicate(message)) {
          this.#waiters.delete(waiter);
          waiter.resolve(message);
          return;
        }
      }
      this.#inbox.push(message);
    });
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        this.#close = { code, reason: reason.toString('utf8') };
        scanner.scanWhole('websocket close reason', this.#close.reason);
        for (const waiter of [...this.#waiters]) waiter.resolve(undefined);
        resolve(this.#close);
      });
    });
    // Errors end in 'close' (1006 when the connection dropped without a close frame).
    socket.on('error', () => undefined);
  }

  /** Connects; an upgrade answered with an HTTP status comes back as a {@link WsRefusal}. */
  static connect(url: string, options: WsPeerOptions): Promise<WsPeer | WsRefusal> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {}, perMessageDeflate: false, handshakeTimeout: options.timeoutMs, maxPayload: 256 * 1024 * 1024 });
      socket.once('open', () => resolve(new WsPeer(socket, options.scanner)));
      socket.once('unexpected-response', (_request, response: IncomingMessage) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        response.once('end', () => {
          const headers = Object.fromEntries(Object.entries(response.headers).map(([name, value]) => [name, String(value)]));
          options.scanner.scanWhole('websocket upgrade refusal', `${JSON.stringify(headers)}\n${body}`);
          resolve({ status: response.statusCode ?? 0, headers, body });
          socket.terminate();
        });
      });
      socket.once('error', (error) => reject(error));
    });
  }

  /** The close code and reason, once closed. */
  get closeInfo(): WsClose | undefined {
    return this.#close;
  }

  get open(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** Sends a text frame (bytes as they are, even when they are not UTF-8). */
  send(data: string | Buffer): void {
    if (this.#socket.readyState === WebSocket.OPEN) this.#socket.send(data, { binary: false });
  }

  /** The first queued or future message matching `predicate`; undefined after `timeoutMs` or when the socket closes. */
  next(predicate: (message: unknown) => boolean, timeoutMs: number): Promise<unknown> {
    const index = this.#inbox.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.#inbox.splice(index, 1)[0]);
    if (this.#close) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const finish = (message: unknown): void => {
        clearTimeout(timer);
        this.#waiters.delete(waiter);
        resolve(message);
      };
      const waiter: Waiter = { predicate, resolve: finish };
      const timer = setTimeout(() => finish(undefined), timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Takes every queued message. */
  drain(): unknown[] {
    return this.#inbox.splice(0);
  }

  /** Starts the closing handshake and waits for it (at most 2 s, then drops the socket). */
  async close(): Promise<void> {
    if (this.#close) return;
    this.#socket.close(1000, 'done');
    const timer = setTimeout(() => this.#socket.terminate(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }
}

/** A refused upgrade, not a socket. */
export function isRefusal(value: WsPeer | WsRefusal): value is WsRefusal {
  return !(value instanceof WsPeer);
}

function textOf(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
