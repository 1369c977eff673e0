import type { Exchange } from './exchange.js';
import { isRecord, respondJson } from './http-io.js';
import { alnum, unixSeconds } from './ids.js';
import { kimiError, kimiInvalid } from './kimi-errors.js';
import { kimiPromptTokens } from './kimi-validate.js';
import { messagesOf } from './messages.js';
import type { SimState } from './state.js';

/**
 * `POST /caching` (legacy context caching, moonshot-v1 only, provider-wire.md §2.8). The cache's
 * tokens are reported as cached when a chat starts with `{role:"cache",content:"cache_id=…"}`.
 */
export function kimiCreateCache(exchange: Exchange, state: SimState): Promise<void> {
  const body = exchange.body;
  const messages = messagesOf(body);
  if (!isRecord(body) || typeof body.model !== 'string' || !body.model.startsWith('moonshot-v1')) {
    const error = kimiInvalid('Invalid request: context caching is only supported by moonshot-v1 models');
    return respondJson(exchange, error.status, error.body);
  }
  if (!messages || messages.length === 0) {
    const error = kimiInvalid('Invalid request: messages must not be empty');
    return respondJson(exchange, error.status, error.body);
  }
  const tokens = kimiPromptTokens(messages, body.tools);
  const id = `cache-${alnum(20)}`;
  const ttl = typeof body.ttl === 'number' ? body.ttl : 3600;
  const created = unixSeconds();
  state.kimiContextCaches.set(id, { id, model: body.model, chars: tokens * 4, tokens });
  return respondJson(exchange, 200, {
    id,
    object: 'context_cache_object',
    created_at: created,
    expired_at: created + ttl,
    model: body.model,
    name: typeof body.name === 'string' ? body.name : '',
    description: typeof body.description === 'string' ? body.description : '',
    status: 'ready',
    tokens,
    ttl,
  });
}

/** `DELETE /caching/{id}`. */
export function kimiDeleteCache(exchange: Exchange, state: SimState, id: string): Promise<void> {
  if (!state.kimiContextCaches.delete(id)) {
    const error = kimiError('resource_not_found_error', `Not found the cache ${id}`);
    return respondJson(exchange, error.status, error.body);
  }
  return respondJson(exchange, 200, { deleted: true, id, object: 'context_cache_object.deleted' });
}
