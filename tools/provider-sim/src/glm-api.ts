import type { VendorErrors } from './common-faults.js';
import type { Exchange } from './exchange.js';
import { glmChat } from './glm-chat.js';
import { glmError, glmStatusError, type WireError } from './glm-errors.js';
import { glmFileById, glmListFiles, glmUploadFile } from './glm-files.js';
import { glmWebSearchResponse } from './glm-web-search.js';
import { respondJson } from './http-io.js';
import { bearerToken, type SimState } from './state.js';

/** GLM's error bodies for fault markers (provider-wire.md §1.9). */
export const glmErrors: VendorErrors = {
  error: (code) => glmError(code),
  status: (status) => glmStatusError(status),
};

/** 401 with code 1001 without a bearer token, 1002 for a rejected key (§1.9); undefined when accepted. */
export function glmAuthError(exchange: Exchange, state: SimState): WireError | undefined {
  const key = bearerToken(exchange.req.headers.authorization);
  if (!key) return glmError('1001');
  return state.acceptsKey('glm', key) ? undefined : glmError('1002');
}

const fileRoute = /^\/files\/([^/]+)(\/content)?$/;

/** Routes a GLM request (below `/api/paas/v4` or `/api/coding/paas/v4`). */
export function glmHandle(exchange: Exchange, state: SimState): Promise<void> {
  const { route } = exchange;
  const method = exchange.req.method;
  if (exchange.malformed) return respondJson(exchange, 400, glmError('1210').body);
  if (method === 'POST' && route === '/chat/completions') return glmChat(exchange, state);
  if (method === 'POST' && route === '/web_search') {
    const result = glmWebSearchResponse(exchange.body);
    return respondJson(exchange, result.status, result.body);
  }
  if (route === '/files') {
    if (method === 'POST') return glmUploadFile(exchange, state);
    if (method === 'GET') return glmListFiles(exchange, state);
  }
  const file = fileRoute.exec(route);
  if (file && (method === 'GET' || (method === 'DELETE' && !file[2]))) {
    return glmFileById(exchange, state, decodeURIComponent(file[1] ?? ''), file[2] !== undefined);
  }
  const notFound = glmStatusError(404);
  return respondJson(exchange, notFound.status, notFound.body);
}
