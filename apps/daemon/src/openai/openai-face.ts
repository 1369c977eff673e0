import type { DaemonContext, DaemonFace } from '../daemon-context.js';
import { clientIp, sendJson } from '../http-helpers.js';
import { authenticateHttpRequest, bearerChallenge } from '../mcp-http/authenticate-http-request.js';
import { GatewaySessions } from './gateway-sessions.js';
import { handleChatCompletion } from './handle-chat-completion.js';
import { findModel, modelList } from './model-list.js';
import { OpenAiError, sendOpenAiError } from './openai-error.js';

/**
 * The OpenAI-compatible gateway under `/v1`: `POST /v1/chat/completions` (streamed or not) and
 * `GET /v1/models` (`auto` plus every usable registry model; `GET /v1/models/{id}` for one), so any
 * OpenAI client reaches exai's routing, fallbacks, limits and accounting with a Bearer token.
 * Errors have OpenAI's shape (`{ error: { message, type, param, code } }`); Origin and Host are
 * checked as for `/mcp` (a browser page must not reach a loopback gateway through DNS rebinding).
 */
export function createOpenAiFace(context: DaemonContext): DaemonFace {
  const sessions = new GatewaySessions(context);
  const created = Math.floor(context.startedAt.getTime() / 1000);

  return {
    name: 'openai',
    async handleRequest(request, response, url) {
      const path = url.pathname.replace(/\/+$/, '');
      if (path !== '/v1' && !path.startsWith('/v1/')) return false;
      const startedAt = performance.now();
      const ip = clientIp(request);
      const problem = context.checkOrigin(request);
      if (problem) {
        context.audit.record({ action: 'origin_check', outcome: 'failure', ip, details: { transport: 'openai', problem } });
        sendOpenAiError(response, new OpenAiError({ status: 403, message: problem, type: 'permission_error', code: 'forbidden' }));
        return true;
      }
      const auth = await authenticateHttpRequest(context, request, { face: 'openai', ip, path });
      if (auth.error) {
        const unavailable = auth.error.status === 503;
        sendOpenAiError(
          response,
          new OpenAiError({ status: auth.error.status, message: auth.error.message, type: unavailable ? 'server_error' : 'invalid_request_error', code: unavailable ? auth.error.code : 'invalid_api_key' }),
          unavailable ? {} : { 'www-authenticate': bearerChallenge(auth.error) },
        );
        return true;
      }
      const principal = auth.principal;
      const method = request.method ?? 'GET';

      if (path === '/v1/chat/completions') {
        if (method !== 'POST') return notAllowed(response, method, path, 'POST');
        await handleChatCompletion({ context, sessions, principal, ip, request, response, startedAt });
        return true;
      }
      if (path === '/v1/models' || path.startsWith('/v1/models/')) {
        if (method !== 'GET' && method !== 'HEAD') return notAllowed(response, method, path, 'GET');
        if (path === '/v1/models') {
          sendJson(response, 200, modelList(context.exai.router, created));
          return true;
        }
        const name = decodeURIComponent(path.slice('/v1/models/'.length));
        const model = findModel(context.exai.router, name, created);
        if (model) sendJson(response, 200, model);
        else sendOpenAiError(response, new OpenAiError({ status: 404, message: `The model '${name}' does not exist or cannot be used here (see GET /v1/models).`, type: 'invalid_request_error', code: 'model_not_found', param: 'model' }));
        return true;
      }
      sendOpenAiError(response, new OpenAiError({ status: 404, message: `Unknown request URL: ${method} ${path}. This gateway serves POST /v1/chat/completions and GET /v1/models.`, type: 'invalid_request_error', code: 'unknown_url' }));
      return true;
    },
    async close() {
      sessions.closeAll();
    },
  };
}

function notAllowed(response: Parameters<typeof sendOpenAiError>[0], method: string, path: string, allowed: string): true {
  sendOpenAiError(response, new OpenAiError({ status: 405, message: `${method} is not allowed on ${path}; use ${allowed}.`, type: 'invalid_request_error', code: 'method_not_allowed' }), { allow: allowed });
  return true;
}
