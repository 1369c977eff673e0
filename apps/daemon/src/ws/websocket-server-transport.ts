import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode,
  isJSONRPCErrorResponse,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  JSONRPCMessageSchema,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { limitRpcError, type LimitExceeded } from '../limits/limit-exceeded.js';
import type { WsConnection } from './ws-connection.js';

/** Options of {@link WebSocketServerTransport}. */
export interface WebSocketServerTransportOptions {
  connection: WsConnection;
  sessionId: string;
  /** Admits one `tools/call` (rate limits, draining); a refusal is answered by the transport. */
  admitCall(): Promise<LimitExceeded | undefined>;
}

/**
 * The server side of MCP over one WebSocket (a custom transport: WebSocket is not a spec transport;
 * it matches the SDK's `WebSocketClientTransport`, subprotocol `mcp`, one JSON-RPC message per text
 * frame). Each `tools/call` is admitted before the server sees it; a refused call is answered here
 * with the JSON-RPC over-limit error (`data.retry_after_ms`) and never reaches a tool.
 */
export class WebSocketServerTransport implements Transport {
  readonly sessionId: string;
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: ((message: JSONRPCMessage) => void) | undefined;
  readonly #options: WebSocketServerTransportOptions;
  #started = false;
  readonly #early: JSONRPCMessage[] = [];
  // Incoming messages are handled in order: a call's admission is awaited, and a cancellation or
  // the next call must not overtake it.
  #incoming: Promise<void> = Promise.resolve();
  /** Admitted `tools/call` requests not yet answered, with the end of their work on the connection. */
  readonly #calls = new Map<RequestId, () => void>();
  #closed = false;

  constructor(options: WebSocketServerTransportOptions) {
    this.#options = options;
    this.sessionId = options.sessionId;
  }

  /** Ids of the `tools/call` requests running now. */
  get runningCalls(): RequestId[] {
    return [...this.#calls.keys()];
  }

  async start(): Promise<void> {
    this.#started = true;
    for (const message of this.#early.splice(0)) this.#enqueue(message);
  }

  /** A text frame from the client. */
  receive(text: string): void {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.#sendRaw({ jsonrpc: '2.0', id: null, error: { code: ErrorCode.ParseError, message: `Parse error: ${(error as Error).message}` } });
      this.onerror?.(new Error('WebSocket message is not valid JSON'));
      return;
    }
    const parsed = JSONRPCMessageSchema.safeParse(value);
    if (!parsed.success) {
      const id = typeof value === 'object' && value !== null && 'id' in value && (typeof value.id === 'string' || typeof value.id === 'number') ? value.id : null;
      this.#sendRaw({ jsonrpc: '2.0', id, error: { code: ErrorCode.InvalidRequest, message: 'Invalid Request: not a JSON-RPC 2.0 message (one message per frame, no batches)' } });
      this.onerror?.(new Error('WebSocket message is not a JSON-RPC message'));
      return;
    }
    if (!this.#started) this.#early.push(parsed.data);
    else this.#enqueue(parsed.data);
  }

  async send(message: JSONRPCMessage, _options?: TransportSendOptions): Promise<void> {
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) this.#finish(message.id);
    if (!this.#options.connection.send(JSON.stringify(message))) throw new Error('WebSocket connection is closed');
  }

  /** Answers a running call with an error of the server's own (shutdown), and stops counting it. */
  fail(id: RequestId, error: { code: number; message: string; data?: unknown }): void {
    this.#finish(id);
    this.#sendRaw({ jsonrpc: '2.0', id, error });
  }

  async close(): Promise<void> {
    this.#options.connection.close(1000, 'closed by the server');
  }

  /** The socket closed: stop counting calls and tell the server (which aborts its handlers). */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const id of [...this.#calls.keys()]) this.#finish(id);
    this.onclose?.();
  }

  #enqueue(message: JSONRPCMessage): void {
    this.#incoming = this.#incoming.then(() => this.#deliver(message)).catch((error: unknown) => this.onerror?.(error as Error));
  }

  async #deliver(message: JSONRPCMessage): Promise<void> {
    if (this.#closed) return;
    if (isJSONRPCRequest(message) && message.method === 'tools/call') {
      const refusal = await this.#options.admitCall();
      if (refusal) {
        this.#sendRaw({ jsonrpc: '2.0', id: message.id, error: limitRpcError(refusal) });
        return;
      }
      if (this.#closed) return;
      this.#finish(message.id);
      this.#calls.set(message.id, this.#options.connection.beginWork());
    } else if (isJSONRPCNotification(message) && message.method === 'notifications/cancelled') {
      // The server answers nothing for a cancelled request (MCP cancellation): the call ends here.
      const requestId = (message.params as { requestId?: RequestId } | undefined)?.requestId;
      if (requestId !== undefined) this.#finish(requestId);
    }
    this.onmessage?.(message);
  }

  #finish(id: RequestId): void {
    const end = this.#calls.get(id);
    if (!end) return;
    this.#calls.delete(id);
    end();
  }

  #sendRaw(message: unknown): void {
    this.#options.connection.send(JSON.stringify(message));
  }
}
