import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, QuotaExhaustedError } from '@exai/router/spec';
import { createGlm } from './glm-provider.js';
import { createFixtureFetch, jsonFixture, jsonResponse, type FixtureResponder } from './test-support/fixture-fetch.js';

function setup(responder: FixtureResponder = () => jsonResponse(jsonFixture('web-search.json'))) {
  const { fetch, calls } = createFixtureFetch(responder);
  return { glm: createGlm({ apiKey: 'test-key', baseURL: 'https://glm.test/api/paas/v4', fetch }), calls };
}

describe('GlmProvider.webSearch (POST /web_search, §1.7)', () => {
  it('sends every option under its GLM name and maps a response with missing fields', async () => {
    const { glm, calls } = setup();
    const response = await glm.webSearch({
      query: 'When did Node.js 24 become LTS?',
      count: 3,
      recency: 'oneMonth',
      domainFilter: 'nodejs.org',
      contentSize: 'medium',
      searchIntent: true,
      requestId: 'exai-ws-000123',
      userId: 'user-42-abc',
    });
    expect(calls[0]!.url.href).toBe('https://glm.test/api/paas/v4/web_search');
    expect(calls[0]!.method).toBe('POST');
    expect(calls[0]!.body).toEqual({
      search_engine: 'search-prime',
      search_query: 'When did Node.js 24 become LTS?',
      count: 3,
      search_recency_filter: 'oneMonth',
      search_domain_filter: 'nodejs.org',
      content_size: 'medium',
      search_intent: true,
      request_id: 'exai-ws-000123',
      user_id: 'user-42-abc',
    });
    expect(response).toEqual({
      id: '20250526201557b9f3e2c1d0a49876',
      created: 1748261757,
      requestId: 'exai-ws-000123',
      intents: [{ query: 'When did Node.js 24 become LTS?', intent: 'SEARCH_ALWAYS', keywords: 'node.js 24 lts' }],
      results: [
        {
          title: 'Node.js v24.11.0 (LTS)',
          url: 'https://nodejs.org/en/blog/release/v24.11.0',
          content: "Node.js 24 'Krypton' was promoted to Long-Term Support on 28 October 2025.",
          publishDate: '2025-10-28',
          refer: 'ref_1',
          media: 'Node.js',
          icon: 'https://nodejs.org/favicon.ico',
        },
        { title: 'nodejs/release', url: 'https://github.com/nodejs/release' },
        { title: '', url: '', content: 'No link here' },
      ],
    });
  });

  it('uses another search engine when asked and tolerates an empty answer', async () => {
    const { glm, calls } = setup(() => jsonResponse({}));
    const response = await glm.webSearch({ query: 'x', searchEngine: 'search_std' });
    expect((calls[0]!.body as Record<string, unknown>)['search_engine']).toBe('search_std');
    expect(response).toEqual({ intents: [], results: [] });
  });

  it.each([
    ['an empty query', { query: ' ' }],
    ['count 0', { query: 'x', count: 0 }],
    ['count 51', { query: 'x', count: 51 }],
    ['a short requestId', { query: 'x', requestId: 'abc' }],
    ['a short userId', { query: 'x', userId: 'u1' }],
  ])('refuses %s before sending', async (_name, request) => {
    const { glm, calls } = setup();
    await expect(glm.webSearch(request)).rejects.toBeInstanceOf(InvalidRequestError);
    expect(calls).toHaveLength(0);
  });

  it('maps an empty balance (429, 1113) to QuotaExhaustedError', async () => {
    const { glm } = setup(() => jsonResponse({ error: { code: '1113', message: 'Insufficient balance or no resource package. Please recharge.' } }, { status: 429 }));
    const error = await glm.webSearch({ query: 'x' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect(error).toMatchObject({ status: 429, vendorCode: '1113' });
  });
});
