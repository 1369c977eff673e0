import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { AbortedError, InvalidRequestError } from '@exai/router/spec';
import { createGlm, type GlmProvider } from './glm-provider.js';

// The standalone Web Search API and the files API against the simulator (provider-wire.md §1.7, §1.8).

let sim: Simulator;
let glm: GlmProvider;

beforeAll(async () => {
  // A small file limit lets the 435 path run without a 100 MB upload.
  sim = await startSimulator({ glmMaxFileBytes: 4096 });
  glm = createGlm({ apiKey: 'sim-key', baseURL: sim.glmBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe('GLM web search against the simulator', () => {
  it('searches with every option and maps intents and results', async () => {
    const response = await glm.webSearch({
      query: 'exai provider simulator',
      count: 4,
      recency: 'oneMonth',
      domainFilter: 'sim.local',
      contentSize: 'medium',
      searchIntent: true,
      requestId: 'exai-search-001',
      userId: 'end-user-0001',
    });
    expect(response.requestId).toBe('exai-search-001');
    expect(response.id).toMatch(/^\d{14}[0-9a-f]{16}$/);
    expect(typeof response.created).toBe('number');
    expect(response.intents).toEqual([{ query: 'exai provider simulator', intent: 'SEARCH_ALWAYS', keywords: 'exai provider simulator' }]);
    expect(response.results).toHaveLength(4);
    expect(response.results[3]).toMatchObject({ title: 'Result 4 for exai provider simulator', url: 'https://search.sim.local/exai-provider-simulator/4', refer: 'ref_4' });
    const [request] = sim.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api/paas/v4/web_search' });
    expect(request!.body).toEqual({
      search_engine: 'search-prime',
      search_query: 'exai provider simulator',
      count: 4,
      search_recency_filter: 'oneMonth',
      search_domain_filter: 'sim.local',
      content_size: 'medium',
      search_intent: true,
      request_id: 'exai-search-001',
      user_id: 'end-user-0001',
    });
  });

  it('refuses an out-of-range count before sending', async () => {
    await expect(glm.webSearch({ query: 'x', count: 60 })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(sim.requests).toHaveLength(0);
  });

  it('aborts through the caller signal', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    await expect(glm.webSearch({ query: 'x' }, { signal: controller.signal, headers: { 'x-sim-fault': 'hang' } })).rejects.toBeInstanceOf(AbortedError);
    await sim.waitFor((request) => request.aborted);
  });
});

describe('GLM files against the simulator', () => {
  it('uploads, lists, reads and deletes a file', async () => {
    const data = new TextEncoder().encode('{"custom_id":"1","body":{}}\n');
    const uploaded = await glm.files.upload({ data, filename: 'tasks.jsonl', purpose: 'batch', mimeType: 'application/jsonl' });
    expect(uploaded).toMatchObject({ filename: 'tasks.jsonl', purpose: 'batch', bytes: data.byteLength });
    expect(uploaded.id).toMatch(/^file-/);
    expect(sim.requests[0]).toMatchObject({ method: 'POST', path: '/api/paas/v4/files', body: { purpose: 'batch', filename: 'tasks.jsonl', bytes: data.byteLength } });

    const other = await glm.files.upload({ data: new TextEncoder().encode('hello'), filename: 'notes.txt', purpose: 'file-extract' });
    const batchOnly = await glm.files.list({ purpose: 'batch' });
    expect(batchOnly).toEqual({ data: [uploaded], hasMore: false });
    const firstPage = await glm.files.list({ limit: 1, order: 'asc' });
    expect(firstPage).toEqual({ data: [uploaded], hasMore: true });
    const secondPage = await glm.files.list({ limit: 1, order: 'asc', after: uploaded.id });
    expect(secondPage).toEqual({ data: [other], hasMore: false });
    expect(sim.requests.at(-1)!.query).toBe(`limit=1&after=${uploaded.id}&order=asc`);

    const content = await glm.files.content(uploaded.id);
    expect(content.text()).toBe('{"custom_id":"1","body":{}}\n');
    expect(content.bytes).toEqual(data);

    expect(await glm.files.delete(uploaded.id)).toEqual({ id: uploaded.id, deleted: true });
    expect(sim.requests.at(-1)).toMatchObject({ method: 'DELETE', path: `/api/paas/v4/files/${uploaded.id}` });
    expect((await glm.files.list()).data.map((file) => file.id)).toEqual([other.id]);
  });

  it('maps a missing file (404) and a file over the limit (435) to InvalidRequestError', async () => {
    const missing = await glm.files.content('file-nope').catch((caught: unknown) => caught);
    expect(missing).toBeInstanceOf(InvalidRequestError);
    expect(missing).toMatchObject({ status: 404 });
    const tooBig = await glm.files.upload({ data: new Uint8Array(5000), filename: 'big.bin', purpose: 'file-extract' }).catch((caught: unknown) => caught);
    expect(tooBig).toBeInstanceOf(InvalidRequestError);
    expect(tooBig).toMatchObject({ status: 435, vendorCode: '435' });
    expect((tooBig as Error).message).toMatch(/larger than GLM accepts/);
  });
});
