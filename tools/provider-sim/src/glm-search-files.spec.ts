import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { startSimulator, type Simulator } from './index.js';
import { get, post, postJson, sseChunks, type Json } from './test-support/http.js';

let sim: Simulator;
let client: OpenAI;
const searchTool = { type: 'web_search', web_search: { enable: true, search_engine: 'search-prime', search_result: true, count: 3 } };

beforeAll(async () => {
  sim = await startSimulator({ glmMaxFileBytes: 64 });
  client = new OpenAI({ apiKey: 'sim-key', baseURL: sim.glmBaseURL, maxRetries: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

function upload(form: FormData): Promise<Response> {
  return fetch(`${sim.glmBaseURL}/files`, { method: 'POST', headers: { authorization: 'Bearer sim-key' }, body: form });
}

describe('GLM in-chat web search', () => {
  it('returns a top-level web_search array and an answer citing [ref_1]', async () => {
    const { status, body } = await postJson(`${sim.glmBaseURL}/chat/completions`, {
      model: 'glm-4.5',
      messages: [{ role: 'user', content: 'Latest Node release' }],
      tools: [searchTool],
    });
    expect(status).toBe(200);
    expect(body.web_search).toHaveLength(3);
    expect(Object.keys(body.web_search[0])).toEqual(['title', 'content', 'link', 'media', 'icon', 'refer', 'publish_date']);
    expect(body.web_search.map((result: Json) => result.refer)).toEqual(['ref_1', 'ref_2', 'ref_3']);
    expect(body.choices[0].message.content).toContain('Web search: 3 results for "Latest Node release" [ref_1]');
    expect(body.choices[0].message.content).toContain('tools: 1');
  });

  it('sends the results once, on the final stream chunk with finish_reason and usage', async () => {
    const response = await post(`${sim.glmBaseURL}/chat/completions`, {
      model: 'glm-4.6',
      stream: true,
      messages: [{ role: 'user', content: 'news' }],
      tools: [{ type: 'web_search', web_search: { ...searchTool.web_search, search_query: 'forced query' } }],
    });
    const chunks = sseChunks(await response.text());
    const withResults = chunks.filter((chunk) => chunk.web_search !== undefined);
    expect(withResults).toEqual([chunks[chunks.length - 1]]);
    const last = withResults[0]!;
    expect(last.choices[0].finish_reason).toBe('stop');
    expect(last.usage).toBeDefined();
    expect(last.web_search[0].title).toBe('Result 1 for forced query');
    expect(chunks.some((chunk) => JSON.stringify(chunk.choices[0].delta).includes('web_search'))).toBe(false);
  });

  it('searches without returning results when search_result is not set, and not at all when not enabled', async () => {
    const quiet = await postJson(`${sim.glmBaseURL}/chat/completions`, {
      model: 'glm-4.5',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ type: 'web_search', web_search: { enable: true, search_engine: 'search_pro_jina' } }],
    });
    expect(quiet.body.web_search).toBeUndefined();
    expect(quiet.body.choices[0].message.content).toContain('[ref_1]');
    const off = await postJson(`${sim.glmBaseURL}/chat/completions`, {
      model: 'glm-4.5',
      messages: [{ role: 'user', content: 'q' }],
      tools: [{ type: 'web_search', web_search: { search_engine: 'search-prime', search_result: true } }],
    });
    expect(off.body.web_search).toBeUndefined();
    expect(off.body.choices[0].message.content).not.toContain('[ref_1]');
  });
});

describe('GLM POST /web_search', () => {
  it('answers with search_intent and search_result', async () => {
    const { status, body } = await postJson(`${sim.glmBaseURL}/web_search`, { search_engine: 'search-prime', search_query: 'zod v4', count: 2 });
    expect(status).toBe(200);
    expect(body.id).toMatch(/^\d{14}[0-9a-f]{16}$/);
    expect(body.request_id).toBe(body.id);
    expect(body.search_intent).toEqual([{ query: 'zod v4', intent: 'SEARCH_ALWAYS', keywords: 'zod v4' }]);
    expect(body.search_result).toHaveLength(2);
    expect(body.search_result[1]).toMatchObject({ refer: 'ref_2', publish_date: '2025-01-01', link: 'https://search.sim.local/zod-v4/2' });
  });

  it('requires search_query and takes fault markers from it', async () => {
    const missing = await postJson(`${sim.glmBaseURL}/web_search`, { search_engine: 'search-prime' });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('1213');
    const broke = await postJson(`${sim.glmBaseURL}/web_search`, { search_engine: 'search-prime', search_query: 'x [[sim:error:1113]]' });
    expect(broke.status).toBe(429);
    expect(broke.body.error.code).toBe('1113');
  });
});

describe('GLM files', () => {
  it('uploads through the openai SDK, lists with has_more, returns content and deletes', async () => {
    const first = await client.files.create({ file: await toFile(Buffer.from('{"a":1}\n'), 'batch.jsonl'), purpose: 'batch' });
    expect(first).toMatchObject({ object: 'file', bytes: 8, filename: 'batch.jsonl', purpose: 'batch' });
    expect(Object.keys(first).sort()).toEqual(['bytes', 'created_at', 'filename', 'id', 'object', 'purpose']);
    const form = new FormData();
    form.set('purpose', 'file-extract');
    form.set('file', new Blob(['hello']), 'notes.txt');
    const second = (await (await upload(form)).json()) as Json;
    expect(sim.requests[1]?.body).toEqual({ purpose: 'file-extract', filename: 'notes.txt', bytes: 5 });

    const page = (await (await get(`${sim.glmBaseURL}/files?limit=1`)).json()) as Json;
    expect(page.object).toBe('list');
    expect(page.has_more).toBe(true);
    expect(page.data.map((file: Json) => file.id)).toEqual([second.id]);
    const next = (await (await get(`${sim.glmBaseURL}/files?limit=1&after=${second.id as string}`)).json()) as Json;
    expect(next).toMatchObject({ has_more: false, data: [{ id: first.id }] });
    const filtered = (await (await get(`${sim.glmBaseURL}/files?purpose=batch`)).json()) as Json;
    expect(filtered.data.map((file: Json) => file.id)).toEqual([first.id]);

    const content = await client.files.content(first.id);
    expect(await content.text()).toBe('{"a":1}\n');
    expect(await client.files.delete(first.id)).toEqual({ id: first.id, object: 'file', deleted: true });
    const gone = await get(`${sim.glmBaseURL}/files/${first.id}/content`);
    expect(gone.status).toBe(404);
  });

  it('rejects a bad purpose and answers 435 above the size limit', async () => {
    const form = new FormData();
    form.set('purpose', 'nonsense');
    form.set('file', new Blob(['x']), 'a.txt');
    const bad = await upload(form);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as Json).error.code).toBe('1214');
    form.set('purpose', 'file-extract');
    form.set('file', new Blob(['x'.repeat(65)]), 'big.txt');
    const big = await upload(form);
    expect(big.status).toBe(435);
    expect(await big.json()).toEqual({ error: { code: '435', message: 'File size exceeds 100MB' } });
  });
});
