import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import { nextBackoffMs } from './next-backoff.js';

type Id = string | number;

/** Settings of {@link RemoteBridge}. */
export interface RemoteBridgeOptions {
  /** The daemon's MCP WebSocket URL, e.g. `ws://host:3000/ws`. */
  url: string;
  /** Bearer token (`EXAI_TOKEN`); sent as the Authorization header, never logged. */
  token: string | undefined;
  logger: Logger;
  /** First reconnect delay (doubles up to `maxDelayMs`, with jitter). Default 250 ms. */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Messages from the client kept while the daemon is unreachable; beyond it, requests fail at once. Default 1,000. */
  maxQueued?: number;
}

interface Pending {
  message: JSONRPCMessage & { id: Id; method: string };
  /** Sent again after a reconnect already. */
  retried: boolean;
}

/**
 * Serves a stdio MCP client from a remote exai-daemon over MCP-over-WebSocket. It keeps the
 * client's session alive across daemon restarts and network drops: reconnects with exponential
 * backoff and jitter, replays the client's `initialize` (answering nothing twice), sends each request
 * still waiting for its answer once more, and fails a request that was already retried with a clear
 * JSON-RPC error. Messages from the client wait (bounded) while the daemon is unreachable.
 */
export class RemoteBridge {
  #socket: WebSocket | undefined;
  #ready = false;
  #handshakeDone = false;
  #stopped = false;
  #attempt = 0;
  #initialize: (JSONRPCMessage & { id: Id }) | undefined;
  #initialized: JSONRPCMessage | undefined;
  /** Our id of a replayed initialize: its answer is swallowed. */
  #replayId: string | undefined;
  readonly #pending = new Map<Id, Pending>();
  #queue: JSONRPCMessage[] = [];
  #reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Transport,
    private readonly options: RemoteBridgeOptions,
  ) {}

  /** Starts both sides; resolves once the stdio side listens (the daemon may still be connecting). */
  async start(): Promise<void> {
    this.client.onmessage = (message) => this.fromClient(message);
    this.client.onerror = (error) => this.options.logger.warn({ err: error }, 'stdio transport error');
    await this.client.start();
    this.connect();
  }

  /** Closes the daemon connection and stops reconnecting. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#reconnectTimer);
    this.#socket?.close(1000, 'client closed');
  }

  private connect(): void {
    if (this.#stopped) return;
    const { url, token, logger } = this.options;
    const socket = new WebSocket(url, 'mcp', { headers: token ? { authorization: `Bearer ${token}` } : {}, handshakeTimeout: 10_000 });
    this.#socket = socket;
    socket.on('open', () => {
      logger.info({ url, attempt: this.#attempt }, 'connected to the exai daemon');
      this.#attempt = 0;
      this.onOpen();
    });
    socket.on('message', (data) => this.fromDaemon(String(data)));
    socket.on('unexpected-response', (_request, response) => {
      // A refusal (401, 403) will not fix itself by retrying fast: say why and keep backing off.
      logger.error({ status: response.statusCode, url }, `the daemon refused the connection (HTTP ${response.statusCode}${response.statusCode === 401 ? ': check EXAI_TOKEN' : ''})`);
      socket.terminate();
    });
    socket.on('error', (error) => logger.warn({ err: error, url }, 'daemon connection error'));
    socket.on('close', (code, reason) => {
      if (this.#socket !== socket) return;
      this.#ready = false;
      this.#socket = undefined;
      if (this.#stopped) return;
      const delay = nextBackoffMs(this.#attempt++, { initialMs: this.options.initialDelayMs ?? 250, maxMs: this.options.maxDelayMs ?? 30_000 });
      // 4003: the daemon ended the connection because its token expired (or was refused at hello).
      if (code === 4003) logger.error({ code, reason: String(reason), retryInMs: delay }, 'the daemon closed the connection: the token expired or was refused; set a fresh EXAI_TOKEN');
      else logger.warn({ code, reason: String(reason), retryInMs: delay, inFlight: this.#pending.size }, 'daemon connection lost: reconnecting');
      this.#reconnectTimer = setTimeout(() => this.connect(), delay);
    });
  }

  /** A new connection: replay the handshake the daemon lost (if the client had completed one), then resend and flush. */
  private onOpen(): void {
    if (this.#initialize && this.#handshakeDone) {
      this.#replayId = `exai-bridge-reinit-${Date.now()}`;
      this.send({ ...this.#initialize, id: this.#replayId } as JSONRPCMessage);
      return; // the rest waits for the replayed initialize's answer
    }
    this.becomeReady();
  }

  private becomeReady(): void {
    this.#ready = true;
    for (const [id, pending] of this.#pending) {
      if (pending.retried) {
        this.#pending.delete(id);
        void this.client.send(lostAnswer(id, 'the connection to the exai daemon was lost twice while this request ran'));
        continue;
      }
      pending.retried = true;
      this.options.logger.info({ id, method: pending.message.method }, 'resending a request after reconnecting');
      this.send(pending.message);
    }
    const queued = this.#queue;
    this.#queue = [];
    for (const message of queued) this.fromClient(message);
  }

  private fromClient(message: JSONRPCMessage): void {
    const record = message as { id?: Id; method?: string };
    if (record.method === 'initialize' && record.id !== undefined) this.#initialize = message as JSONRPCMessage & { id: Id };
    if (record.method === 'notifications/initialized') this.#initialized = message;
    if (!this.#ready) {
      if (this.#queue.length >= (this.options.maxQueued ?? 1000)) {
        if (record.id !== undefined && record.method) void this.client.send(lostAnswer(record.id, 'the exai daemon is unreachable and too many requests are waiting'));
        return;
      }
      this.#queue.push(message);
      return;
    }
    if (record.method === 'notifications/cancelled') {
      const requestId = (message as { params?: { requestId?: Id } }).params?.requestId;
      if (requestId !== undefined) this.#pending.delete(requestId);
    }
    if (record.id !== undefined && record.method) this.#pending.set(record.id, { message: message as Pending['message'], retried: false });
    this.send(message);
  }

  private fromDaemon(text: string): void {
    let message: JSONRPCMessage & { id?: Id; method?: string };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.options.logger.warn('the daemon sent a frame that is not JSON; ignored');
      return;
    }
    if (message.id !== undefined && message.id === this.#replayId && message.method === undefined) {
      this.#replayId = undefined;
      if (this.#initialized) this.send(this.#initialized);
      this.becomeReady();
      return;
    }
    if (message.id !== undefined && message.method === undefined) {
      this.#pending.delete(message.id);
      if (this.#initialize && message.id === this.#initialize.id) this.#handshakeDone = true;
    }
    void this.client.send(message);
  }

  private send(message: JSONRPCMessage): void {
    const socket = this.#socket;
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  }
}

function lostAnswer(id: Id, reason: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code: -32000, message: `${reason}; retry the call` } } as JSONRPCMessage;
}
