import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { AuthError } from '../auth/auth-error.js';
import type { DaemonContext, DaemonFace, Principal } from '../daemon-context.js';
import { clientIp, sendJson } from '../http-helpers.js';
import { isRefusal, type ConnectionSlot } from '../limits/daemon-limits.js';
import { bearerChallenge } from '../mcp-http/authenticate-http-request.js';
import { LegacySession } from './legacy-session.js';
import { McpWebSocketSession } from './mcp-websocket-session.js';
import { recordAuth, type CredentialSource } from './record-auth.js';
import { refuseUpgrade } from './refuse-upgrade.js';
import { CloseCode, WsConnection } from './ws-connection.js';

/** The path both WebSocket protocols are served on. */
export const WS_PATH = '/ws';
/** The subprotocol that selects MCP (the SDK's `WebSocketClientTransport` offers it). */
export const MCP_SUBPROTOCOL = 'mcp';

interface OpenSession {
  connection: WsConnection;
  session: McpWebSocketSession | LegacySession;
}

/** How long `close()` waits for clients to complete the closing handshake before cutting them off. */
const CLOSE_WAIT_MS = 2_000;

/**
 * `/ws`: MCP over WebSocket for clients offering the `mcp` subprotocol, and the original daemon's
 * protocol for the others. Each upgrade passes, in order: draining (503), Origin and Host (403),
 * the connection limits (503 with `Retry-After`) and authentication (401 with `WWW-Authenticate`;
 * a legacy client without a header or query token authenticates in its `hello`), all before the
 * handshake. Then each connection gets its own McpServer, heartbeat, idle timeout and backpressure.
 */
export function createWebSocketFace(context: DaemonContext): DaemonFace {
  const { config } = context;
  const logger = context.logger.child({ component: 'websocket' });
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: config.maxMessageBytes,
    clientTracking: false,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(MCP_SUBPROTOCOL) ? MCP_SUBPROTOCOL : false),
  });
  const open = new Set<OpenSession>();
  let draining = false;

  // Past the shutdown deadline: fail what still runs and close, which aborts the work upstream.
  context.shutdownSignal.addEventListener(
    'abort',
    () => {
      for (const entry of open) {
        entry.session.abortCalls('the server shut down before the call finished (EXAI_SHUTDOWN_DEADLINE_MS); retry');
        entry.connection.close(CloseCode.serviceRestart, 'server shutting down');
      }
    },
    { once: true },
  );

  async function upgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    // Until ws owns the socket, a reset must not become an uncaught error.
    const onSocketError = (error: Error): void => logger.debug({ err: error }, 'socket error before the WebSocket handshake');
    socket.on('error', onSocketError);
    const ip = clientIp(request);
    const mcp = offeredProtocols(request).has(MCP_SUBPROTOCOL);
    const face = mcp ? 'websocket' : 'legacy-websocket';
    if (draining || context.draining) {
      const refusal = context.limits.refuseDraining('connections');
      refuseUpgrade(socket, 503, { code: 'draining', message: refusal.message }, { 'Retry-After': String(Math.ceil(refusal.retryAfterMs / 1000)) });
      return;
    }
    const problem = context.checkOrigin(request);
    if (problem) {
      context.audit.record({ action: 'connection', outcome: 'failure', ip, resource: WS_PATH, details: { face, reason: 'origin_or_host', problem } });
      refuseUpgrade(socket, 403, { code: 'forbidden', message: problem });
      return;
    }
    const slot = context.limits.admitConnection(ip);
    if (isRefusal(slot)) {
      context.audit.record({ action: 'connection', outcome: 'failure', ip, resource: WS_PATH, details: { face, limit: slot.limit } });
      refuseUpgrade(socket, 503, { code: slot.limit, message: slot.message }, { 'Retry-After': String(Math.max(1, Math.ceil(slot.retryAfterMs / 1000))) });
      return;
    }
    const credential: CredentialSource = request.headers.authorization !== undefined ? 'header' : url.searchParams.has('token') ? 'query' : 'none';
    let principal: Principal | undefined;
    // MCP clients authenticate at the upgrade; a legacy client may wait for its hello.
    if (mcp || credential !== 'none') {
      try {
        principal = await context.auth.authenticate(request, { allowQueryToken: true, url });
        recordAuth(context, { face, ip, credential, principal });
      } catch (error) {
        slot.release();
        recordAuth(context, { face, ip, credential, error });
        refuseAuth(socket, error);
        return;
      }
    }
    if (socket.destroyed) {
      slot.release();
      return;
    }
    // ws answers a malformed handshake (400) itself without calling back: the slot goes with the socket.
    socket.once('close', () => slot.release());
    server.handleUpgrade(request, socket, head, (ws) => {
      socket.off('error', onSocketError);
      accept(ws, { ip, principal, slot, mcp });
    });
  }

  function accept(ws: WebSocket, client: { ip: string; principal: Principal | undefined; slot: ConnectionSlot; mcp: boolean }): void {
    const id = randomUUID();
    const connectionLogger = logger.child({ connection: id, ip: client.ip, protocol: client.mcp ? 'mcp' : 'legacy' });
    let entry: OpenSession | undefined;
    const connection = new WsConnection({
      socket: ws,
      config,
      logger: connectionLogger,
      onMessage: (text) => {
        context.sessions.touch(id);
        entry?.session.receive(text);
      },
      onClose: (code, reason) => {
        client.slot.release();
        context.sessions.close(id);
        if (entry) {
          open.delete(entry);
          entry.session.closed();
        }
        connectionLogger.info({ code, reason }, 'WebSocket closed');
      },
    });
    if (client.mcp) {
      const session = new McpWebSocketSession({ context, connection, id, ip: client.ip, principal: client.principal as Principal, logger: connectionLogger });
      entry = { connection, session };
      session.start().catch((error: unknown) => {
        connectionLogger.error({ err: error }, 'MCP server could not start on the WebSocket');
        connection.close(1011, 'internal error');
      });
    } else {
      entry = { connection, session: new LegacySession({ context, connection, id, ip: client.ip, principal: client.principal, logger: connectionLogger }) };
    }
    open.add(entry);
    connectionLogger.info({ user: client.principal?.subject }, 'WebSocket opened');
    if (draining) entry.session.drain(shutdownNotice);
  }

  return {
    name: 'websocket',
    handleRequest(request, response, url) {
      if (url.pathname !== WS_PATH) return false;
      sendJson(response, 426, { error: { code: 'upgrade_required', message: `${WS_PATH} speaks WebSocket: MCP with subprotocol "mcp", or the original exai protocol without it` } }, { upgrade: 'websocket' });
      return true;
    },
    handleUpgrade(request, socket, head, url) {
      if (url.pathname !== WS_PATH) return false;
      upgrade(request, socket, head, url).catch((error: unknown) => {
        logger.error({ err: error }, 'WebSocket upgrade failed');
        refuseUpgrade(socket, 500, { code: 'internal_error', message: 'internal error' });
      });
      return true;
    },
    drain() {
      draining = true;
      for (const entry of open) entry.session.drain(shutdownNotice);
    },
    async close() {
      draining = true;
      const entries = [...open];
      // A tool's work ends (and the daemon stops waiting) just before its answer is sent: let the
      // answers go out before the close frames.
      await within(CLOSE_WAIT_MS, Promise.all(entries.map((entry) => entry.connection.whenSettled())));
      for (const entry of entries) entry.connection.close(CloseCode.goingAway, 'server shutting down');
      await within(CLOSE_WAIT_MS, Promise.all(entries.map((entry) => entry.connection.closed)));
      for (const entry of open) entry.connection.terminate();
      server.close();
    },
  };
}

const shutdownNotice = 'the server is shutting down: running calls will finish, new calls are refused; reconnect shortly';

/** Waits for `work`, at most `timeoutMs`. */
async function within(timeoutMs: number, work: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}

/** The subprotocols the client offers (`Sec-WebSocket-Protocol`, comma-separated). */
function offeredProtocols(request: IncomingMessage): Set<string> {
  const header = request.headers['sec-websocket-protocol'];
  if (!header) return new Set();
  return new Set(header.split(',').map((protocol) => protocol.trim()).filter(Boolean));
}

/** 401 (or 503 when the keys could not be fetched) with a Bearer challenge (RFC 6750 §3). */
function refuseAuth(socket: Duplex, error: unknown): void {
  if (!AuthError.isInstance(error)) {
    refuseUpgrade(socket, 500, { code: 'internal_error', message: 'authentication failed unexpectedly' });
    return;
  }
  refuseUpgrade(socket, error.status, { code: error.code, message: error.message }, error.status === 503 ? { 'Retry-After': '5' } : { 'WWW-Authenticate': bearerChallenge(error) });
}
