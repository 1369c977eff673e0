import { glmError } from './glm-errors.js';
import { isRecord } from './http-io.js';
import { glmRequestId, unixSeconds } from './ids.js';

/** One GLM search result (provider-wire.md §1.6, §1.7). */
export interface GlmSearchResult {
  title: string;
  content: string;
  link: string;
  media: string;
  icon: string;
  refer: string;
  publish_date: string;
}

function slug(query: string): string {
  return query.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'query';
}

/** Deterministic results for `query`: `count` entries, `refer` `ref_1`…`ref_<count>`. */
export function glmSearchResults(query: string, count: number): GlmSearchResult[] {
  const path = slug(query);
  const results: GlmSearchResult[] = [];
  for (let i = 1; i <= count; i++) {
    results.push({
      title: `Result ${i} for ${query}`,
      content: `Simulated search result ${i} about "${query}". It says what a page on this topic would say.`,
      link: `https://search.sim.local/${path}/${i}`,
      media: 'Sim Media',
      icon: 'https://search.sim.local/favicon.ico',
      refer: `ref_${i}`,
      publish_date: '2025-01-01',
    });
  }
  return results;
}

/** The sentence an answer built on search results ends with; it cites `[ref_1]` (§1.6). */
export function glmSearchCitation(query: string, count: number): string {
  return `\nWeb search: ${count} results for "${query}" [ref_1]`;
}

/** Handles `POST /web_search` (§1.7): the response body, or an error. */
export function glmWebSearchResponse(body: unknown): { status: number; body: unknown } {
  if (!isRecord(body) || typeof body.search_engine !== 'string' || !body.search_engine) {
    const { status, body: error } = glmError('1213', 'The search_engine parameter was not received properly.');
    return { status, body: error };
  }
  if (typeof body.search_query !== 'string' || !body.search_query) {
    const { status, body: error } = glmError('1213', 'The search_query parameter was not received properly.');
    return { status, body: error };
  }
  const count = typeof body.count === 'number' ? Math.trunc(body.count) : 10;
  if (count < 1 || count > 50) {
    const { status, body: error } = glmError('1210');
    return { status, body: error };
  }
  const id = glmRequestId();
  const query = body.search_query;
  return {
    status: 200,
    body: {
      id,
      created: unixSeconds(),
      request_id: typeof body.request_id === 'string' && body.request_id ? body.request_id : id,
      search_intent: [{ query, intent: 'SEARCH_ALWAYS', keywords: query }],
      search_result: glmSearchResults(query, count),
    },
  };
}
