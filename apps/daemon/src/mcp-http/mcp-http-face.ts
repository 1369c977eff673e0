import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isInitializeRequest, isJSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import type { DaemonContext, DaemonFace, Principal } from '../daemon-context.js';
import { BodyError, clientIp, readJsonBody } from '../http-helpers.js';
import { isRefusal, type ConnectionSlot } from '../limits/daemon-limits.js';
import { limitRpcError, type LimitExceeded } from '../limits/limit-exceeded.js';
import { auditAuthSuccess, authenticateHttpRequest, bearerChallenge } from './authenticate-http-request.js';
import { McpHttpSession } from './mcp-http-session.js';
import { sendJsonRpcError, type JsonRpcId } from './send-json-rpc-error.js';

/** The path of the Streamable HTTP endpoint. */
export const MCP_HTTP_PATH = '/mcp';

const SESSION_HEADER = 'mcp-session-id';
const methods = new Set(['POST', 'GET', 'DELETE']);

/**
 * MCP over Streamable HTTP at `/mcp` (spec 2025-11-25, stateful): POST (initialize opens a session
 * with its own McpServer), GET (the server-to-client SSE stream), DELETE (ends the session).
 *
 * Every request passes, in order: Origin and Host validation (403), authentication (401), the
 * session lookup (a session is bound to its user: another user's token gets the same 404 as an
 * unknown id), the body size limit (413), and, for `tools/call`, draining (503) and the rate limits
 * (429 with `Retry-After`), before the SDK transport sees it. Sessions idle for `EXAI_IDLE_TIMEOUT_MS`
 * (no request being answered) are closed.
 */
export function createMcpHttpFace(context: DaemonContext): DaemonFace {
  const sessions = new Map<string, McpHttpSession>();
  const logger = context.logger.child({ face: 'mcp-http' });

  const refuse = (response: ServerResponse, status: number, refusal: LimitExceeded, ids: readonly JsonRpcId[], batch: boolean): void => {
    sendJsonRpcError(response, status, limitRpcError(refusal), { ids, batch, headers: { 'retry-after': Math.max(1, Math.ceil(refusal.retryAfterMs / 1000)) } });
  };

  /** Opens a session holding one of the connection slots (EXAI_MAX_CONNECTIONS, per IP too) until it closes. */
  const openSession = async (principal: Principal, ip: string, request: IncomingMessage, response: ServerResponse, body: unknown, slot: ConnectionSlot): Promise<void> => {
    const id = randomUUID();
    const session = await McpHttpSession.open({
      id,
      principal,
      idleTimeoutMs: context.config.idleTimeoutMs,
      logger,
      createServer: () => context.createMcpServer(principal, { sessionId: id, transport: 'http' }),
      onInitialized: (opened) => {
        sessions.set(opened.id, opened);
        context.sessions.open({ id: opened.id, userId: principal.userId, subject: principal.subject, transport: 'http', ip });
        auditAuthSuccess(context, principal, { face: 'mcp-http', ip, sessionId: opened.id });
        logger.info({ session: opened.id, user: principal.subject, ip }, 'Streamable HTTP session opened');
      },
      onClosed: (closed, reason) => {
        slot.release();
        if (sessions.get(closed.id) !== closed) return;
        sessions.delete(closed.id);
        context.sessions.close(closed.id);
        logger.info({ session: closed.id, user: principal.subject, reason }, 'Streamable HTTP session closed');
      },
    }).catch((error: unknown) => {
      slot.release();
      throw error;
    });
    try {
      await session.handle(request, response, body);
    } finally {
      // The transport refused the initialize request (wrong Accept, bad params): nothing to keep.
      if (!session.initialized) await session.close('initialize refused');
    }
  };

  return {
    name: 'mcp-http',
    async handleRequest(request, response, url) {
      if (url.pathname !== MCP_HTTP_PATH) return false;
      const ip = clientIp(request);
      const problem = context.checkOrigin(request);
      if (problem) {
        context.audit.record({ action: 'origin_check', outcome: 'failure', ip, details: { transport: 'mcp-http', problem } });
        sendJsonRpcError(response, 403, { code: -32000, message: `Forbidden: ${problem}` });
        return true;
      }
      const method = request.method ?? 'GET';
      if (!methods.has(method)) {
        sendJsonRpcError(response, 405, { code: -32000, message: `Method not allowed: ${MCP_HTTP_PATH} takes POST, GET and DELETE` }, { headers: { allow: 'POST, GET, DELETE' } });
        return true;
      }
      const auth = await authenticateHttpRequest(context, request, { face: 'mcp-http', ip, path: url.pathname });
      if (auth.error) {
        const headers: Record<string, string> = auth.error.status === 401 ? { 'www-authenticate': bearerChallenge(auth.error) } : {};
        sendJsonRpcError(response, auth.error.status, { code: -32001, message: `${auth.error.status === 401 ? 'Unauthorized' : 'Authentication unavailable'}: ${auth.error.message}`, data: { code: auth.error.code } }, { headers });
        return true;
      }
      const principal = auth.principal;

      const header = request.headers[SESSION_HEADER];
      const sessionId = Array.isArray(header) ? header[0] : header;
      let session: McpHttpSession | undefined;
      if (sessionId !== undefined) {
        session = sessions.get(sessionId);
        // Another user's session answers exactly as an unknown one: its existence is not revealed.
        if (!session || session.closed || session.principal.userId !== principal.userId) {
          sendJsonRpcError(response, 404, { code: -32001, message: 'Session not found' });
          return true;
        }
        context.sessions.touch(session.id);
      }

      let body: unknown;
      if (method === 'POST') {
        try {
          body = await readJsonBody(request, context.config.maxMessageBytes);
        } catch (error) {
          if (!(error instanceof BodyError)) throw error;
          // `Connection: close` only when the rest of the body will not be read: otherwise readJsonBody
          // drains it, so a client still uploading reads the 413 instead of a reset.
          sendJsonRpcError(response, error.status, { code: error.status === 413 ? -32000 : -32700, message: error.status === 413 ? error.message : `Parse error: ${error.message}` }, error.closeConnection ? { headers: { connection: 'close' } } : {});
          return true;
        }
      }

      if (!session) {
        if (method !== 'POST' || !(Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body))) {
          sendJsonRpcError(response, 400, { code: -32000, message: 'Bad Request: Mcp-Session-Id header is required (send initialize first to open a session)' });
          return true;
        }
        const requestId = isJSONRPCRequest(body) ? body.id : null;
        if (context.draining) {
          refuse(response, 503, context.limits.refuseDraining('sessions'), [requestId], false);
          return true;
        }
        const slot = context.limits.admitConnection(ip);
        if (isRefusal(slot)) {
          refuse(response, 503, slot, [requestId], false);
          return true;
        }
        await openSession(principal, ip, request, response, body, slot);
        return true;
      }

      if (method === 'POST') {
        const messages = Array.isArray(body) ? body : [body];
        const calls = messages.filter((message) => isJSONRPCRequest(message) && message.method === 'tools/call').map((message) => (message as { id: JsonRpcId }).id);
        if (calls.length > 0) {
          const ids = messages.filter(isJSONRPCRequest).map((message) => message.id);
          if (context.draining) {
            refuse(response, 503, context.limits.refuseDraining('calls'), ids, Array.isArray(body));
            return true;
          }
          for (let index = 0; index < calls.length; index++) {
            const refusal = await context.limits.admitCall(principal, ip);
            if (refusal) {
              refuse(response, 429, refusal, ids, Array.isArray(body));
              return true;
            }
          }
        }
      }
      await session.handle(request, response, body);
      return true;
    },
    async close() {
      const open = [...sessions.values()];
      await Promise.all(open.map((session) => session.close('server shutting down')));
      sessions.clear();
    },
  };
}
