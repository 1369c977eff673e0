import type { IncomingMessage, ServerResponse } from 'node:http';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Logger } from 'pino';
import type { Principal } from '../daemon-context.js';

/** What a session needs from the face that owns it. */
export interface McpHttpSessionOptions {
  id: string;
  principal: Principal;
  idleTimeoutMs: number;
  logger: Logger;
  /** Builds the session's own McpServer (never shared with another transport). */
  createServer(): McpServer;
  /** The transport initialized the session (before the initialize request is answered). */
  onInitialized(session: McpHttpSession): void;
  /** The session ended: DELETE, idle expiry or shutdown. Called once. */
  onClosed(session: McpHttpSession, reason: string): void;
}

/**
 * One Streamable HTTP session: its transport (stateful, the session id fixed in advance so the
 * McpServer can be built for it), its McpServer, its principal, and an idle timer that runs only
 * while no POST of the session is being answered.
 */
export class McpHttpSession {
  readonly id: string;
  readonly principal: Principal;
  readonly transport: StreamableHTTPServerTransport;
  #initialized = false;
  #closed = false;
  #closeReason = 'closed by the client';
  #active = 0;
  #timer: NodeJS.Timeout | undefined;

  private constructor(private readonly options: McpHttpSessionOptions) {
    this.id = options.id;
    this.principal = options.principal;
    this.transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => options.id,
      onsessioninitialized: () => {
        this.#initialized = true;
        this.#arm();
        options.onInitialized(this);
      },
    });
    // Set before connect: the McpServer chains its own handlers after these.
    this.transport.onclose = () => this.#ended();
    this.transport.onerror = (error) => options.logger.debug({ err: error, session: this.id }, 'Streamable HTTP transport reported a client error');
  }

  /** Creates the transport and connects a new McpServer to it. */
  static async open(options: McpHttpSessionOptions): Promise<McpHttpSession> {
    const session = new McpHttpSession(options);
    await options.createServer().connect(session.transport);
    return session;
  }

  /** Whether the initialize request created the session (false when it was refused by the transport). */
  get initialized(): boolean {
    return this.#initialized;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Hands a request to the transport. POSTs hold the idle timer until their response closes (a
   * long tool call is not idleness); a GET (the server-to-client stream) only restarts it.
   */
  async handle(request: IncomingMessage, response: ServerResponse, body: unknown): Promise<void> {
    if (request.method === 'POST') {
      this.#active++;
      this.#disarm();
      response.once('close', () => {
        this.#active--;
        this.#arm();
      });
    } else {
      this.#arm();
    }
    await this.transport.handleRequest(request, response, body);
  }

  /** Closes the transport (its streams end, its McpServer aborts its running handlers). */
  async close(reason: string): Promise<void> {
    if (this.#closed) return;
    this.#closeReason = reason;
    await this.transport.close();
    // The transport calls onclose unless it had closed already; either way the session has ended.
    this.#ended();
  }

  #arm(): void {
    if (this.#closed || !this.#initialized || this.#active > 0) return;
    if (this.#timer) {
      this.#timer.refresh();
      return;
    }
    this.#timer = setTimeout(() => {
      this.options.logger.info({ session: this.id, user: this.principal.subject, idleTimeoutMs: this.options.idleTimeoutMs }, 'Streamable HTTP session expired after being idle');
      void this.close('idle timeout');
    }, this.options.idleTimeoutMs);
    this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #ended(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#disarm();
    this.options.onClosed(this, this.#closeReason);
  }
}
