import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import type { DaemonContext, Principal } from '../daemon-context.js';
import { admitWsCall } from './admit-ws-call.js';
import { WebSocketServerTransport } from './websocket-server-transport.js';
import type { WsConnection } from './ws-connection.js';

/** Options of {@link McpWebSocketSession}. */
export interface McpWebSocketSessionOptions {
  context: DaemonContext;
  connection: WsConnection;
  id: string;
  ip: string;
  principal: Principal;
  logger: Logger;
}

/** JSON-RPC error code of a call the server gave up when its shutdown deadline passed. */
const SHUTDOWN_RPC_CODE = -32000;

/**
 * One MCP client over a WebSocket: its own McpServer (never shared between connections, MCP SDK ≥
 * 1.26) on a {@link WebSocketServerTransport} whose `tools/call` requests pass the shared limits first.
 */
export class McpWebSocketSession {
  readonly transport: WebSocketServerTransport;
  readonly #server: McpServer;
  readonly #options: McpWebSocketSessionOptions;

  constructor(options: McpWebSocketSessionOptions) {
    this.#options = options;
    const { context, principal, ip } = options;
    this.transport = new WebSocketServerTransport({ connection: options.connection, sessionId: options.id, admitCall: () => admitWsCall(context, principal, ip) });
    this.#server = context.createMcpServer(principal, { sessionId: options.id, transport: 'websocket' });
    this.transport.onerror = (error) => options.logger.debug({ err: error }, 'MCP WebSocket message refused');
    context.sessions.open({ id: options.id, userId: principal.userId, subject: principal.subject, transport: 'websocket', ip });
  }

  /** Connects the server to the transport (the client's `initialize` is handled from then on). */
  start(): Promise<void> {
    return this.#server.connect(this.transport);
  }

  /** A text frame from the client. */
  receive(text: string): void {
    this.transport.receive(text);
  }

  /** Tells the client, as an MCP log message at level `warning`, that the server is shutting down. */
  drain(message: string): void {
    if (!this.#server.isConnected()) return;
    // With the session id, a level the client chose (logging/setLevel) is respected.
    this.#server.sendLoggingMessage({ level: 'warning', logger: 'exai-daemon', data: message }, this.#options.id).catch((error: unknown) => this.#options.logger.debug({ err: error }, 'shutdown notice not sent'));
  }

  /** Answers the calls still running with an error (shutdown deadline); closing the socket then aborts them. */
  abortCalls(message: string): void {
    for (const id of this.transport.runningCalls) this.transport.fail(id, { code: SHUTDOWN_RPC_CODE, message, data: { retry_after_ms: 5_000 } });
  }

  /** The socket closed: the server aborts its handlers (the upstream requests with them). */
  closed(): void {
    this.transport.closed();
  }
}
