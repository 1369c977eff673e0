import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';

/** A JSON-RPC error object as the daemon sends it. */
export interface RpcError {
  code: number;
  message: string;
  data?: unknown;
}

/** How one request ended, as the client saw it. */
export type RequestOutcome =
  | { kind: 'answer'; result?: unknown; error?: RpcError; elapsedMs: number }
  /** The socket closed before an answer came. */
  | { kind: 'closed'; code: number; reason: string; elapsedMs: number }
  /** No answer within the client's own time limit (the socket was still open). */
  | { kind: 'timeout'; elapsedMs: number };

/** The daemon refused the WebSocket upgrade with an HTTP answer (limits, auth, draining). */
export class UpgradeRefusedError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfter: string | undefined,
  ) {
    super(`WebSocket upgrade refused with HTTP ${status}: ${body}`);
    this.name = 'UpgradeRefusedError';
  }

  /** The `error.code` of the JSON body (`connections_per_ip`, `draining`, …), when there is one. */
  get code(): string | undefined {
    try {
      return (JSON.parse(this.body) as { error?: { code?: string } }).error?.code;
    } catch {
      return undefined;
    }
  }
}

/** Options of {@link McpWsClient.connect}. */
export interface ConnectOptions {
  /** Bearer token (sent as `Authorization`). */
  token?: string;
  /** Local address to connect from (`127.x.y.z`), so clients look like different machines to per-IP limits. */
  localAddress?: string;
  /** Longest wait for the upgrade and `initialize`; default 30 s. */
  timeoutMs?: number;
  clientName?: string;
}

interface Pending {
  started: number;
  resolve: (outcome: RequestOutcome) => void;
  timer: NodeJS.Timeout | undefined;
  onProgress: ((params: Record<string, unknown>) => void) | undefined;
}

/**
 * A minimal MCP client over one WebSocket (subprotocol `mcp`, one JSON-RPC message per text frame):
 * requests matched to answers by id, progress notifications routed to their request, and every
 * request settled exactly once — by its answer, by the socket closing, or by the client's own time
 * limit — so a run can prove that no request id went unanswered.
 */
export class McpWsClient {
  #next = 1;
  readonly #pending = new Map<number, Pending>();
  readonly #notifications: Array<{ method: string; params?: unknown }> = [];
  #closedWith: { code: number; reason: string } | undefined;
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.#receive(String(data)));
    this.closed = new Promise((resolve) => {
      socket.once('close', (code: number, reason: Buffer) => {
        this.#closedWith = { code, reason: reason.toString('utf8') };
        for (const [id, pending] of this.#pending) this.#settle(id, pending, { kind: 'closed', code, reason: this.#closedWith.reason, elapsedMs: performance.now() - pending.started });
        resolve(this.#closedWith);
      });
    });
    socket.on('error', () => {
      // A reset is reported through 'close'; without a listener the error would be thrown.
    });
  }

  /** Opens the socket and completes the MCP handshake; rejects with {@link UpgradeRefusedError} on an HTTP refusal. */
  static async connect(url: string, options: ConnectOptions = {}): Promise<McpWsClient> {
    const socket = new WebSocket(url, 'mcp', {
      perMessageDeflate: false,
      handshakeTimeout: options.timeoutMs ?? 30_000,
      ...(options.token ? { headers: { authorization: `Bearer ${options.token}` } } : {}),
      ...(options.localAddress ? { localAddress: options.localAddress } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
      socket.once('unexpected-response', (request, response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => {
          const retryAfter = response.headers['retry-after'];
          reject(new UpgradeRefusedError(response.statusCode ?? 0, body, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
          request.destroy();
        });
        response.on('error', () => reject(new UpgradeRefusedError(response.statusCode ?? 0, body, undefined)));
      });
    });
    const client = new McpWsClient(socket);
    const init = await client.request('initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: options.clientName ?? 'exai-chaos', version: '1' } }, { timeoutMs: options.timeoutMs ?? 30_000 });
    if (init.kind !== 'answer' || init.error) {
      socket.terminate();
      throw new Error(`initialize failed: ${JSON.stringify(init)}`);
    }
    client.notify('notifications/initialized');
    return client;
  }

  /** Notifications received so far (progress ones excepted: they go to their request). */
  get notifications(): ReadonlyArray<{ method: string; params?: unknown }> {
    return this.#notifications;
  }

  /** Requests sent and not settled yet. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Sends a request; the promise settles once, with its answer, the socket's close, or `timeoutMs`. */
  request(method: string, params: unknown, options: { timeoutMs?: number; onProgress?: (params: Record<string, unknown>) => void } = {}): Promise<RequestOutcome> & { id: number } {
    const id = this.#next++;
    const started = performance.now();
    const promise = new Promise<RequestOutcome>((resolve) => {
      if (this.#closedWith) {
        resolve({ kind: 'closed', ...this.#closedWith, elapsedMs: 0 });
        return;
      }
      const pending: Pending = { started, resolve, timer: undefined, onProgress: options.onProgress };
      if (options.timeoutMs !== undefined) {
        pending.timer = setTimeout(() => this.#settle(id, pending, { kind: 'timeout', elapsedMs: performance.now() - started }), options.timeoutMs);
      }
      this.#pending.set(id, pending);
      let message: Record<string, unknown> = { jsonrpc: '2.0', id, method, params };
      if (options.onProgress) message = { ...message, params: { ...(params as Record<string, unknown>), _meta: { progressToken: `progress-${id}` } } };
      this.socket.send(JSON.stringify(message));
    });
    return Object.assign(promise, { id });
  }

  /** `tools/call` of one tool. */
  callTool(name: string, args: Record<string, unknown>, options: { timeoutMs?: number; onProgress?: (params: Record<string, unknown>) => void } = {}): Promise<RequestOutcome> & { id: number } {
    return this.request('tools/call', { name, arguments: args }, options);
  }

  /** Sends a notification (no answer). */
  notify(method: string, params?: unknown): void {
    this.socket.send(JSON.stringify({ jsonrpc: '2.0', method, ...(params === undefined ? {} : { params }) }));
  }

  /** MCP cancellation of a request sent earlier. */
  cancel(id: number, reason = 'cancelled by the client'): void {
    this.notify('notifications/cancelled', { requestId: id, reason });
  }

  /** Closing handshake; resolves once closed (or after 2 s, then the socket is cut). */
  async close(): Promise<void> {
    if (this.#closedWith) return;
    this.socket.close(1000, 'done');
    const timer = setTimeout(() => this.socket.terminate(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }

  /** Drops the connection at once (no closing handshake), as a crashed client would. */
  terminate(): void {
    this.socket.terminate();
  }

  #receive(text: string): void {
    let message: { id?: number | string | null; method?: string; params?: Record<string, unknown>; result?: unknown; error?: RpcError };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      return;
    }
    if (message.method !== undefined) {
      if (message.method === 'notifications/progress') {
        const token = String(message.params?.['progressToken'] ?? '');
        const pending = this.#pending.get(Number(token.replace('progress-', '')));
        if (pending?.onProgress) {
          pending.onProgress(message.params ?? {});
          return;
        }
      }
      this.#notifications.push({ method: message.method, params: message.params });
      return;
    }
    if (typeof message.id !== 'number') return;
    const pending = this.#pending.get(message.id);
    if (!pending) return;
    this.#settle(message.id, pending, {
      kind: 'answer',
      elapsedMs: performance.now() - pending.started,
      ...(message.error === undefined ? { result: message.result } : { error: message.error }),
    });
  }

  #settle(id: number, pending: Pending, outcome: RequestOutcome): void {
    if (this.#pending.get(id) !== pending) return;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }
}
