import { InvalidRequestError, ProviderUnavailableError, type CallOptions, type SearchRecency, type WebSearchResult } from '@exai/router/spec';
import { DEFAULT_GLM_SEARCH_ENGINE } from './build-glm-request.js';
import { GLM_PROVIDER_ID, type GlmClient } from './glm-client.js';
import { glmWebSearchResponseSchema } from './glm-wire.js';
import { mapGlmError } from './map-glm-error.js';
import { mapWebSearchResults } from './map-web-search-results.js';

/** A query to GLM's standalone Web Search API (`POST /web_search`, provider-wire.md §1.7). */
export interface GlmWebSearchRequest {
  /** What to search for (required). */
  query: string;
  /** Number of results, 1–50 (GLM's default: 10). */
  count?: number;
  recency?: SearchRecency;
  /** Restrict results to this domain. */
  domainFilter?: string;
  /** `medium` (≈400–600 characters per result) or `high` (≈2,500). */
  contentSize?: 'medium' | 'high';
  /** Defaults to `search-prime` (z.ai); bigmodel.cn uses `search_std`, `search_pro`, … */
  searchEngine?: string;
  /** Ask GLM to recognise the search intent first. */
  searchIntent?: boolean;
  /** Your id for the request, 6–64 characters. */
  requestId?: string;
  /** End-user id, 6–128 characters. */
  userId?: string;
}

/** GLM's reading of the query's intent. */
export interface GlmWebSearchIntent {
  query: string;
  /** Such as `SEARCH_ALWAYS`. */
  intent: string;
  keywords: string;
}

/** The answer of `POST /web_search`; missing fields are left out or empty. */
export interface GlmWebSearchResponse {
  id?: string;
  /** Unix seconds. */
  created?: number;
  requestId?: string;
  intents: GlmWebSearchIntent[];
  results: WebSearchResult[];
}

/** Runs one standalone web search. Rejects with a `ProviderError` (1113 when the balance is empty). */
export async function glmWebSearch(client: GlmClient, request: GlmWebSearchRequest, options?: CallOptions): Promise<GlmWebSearchResponse> {
  const body = buildWebSearchBody(request);
  let raw: unknown;
  try {
    raw = await client.sdk().post('/web_search', { body, ...client.requestOptions(options) });
  } catch (error) {
    throw mapGlmError(error, { operation: 'web_search', signal: options?.signal, timeoutMs: client.timeoutMs });
  }
  const parsed = glmWebSearchResponseSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderUnavailableError({ provider: GLM_PROVIDER_ID, cause: parsed.error, message: 'GLM returned a web search response exai could not read: retry the call' });
  }
  const response: GlmWebSearchResponse = {
    intents: (parsed.data.search_intent ?? []).map((intent) => ({ query: intent.query ?? '', intent: intent.intent ?? '', keywords: intent.keywords ?? '' })),
    results: mapWebSearchResults(parsed.data.search_result),
  };
  if (parsed.data.id) response.id = parsed.data.id;
  if (parsed.data.created !== undefined) response.created = parsed.data.created;
  if (parsed.data.request_id) response.requestId = parsed.data.request_id;
  return response;
}

function buildWebSearchBody(request: GlmWebSearchRequest): Record<string, unknown> {
  if (typeof request.query !== 'string' || request.query.trim() === '') throw invalid('web search needs a non-empty query');
  if (request.count !== undefined && (!Number.isInteger(request.count) || request.count < 1 || request.count > 50)) {
    throw invalid(`web search count must be an integer from 1 to 50; got ${request.count}`);
  }
  checkLength('requestId', request.requestId, 6, 64);
  checkLength('userId', request.userId, 6, 128);
  const body: Record<string, unknown> = { search_engine: request.searchEngine ?? DEFAULT_GLM_SEARCH_ENGINE, search_query: request.query };
  if (request.count !== undefined) body['count'] = request.count;
  if (request.recency) body['search_recency_filter'] = request.recency;
  if (request.domainFilter) body['search_domain_filter'] = request.domainFilter;
  if (request.contentSize) body['content_size'] = request.contentSize;
  if (request.searchIntent !== undefined) body['search_intent'] = request.searchIntent;
  if (request.requestId) body['request_id'] = request.requestId;
  if (request.userId) body['user_id'] = request.userId;
  return body;
}

function checkLength(name: string, value: string | undefined, min: number, max: number): void {
  if (value !== undefined && (value.length < min || value.length > max)) {
    throw invalid(`web search ${name} must be ${min}–${max} characters; got ${value.length}`);
  }
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError({ provider: GLM_PROVIDER_ID, message });
}
