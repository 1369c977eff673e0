import { randomBytes } from 'node:crypto';
import { canonicalToolName } from '@exai/tools';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from 'pino';
import { AuthError } from '../auth/auth-error.js';
import type { DaemonContext, Principal } from '../daemon-context.js';
import { admitWsCall } from './admit-ws-call.js';
import { CredentialWatch } from './credential-watch.js';
import { describeIssues, isLegacyOp, legacyErrorFrame, legacyFrameSchemas, legacySessionIdPattern, requestIdOf, type LegacyErrorCode, type LegacyRequestId } from './legacy-frames.js';
import { recordAuth } from './record-auth.js';
import { CloseCode, type WsConnection } from './ws-connection.js';

/** Options of {@link LegacySession}. */
export interface LegacySessionOptions {
  context: DaemonContext;
  connection: WsConnection;
  /** The registry id of this connection (also the MCP session of its calls). */
  id: string;
  ip: string;
  /** The caller when the upgrade carried a token (header or `token` query parameter). */
  principal: Principal | undefined;
  logger: Logger;
}

interface LegacyTool {
  name: string;
  description: string;
  inputSchema: unknown;
}

interface RunningCall {
  controller: AbortController;
  end: () => void;
}

/** Time the in-memory client allows a call beyond the tool's own limit before it gives up. */
const CLIENT_TIMEOUT_MARGIN_MS = 10_000;

/**
 * One connection speaking the original daemon's protocol (original-system.md §4): `hello`,
 * `list_tools`, `call_tool` (or `tool_call`), `cancel`, `ping`. Calls go through an MCP client
 * linked in memory to this connection's own McpServer, so tools, input validation, progress and
 * cancellation are the MCP faces' code path. Every frame sent carries `op` and `request_id`.
 *
 * The connection lives as long as its token: `rotate_token` with a fresh token for the same user
 * extends it; once a JWT's `exp` passes without one, calls are refused (`UNAUTHORIZED`), the client
 * is told, and the socket closes (4003) when its running calls have answered.
 */
export class LegacySession {
  readonly #options: LegacySessionOptions;
  #principal: Principal | undefined;
  #helloTimer: NodeJS.Timeout | undefined;
  #greeted = false;
  #watch: CredentialWatch | undefined;
  #client: Client | undefined;
  #server: McpServer | undefined;
  #toolNames: Set<string> | undefined;
  #toolList: Promise<LegacyTool[]> | undefined;
  readonly #calls = new Map<LegacyRequestId, RunningCall>();
  // Frames are handled in order (a `list_tools` right behind `hello` waits for it); a call's run is
  // not part of the chain, so `cancel` and other frames go on while it runs.
  #chain: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(options: LegacySessionOptions) {
    this.#options = options;
    this.#principal = options.principal;
    const timeoutMs = options.context.config.legacyHelloTimeoutMs;
    this.#helloTimer = setTimeout(() => {
      this.#send({ op: 'hello_ack', request_id: null, ok: false, error: 'missing_hello', message: `no hello within ${timeoutMs} ms (EXAI_WS_HELLO_TIMEOUT_MS)` });
      options.connection.close(CloseCode.missingHello, 'missing hello');
    }, timeoutMs);
    this.#helloTimer.unref();
  }

  /** A text frame from the client. */
  receive(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch (error) {
      this.#send(legacyErrorFrame(null, 'INVALID_REQUEST', `invalid JSON: ${(error as Error).message}`));
      this.#options.connection.close(CloseCode.invalidJson, 'invalid JSON');
      return;
    }
    this.#chain = this.#chain
      .then(() => this.#handle(frame))
      .catch((error: unknown) => {
        this.#options.logger.error({ err: error }, 'legacy WebSocket frame failed');
        this.#send(legacyErrorFrame(isRecord(frame) ? requestIdOf(frame) : null, 'INTERNAL_ERROR', 'internal error'));
      });
  }

  /** Tells the client the server is shutting down; running calls go on until they finish. */
  drain(message: string): void {
    this.#send({ op: 'shutdown', request_id: null, message });
  }

  /** Fails the calls still running (shutdown deadline) and aborts them. */
  abortCalls(message: string): void {
    for (const [requestId, call] of [...this.#calls]) {
      this.#calls.delete(requestId);
      call.controller.abort(new Error(message));
      call.end();
      this.#send(legacyErrorFrame(requestId, 'SERVICE_UNAVAILABLE', message, 5_000));
    }
  }

  /** The socket closed: abort what runs (the upstream requests with it) and let go of the MCP pair. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#helloTimer);
    for (const call of this.#calls.values()) {
      call.controller.abort(new Error('the client disconnected'));
      call.end();
    }
    this.#calls.clear();
    this.#watch?.stop();
    void this.#client?.close().catch(() => undefined);
    void this.#server?.close().catch(() => undefined);
  }

  async #handle(frame: unknown): Promise<void> {
    if (this.#closed) return;
    if (!isRecord(frame) || typeof frame['op'] !== 'string') {
      this.#send(legacyErrorFrame(isRecord(frame) ? requestIdOf(frame) : null, 'INVALID_REQUEST', 'a frame is a JSON object with an "op" (hello, list_tools, call_tool, tool_call, cancel, rotate_token, ping)'));
      return;
    }
    const op = frame['op'];
    if (!isLegacyOp(op)) {
      this.#send(legacyErrorFrame(requestIdOf(frame), 'INVALID_REQUEST', `unknown op "${op}" (hello, list_tools, call_tool, tool_call, cancel, rotate_token, ping)`));
      return;
    }
    if (op === 'ping') {
      const ping = legacyFrameSchemas.ping.safeParse(frame);
      this.#send({ op: 'pong', request_id: ping.success ? (ping.data.request_id ?? null) : null, timestamp: Date.now() / 1000 });
      return;
    }
    if (op === 'hello') return this.#hello(frame);
    if (!this.#greeted) {
      this.#send(legacyErrorFrame(requestIdOf(frame), 'UNAUTHORIZED', 'send hello first'));
      return;
    }
    switch (op) {
      case 'list_tools':
        return this.#listTools(frame);
      case 'call_tool':
      case 'tool_call':
        return this.#callTool(op, frame);
      case 'cancel':
        return this.#cancel(frame);
      case 'rotate_token':
        return this.#rotateToken(frame);
    }
  }

  async #hello(frame: Record<string, unknown>): Promise<void> {
    const parsed = legacyFrameSchemas.hello.safeParse(frame);
    const requestId = requestIdOf(frame);
    if (!parsed.success) {
      this.#send({ op: 'hello_ack', request_id: requestId, ok: false, error: 'invalid_request', message: describeIssues(parsed.error) });
      return;
    }
    if (this.#greeted) {
      this.#send(legacyErrorFrame(requestId, 'INVALID_REQUEST', 'hello was already accepted on this connection'));
      return;
    }
    const hello = parsed.data;
    const { context, connection, ip } = this.#options;
    if (hello.session_id !== undefined && !legacySessionIdPattern.test(hello.session_id)) {
      this.#send({ op: 'hello_ack', request_id: requestId, ok: false, error: 'invalid_session_id', message: 'session_id must be 3-64 characters of A-Z, a-z, 0-9, _ and -' });
      return;
    }
    // A token at the upgrade (header or query) already authenticated the connection.
    if (this.#principal === undefined) {
      const token = hello.token || hello.jwt || undefined;
      try {
        this.#principal = await context.auth.verifyToken(token);
        recordAuth(context, { face: 'legacy-websocket', ip, credential: token === undefined ? 'none' : 'hello', principal: this.#principal });
      } catch (error) {
        recordAuth(context, { face: 'legacy-websocket', ip, credential: token === undefined ? 'none' : 'hello', error });
        const message = AuthError.isInstance(error) ? error.message : 'the token could not be verified';
        this.#send({ op: 'hello_ack', request_id: requestId, ok: false, error: 'unauthorized', message });
        connection.close(CloseCode.unauthorized, 'unauthorized');
        return;
      }
    }
    if (this.#closed) return;
    const principal = this.#principal;
    const server = context.createMcpServer(principal, { sessionId: this.#options.id, transport: 'legacy-websocket' });
    const client = new Client({ name: 'exai-legacy-websocket', version: context.version });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    this.#server = server;
    this.#client = client;
    if (this.#closed) {
      await client.close().catch(() => undefined);
      return;
    }
    clearTimeout(this.#helloTimer);
    this.#greeted = true;
    context.sessions.open({ id: this.#options.id, userId: principal.userId, subject: principal.subject, transport: 'legacy-websocket', ip });
    // The original generated a 256-bit id when the client named none.
    const sessionId = hello.session_id ?? randomBytes(32).toString('hex');
    this.#options.logger.info({ sessionId, user: principal.subject }, 'legacy WebSocket client said hello');
    this.#send({ op: 'hello_ack', request_id: requestId, ok: true, session_id: sessionId });
    this.#watch = new CredentialWatch(principal, { onLapse: (expiredAt) => this.#lapse(expiredAt) });
  }

  /**
   * `rotate_token {new}` (the original accepted the frame and did nothing): a fresh token for the
   * same user replaces the connection's, and its expiry applies from now on. `old` is not needed:
   * the connection already proves the current credential. Refused tokens leave the current one in
   * place (`ok: false`).
   */
  async #rotateToken(frame: Record<string, unknown>): Promise<void> {
    const parsed = legacyFrameSchemas.rotate_token.safeParse(frame);
    const requestId = requestIdOf(frame);
    if (!parsed.success) return void this.#send(legacyErrorFrame(requestId, 'INVALID_REQUEST', describeIssues(parsed.error)));
    const { context, ip } = this.#options;
    const current = this.#principal as Principal;
    let next: Principal;
    try {
      next = await context.auth.verifyToken(parsed.data.new);
      recordAuth(context, { face: 'legacy-websocket', ip, credential: 'rotate_token', principal: next });
    } catch (error) {
      recordAuth(context, { face: 'legacy-websocket', ip, credential: 'rotate_token', error });
      const message = AuthError.isInstance(error) ? error.message : 'the token could not be verified';
      return void this.#send({ op: 'rotate_token_ack', request_id: requestId, ok: false, error: 'unauthorized', message: `${message}; the current token stays in use` });
    }
    if (this.#closed) return;
    if (next.userId !== current.userId) {
      return void this.#send({ op: 'rotate_token_ack', request_id: requestId, ok: false, error: 'subject_mismatch', message: `the new token is for ${next.subject}, this connection is ${current.subject}'s; the current token stays in use` });
    }
    this.#principal = next;
    this.#watch?.renew(next);
    this.#options.logger.info({ user: next.subject, expiresAt: this.#watch?.expiresAt }, 'legacy WebSocket client rotated its token');
    this.#send({ op: 'rotate_token_ack', request_id: requestId, ok: true, expires_at: this.#watch?.expiresAt?.toISOString() ?? null });
  }

  /** The token expired without a rotation: say so, and close once the running calls have answered (unless a rotation comes first). */
  #lapse(expiredAt: Date): void {
    const { connection, logger } = this.#options;
    logger.info({ user: this.#principal?.subject, expiredAt }, 'token expired: the WebSocket closes once its running calls have answered');
    this.#send(legacyErrorFrame(null, 'UNAUTHORIZED', `the token of this connection expired at ${expiredAt.toISOString()}: send rotate_token with a fresh token, or reconnect`));
    void connection.whenSettled().then(() => {
      if (this.#watch?.lapsed) connection.close(CloseCode.unauthorized, 'token expired');
    });
  }

  async #listTools(frame: Record<string, unknown>): Promise<void> {
    const parsed = legacyFrameSchemas.list_tools.safeParse(frame);
    const requestId = requestIdOf(frame);
    if (!parsed.success) {
      this.#send(legacyErrorFrame(requestId, 'INVALID_REQUEST', describeIssues(parsed.error)));
      return;
    }
    const tools = await this.#tools();
    this.#send({ op: 'list_tools_res', request_id: requestId, tools, timestamp: Date.now() / 1000 });
  }

  /** The connection's tools, listed once: a connection's McpServer keeps the same tools for its life. */
  #tools(): Promise<LegacyTool[]> {
    this.#toolList ??= (this.#client as Client).listTools().then(({ tools }) => {
      this.#toolNames = new Set(tools.map((tool) => tool.name));
      return tools.map((tool) => ({ name: tool.name, description: tool.description ?? '', inputSchema: tool.inputSchema }));
    });
    this.#toolList.catch(() => (this.#toolList = undefined));
    return this.#toolList;
  }

  async #callTool(op: 'call_tool' | 'tool_call', frame: Record<string, unknown>): Promise<void> {
    const requestId = requestIdOf(frame);
    let name: string;
    let args: Record<string, unknown>;
    if (op === 'call_tool') {
      const parsed = legacyFrameSchemas.call_tool.safeParse(frame);
      if (!parsed.success) return void this.#send(legacyErrorFrame(requestId, 'INVALID_REQUEST', describeIssues(parsed.error)));
      name = parsed.data.name;
      args = parsed.data.arguments ?? {};
    } else {
      const parsed = legacyFrameSchemas.tool_call.safeParse(frame);
      if (!parsed.success) return void this.#send(legacyErrorFrame(requestId, 'INVALID_REQUEST', describeIssues(parsed.error)));
      name = parsed.data.tool.name;
      args = parsed.data.arguments ?? {};
    }
    const id = requestId as LegacyRequestId;
    if (this.#calls.has(id)) return void this.#send(legacyErrorFrame(id, 'INVALID_REQUEST', `a call with request_id ${JSON.stringify(id)} is already running on this connection`));
    const names = this.#toolNames ?? new Set((await this.#tools()).map((tool) => tool.name));
    if (!names.has(name) && !names.has(canonicalToolName(name))) return void this.#send(legacyErrorFrame(id, 'TOOL_NOT_FOUND', `unknown tool "${name}" (list_tools lists the tools)`));
    const { context, connection, ip } = this.#options;
    if (this.#watch?.lapsed) return void this.#send(legacyErrorFrame(id, 'UNAUTHORIZED', `the token of this connection expired at ${this.#watch.expiresAt?.toISOString()}: send rotate_token with a fresh token, or reconnect`));
    const refusal = await admitWsCall(context, this.#principal as Principal, ip);
    if (refusal) {
      this.#send(legacyErrorFrame(id, refusal.limit === 'draining' ? 'SERVICE_UNAVAILABLE' : 'OVER_CAPACITY', refusal.message, refusal.retryAfterMs));
      return;
    }
    if (this.#closed) return;
    const call: RunningCall = { controller: new AbortController(), end: connection.beginWork() };
    this.#calls.set(id, call);
    const timeoutMs = context.config.exai.timeouts.toolMs;
    this.#send({ op: 'call_tool_ack', request_id: id, timeout_ms: timeoutMs });
    void this.#run(id, call, name, args, timeoutMs);
  }

  /**
   * Runs a call as the original daemon answered one: the model's text as it streams in
   * `stream_chunk` frames, then `stream_complete`; a `progress` frame every
   * `EXAI_WS_PROGRESS_INTERVAL_MS` while it runs (clients use it to keep their deadline); then the
   * `call_tool_res` (or the error frame). A cancelled call sends nothing more.
   */
  async #run(requestId: LegacyRequestId, call: RunningCall, name: string, args: Record<string, unknown>, timeoutMs: number): Promise<void> {
    const started = Date.now();
    const live = (): boolean => this.#calls.get(requestId) === call;
    let streamed = false;
    const heartbeat = setInterval(() => {
      if (!live()) return;
      const elapsedMs = Date.now() - started;
      this.#send({ op: 'progress', request_id: requestId, message: `${name}: running for ${Math.round(elapsedMs / 1000)} s`, elapsed_ms: elapsedMs });
    }, this.#options.context.config.legacyProgressIntervalMs);
    heartbeat.unref();
    const finishStream = (): void => {
      if (streamed) this.#send({ op: 'stream_complete', request_id: requestId });
    };
    try {
      const result = (await (this.#client as Client).callTool({ name, arguments: args }, undefined, {
        signal: call.controller.signal,
        // The SDK client puts a progress token on the request, so streamed model output comes back as progress.
        onprogress: (progress: Progress) => {
          if (!live() || !progress.message) return;
          streamed = true;
          this.#send({ op: 'stream_chunk', request_id: requestId, chunk: progress.message, timestamp: Date.now() / 1000 });
        },
        timeout: timeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
      })) as CallToolResult;
      if (!live()) return;
      finishStream();
      this.#send(resultFrame(requestId, result, Date.now() - started));
    } catch (error) {
      if (!live()) return;
      finishStream();
      const { code, message } = errorOf(error);
      if (code === 'INTERNAL_ERROR') this.#options.logger.error({ err: error, tool: name }, 'legacy WebSocket call failed');
      this.#send(legacyErrorFrame(requestId, code, message));
    } finally {
      clearInterval(heartbeat);
      if (live()) this.#calls.delete(requestId);
      call.end();
    }
  }

  #cancel(frame: Record<string, unknown>): void {
    const parsed = legacyFrameSchemas.cancel.safeParse(frame);
    if (!parsed.success) return void this.#send(legacyErrorFrame(requestIdOf(frame), 'INVALID_REQUEST', describeIssues(parsed.error)));
    const requestId = parsed.data.request_id;
    const call = this.#calls.get(requestId);
    if (!call) return void this.#send(legacyErrorFrame(requestId, 'NOT_FOUND', `no call with request_id ${JSON.stringify(requestId)} is running`));
    this.#calls.delete(requestId);
    // Aborting the client's request sends notifications/cancelled: the tool's signal aborts, and the
    // router aborts the provider request with it.
    call.controller.abort(new Error('cancelled by the client'));
    call.end();
    this.#send({ op: 'cancelled', request_id: requestId });
  }

  #send(frame: Record<string, unknown>): void {
    this.#options.connection.send(JSON.stringify(frame));
  }
}

function resultFrame(requestId: LegacyRequestId, result: CallToolResult, latencyMs: number): Record<string, unknown> {
  const structured = result.structuredContent;
  const metadata = { ...(isRecord(structured?.['metadata']) ? structured['metadata'] : {}), latency_ms: latencyMs };
  const outputs = result.content.map((item, index) => ({
    type: 'text',
    text: item.type === 'text' ? item.text : JSON.stringify(item),
    ...(index === 0 ? { metadata } : {}),
  }));
  return { op: 'call_tool_res', request_id: requestId, outputs, ...(structured ? { structured } : {}), is_error: result.isError === true };
}

function errorOf(error: unknown): { code: LegacyErrorCode; message: string } {
  if (error instanceof McpError) {
    if (error.code === ErrorCode.RequestTimeout) return { code: 'TIMEOUT', message: 'the call took longer than the tool time limit (EXAI_TOOL_TIMEOUT_MS)' };
    if (error.code === ErrorCode.InvalidParams) return { code: 'INVALID_REQUEST', message: error.message };
    if (error.code === ErrorCode.ConnectionClosed) return { code: 'SERVICE_UNAVAILABLE', message: 'the call was interrupted; retry' };
  }
  return { code: 'INTERNAL_ERROR', message: 'internal error' };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
