import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Logger } from 'pino';
import type { DaemonContext, Principal } from '../daemon-context.js';
import { admitWsCall } from './admit-ws-call.js';
import { CredentialWatch } from './credential-watch.js';
import { WebSocketServerTransport } from './websocket-server-transport.js';
import { CloseCode, type WsConnection } from './ws-connection.js';

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
 * The connection lives as long as its token: once a JWT's `exp` passes, calls are refused
 * (`token_expired`), the client is told, and the socket closes (4003) when its running calls have
 * answered; the client reconnects with a fresh token.
 */
export class McpWebSocketSession {
  readonly transport: WebSocketServerTransport;
  readonly #server: McpServer;
  readonly #options: McpWebSocketSessionOptions;
  readonly #watch: CredentialWatch;

  constructor(options: McpWebSocketSessionOptions) {
    this.#options = options;
    const { context, principal, ip, connection, logger } = options;
    this.transport = new WebSocketServerTransport({
      connection,
      sessionId: options.id,
      admitCall: () => (this.#watch.lapsed ? Promise.resolve(this.#watch.refusal()) : admitWsCall(context, principal, ip)),
    });
    this.#server = context.createMcpServer(principal, { sessionId: options.id, transport: 'websocket' });
    this.transport.onerror = (error) => options.logger.debug({ err: error }, 'MCP WebSocket message refused');
    context.sessions.open({ id: options.id, userId: principal.userId, subject: principal.subject, transport: 'websocket', ip });
    // Last: an expired token lapses at once, and the lapse uses the server.
    this.#watch = new CredentialWatch(principal, {
      onLapse: (expiredAt) => {
        logger.info({ user: principal.subject, expiredAt }, 'token expired: the WebSocket closes once its running calls have answered');
        this.#notify('the token of this connection expired: reconnect with a fresh token');
        void connection.whenSettled().then(() => connection.close(CloseCode.unauthorized, 'token expired'));
      },
    });
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
    this.#notify(message);
  }

  /** Answers the calls still running with an error (shutdown deadline); closing the socket then aborts them. */
  abortCalls(message: string): void {
    for (const id of this.transport.runningCalls) this.transport.fail(id, { code: SHUTDOWN_RPC_CODE, message, data: { retry_after_ms: 5_000 } });
  }

  /** The socket closed: the server aborts its handlers (the upstream requests with them). */
  closed(): void {
    this.#watch.stop();
    this.transport.closed();
  }

  /** An MCP log message at level `warning` (with the session id, a level the client chose with logging/setLevel is respected). */
  #notify(message: string): void {
    if (!this.#server.isConnected()) return;
    this.#server.sendLoggingMessage({ level: 'warning', logger: 'exai-daemon', data: message }, this.#options.id).catch((error: unknown) => this.#options.logger.debug({ err: error }, 'notice not sent'));
  }
}
