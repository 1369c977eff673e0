import type { VendorErrors } from './common-faults.js';
import type { Exchange } from './exchange.js';
import type { WireError } from './glm-errors.js';
import { respondJson } from './http-io.js';
import { kimiBalance, kimiEstimateTokens, kimiListModels } from './kimi-account.js';
import { kimiCreateCache, kimiDeleteCache } from './kimi-caching.js';
import { kimiChat } from './kimi-chat.js';
import { kimiError, kimiInvalid, kimiQuotaError, kimiRateLimit, kimiStatusError } from './kimi-errors.js';
import { kimiFileById, kimiListFiles, kimiUploadFile } from './kimi-files.js';
import { bearerToken, type SimState } from './state.js';

/** Kimi's error bodies for fault markers (provider-wire.md §2.9). */
export function kimiErrors(state: SimState): VendorErrors {
  return {
    error: (type, plan, exchange) => {
      if (type === 'rate_limit_reached_error') return kimiRateLimit(plan.retryAfter ?? 1);
      if (type === 'exceeded_current_quota_error') return kimiQuotaError(Math.min(state.kimiBalance, 0));
      if (type === 'resource_not_found_error') {
        const body = exchange.body as { model?: unknown } | undefined;
        return kimiError(type, `Not found the model ${String(body?.model ?? '')} or Permission denied`);
      }
      return kimiError(type);
    },
    status: (status) => kimiStatusError(status),
  };
}

/** 401 `invalid_authentication_error` for a missing or rejected key (§2.9); undefined when accepted. */
export function kimiAuthError(exchange: Exchange, state: SimState): WireError | undefined {
  const key = bearerToken(exchange.req.headers.authorization);
  return key && state.acceptsKey('kimi', key) ? undefined : kimiError('invalid_authentication_error');
}

const fileRoute = /^\/files\/([^/]+)(\/content)?$/;
const cacheRoute = /^\/caching\/([^/]+)$/;

/** Routes a Kimi request (below `/v1`). */
export function kimiHandle(exchange: Exchange, state: SimState): Promise<void> {
  const { route } = exchange;
  const method = exchange.req.method;
  if (exchange.malformed) {
    const error = kimiInvalid('Invalid request: the body is not valid JSON');
    return respondJson(exchange, error.status, error.body);
  }
  if (method === 'POST' && route === '/chat/completions') return kimiChat(exchange, state);
  if (method === 'POST' && route === '/tokenizers/estimate-token-count') return kimiEstimateTokens(exchange);
  if (method === 'GET' && route === '/users/me/balance') return kimiBalance(exchange, state);
  if (method === 'GET' && route === '/models') return kimiListModels(exchange);
  if (method === 'POST' && route === '/caching') return kimiCreateCache(exchange, state);
  const cache = cacheRoute.exec(route);
  if (cache && method === 'DELETE') return kimiDeleteCache(exchange, state, decodeURIComponent(cache[1] ?? ''));
  if (route === '/files') {
    if (method === 'POST') return kimiUploadFile(exchange, state);
    if (method === 'GET') return kimiListFiles(exchange, state);
  }
  const file = fileRoute.exec(route);
  if (file && (method === 'GET' || (method === 'DELETE' && !file[2]))) {
    return kimiFileById(exchange, state, decodeURIComponent(file[1] ?? ''), file[2] !== undefined);
  }
  const notFound = kimiError('resource_not_found_error', `Not found: ${method ?? ''} ${exchange.path}`);
  return respondJson(exchange, notFound.status, notFound.body);
}
