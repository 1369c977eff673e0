import type { CallOptions, ChatMessage, FunctionTool } from '@exai/router/spec';
import { callKimi } from './call-kimi.js';
import { convertMessages } from './convert-messages.js';
import { invalidRequest } from './invalid-request.js';
import { sdkRequestOptions, type KimiContext } from './kimi-context.js';
import { kimiModelTraits } from './kimi-model-traits.js';
import { kimiCacheSchema } from './kimi-wire.js';
import { parseWire } from './parse-wire.js';
import { convertTools } from './convert-tools.js';

/** A legacy context cache to create (provider-wire.md §2.8; moonshot-v1 models only). */
export interface KimiCacheRequest {
  /** `moonshot-v1` or one of `moonshot-v1-*`. */
  modelId: string;
  /** The shared prefix to cache. */
  messages: ChatMessage[];
  tools?: FunctionTool[];
  name?: string;
  ttlSeconds: number;
}

/** A created context cache; use its `id` as `providerOptions.kimi.cacheId`. */
export interface KimiCache {
  id: string;
  status: string | undefined;
  /** Tokens the cache holds, when reported. */
  tokens: number | undefined;
  /** Unix seconds. */
  expiredAt: number | undefined;
}

/**
 * `POST /caching`. K2 models cache prompt prefixes automatically (reported as cached tokens), so the
 * legacy explicit cache exists for moonshot-v1 models only.
 */
export async function createKimiCache(context: KimiContext, request: KimiCacheRequest, options?: CallOptions): Promise<KimiCache> {
  const traits = kimiModelTraits(request.modelId);
  if (!traits.legacyMoonshot) {
    throw invalidRequest(
      `Context caching works with moonshot-v1 models only, not ${request.modelId}; K2 models cache prompt prefixes automatically.`,
    );
  }
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw invalidRequest(`ttlSeconds must be a positive whole number of seconds, not ${request.ttlSeconds}.`);
  }
  const messages = convertMessages(request.messages, { modelId: request.modelId, traits, warnings: [] });
  const body = {
    model: request.modelId,
    messages,
    ...(request.tools?.length ? { tools: convertTools(request.tools) } : {}),
    ...(request.name ? { name: request.name } : {}),
    ttl: request.ttlSeconds,
  };
  return callKimi(context, { operation: 'cache create' }, options, async (client, signal) => {
    const cache = parseWire(kimiCacheSchema, await client.post('/caching', { ...sdkRequestOptions(options, signal), body }), 'cache');
    return { id: cache.id, status: cache.status ?? undefined, tokens: cache.tokens ?? undefined, expiredAt: cache.expired_at ?? undefined };
  });
}

/** `DELETE /caching/{id}`. */
export async function deleteKimiCache(context: KimiContext, id: string, options?: CallOptions): Promise<void> {
  await callKimi(context, { operation: 'cache delete', resource: `cache ${id}` }, options, (client, signal) =>
    client.delete(`/caching/${encodeURIComponent(id)}`, sdkRequestOptions(options, signal)),
  );
}
