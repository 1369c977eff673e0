import { afterEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import type { GlmWebSearchOutput } from './glm-web-search-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('glm_web_search', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('returns structured results and sends the filters GLM expects', async () => {
    env = await startVendorSim();
    const result = await env.call('glm_web_search', { query: 'node lts schedule', count: 3, recency: 'oneWeek', domain: 'nodejs.org', content_size: 'high' });
    const output = structuredOf<GlmWebSearchOutput>(result);
    expect(output.results).toHaveLength(3);
    expect(output.results[0]).toEqual({
      title: 'Result 1 for node lts schedule',
      url: 'https://search.sim.local/node-lts-schedule/1',
      content: expect.stringContaining('node lts schedule'),
      publish_date: '2025-01-01',
    });
    expect(output.cost_usd).toBeGreaterThan(0);
    expect(textOf(result)).toContain('[1] Result 1 for node lts schedule (2025-01-01) — https://search.sim.local/node-lts-schedule/1');

    const [sent] = env.requests('POST', '/web_search');
    expect(sent?.body).toEqual({
      search_engine: 'search-prime',
      search_query: 'node lts schedule',
      count: 3,
      search_recency_filter: 'oneWeek',
      search_domain_filter: 'nodejs.org',
      content_size: 'high',
    });
    const usage = await env.storage.usage.list();
    expect(usage).toEqual([expect.objectContaining({ provider: 'glm', model: 'web_search', webSearchCalls: 1, costUsd: output.cost_usd })]);
  });

  it('names GLM_API_KEY when GLM is not configured, without any request', async () => {
    env = await startVendorSim({ glm: false });
    const result = await env.call('glm_web_search', { query: 'anything' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^GLM_API_KEY is not set; glm_web_search needs a GLM \(Z\.ai\) API key.*\[provider_not_configured\]$/);
    expect(env.sim.requests).toHaveLength(0);
  });

  it('reports a vendor failure as a tool error with its code', async () => {
    env = await startVendorSim();
    const result = await env.call('glm_web_search', { query: 'balance [[sim:error:1113]]' });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/\[quota_exhausted\]$/);
  });
});
