import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import OpenAI, { toFile } from 'openai';
import { kimiErrorTypes, kimiModels, startSimulator, type Simulator } from './index.js';
import { get, postJson, type Json } from './test-support/http.js';

let sim: Simulator;
let client: OpenAI;
const user = (content: string) => [{ role: 'user', content }];

beforeAll(async () => {
  sim = await startSimulator({ kimiBalance: 12.5, kimiFileLimits: { maxFileBytes: 1024 * 1024, maxFiles: 2, maxTotalBytes: 1024 * 1024 * 1024 } });
  client = new OpenAI({ apiKey: 'sim-key', baseURL: sim.kimiBaseURL, maxRetries: 0 });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

function upload(purpose: string, name: string, content: Buffer | string): Promise<Response> {
  const form = new FormData();
  form.set('purpose', purpose);
  form.set('file', new Blob([content]), name);
  return fetch(`${sim.kimiBaseURL}/files`, { method: 'POST', headers: { authorization: 'Bearer sim-key' }, body: form });
}

async function errorOf(response: Response): Promise<[number, Json]> {
  return [response.status, (await response.json()) as Json];
}

describe('Kimi files', () => {
  it('uploads, lists without has_more, extracts text as the JSON body and deletes', async () => {
    const file = await client.files.create({ file: await toFile(Buffer.from('line one\nline two\n'), 'notes.md'), purpose: 'file-extract' as OpenAI.FilePurpose });
    expect(file).toMatchObject({ object: 'file', bytes: 18, filename: 'notes.md', purpose: 'file-extract', status: 'ok', status_details: '' });
    expect(file.id).toMatch(/^[a-z0-9]{20}$/);
    const list = (await (await get(`${sim.kimiBaseURL}/files`)).json()) as Json;
    expect(list).toEqual({ object: 'list', data: [expect.objectContaining({ id: file.id })] });
    const text = await (await client.files.content(file.id)).text();
    expect(JSON.parse(text)).toEqual({ content: 'line one\nline two\n', file_type: 'text/markdown', filename: 'notes.md', title: '', type: 'file' });

    const answer = await client.chat.completions.create({
      model: 'moonshot-v1-32k',
      messages: [
        { role: 'system', content: text },
        { role: 'system', content: 'line one\nline two\n' },
        { role: 'user', content: 'Summarise the file' },
      ],
    });
    expect(answer.choices[0]?.message.content).toContain('(messages: 3, system: 2, images: 0, tools: 0)\nRead file notes.md (18 chars).\nRead file notes.md (18 chars).');
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });
    expect((await get(`${sim.kimiBaseURL}/files/${file.id}`)).status).toBe(404);
  });

  it('returns a placeholder for binary files and serves images by ms:// id', async () => {
    const image = (await (await upload('image', 'dot.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]))).json()) as Json;
    const content = (await (await get(`${sim.kimiBaseURL}/files/${image.id as string}/content`)).json()) as Json;
    expect(content.content).toBe('[binary image/png file dot.png, 7 bytes]');
    const chat = await postJson(`${sim.kimiBaseURL}/chat/completions`, {
      model: 'moonshot-v1-8k-vision-preview',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `ms://${image.id as string}` } }, { type: 'text', text: 'What is it?' }] }],
    });
    expect(chat.body.choices[0].message.content).toContain('images: 1');
    const missing = await postJson(`${sim.kimiBaseURL}/chat/completions`, {
      model: 'moonshot-v1-8k-vision-preview',
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ms://nope' } }] }],
    });
    expect(missing.status).toBe(400);
  });

  it('enforces purpose, size and count limits with the exact messages', async () => {
    const invalid = (message: string) => [400, { error: { type: 'invalid_request_error', message } }];
    expect(await errorOf(await upload('batch', 'a.txt', 'x'))).toEqual(invalid("Invalid purpose: only 'file-extract' accepted"));
    expect(await errorOf(await upload('file-extract', 'a.txt', ''))).toEqual(invalid('File size is zero, please confirm and re-upload the file'));
    expect(await errorOf(await upload('file-extract', 'a.txt', Buffer.alloc(1024 * 1024 + 1)))).toEqual(
      invalid('File size is too large, max file size is 1MB, please confirm and re-upload the file'),
    );
    expect((await upload('file-extract', 'a.txt', 'a')).status).toBe(200);
    expect((await upload('video', 'b.mp4', 'b')).status).toBe(200);
    expect(await errorOf(await upload('file-extract', 'c.txt', 'c'))).toEqual(
      invalid('The number of files you have uploaded exceeded the max file count 2, please delete previous uploaded files'),
    );
  });
});

describe('Kimi account endpoints', () => {
  it('estimates tokens the way chat counts prompt tokens', async () => {
    const messages = [{ role: 'system', content: 'You are helpful.' }, ...user('Count my tokens, please.')];
    const estimate = await postJson(`${sim.kimiBaseURL}/tokenizers/estimate-token-count`, { model: 'kimi-k2-turbo-preview', messages });
    expect(estimate.body).toEqual({ data: { total_tokens: Math.ceil((16 + 24) / 4) } });
    const chat = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages });
    expect(chat.body.usage.prompt_tokens).toBe(estimate.body.data.total_tokens);
    expect((await postJson(`${sim.kimiBaseURL}/tokenizers/estimate-token-count`, { model: 'nope', messages })).status).toBe(404);
  });

  it('reports the balance, changes it at runtime and blocks chat at zero with the quota error', async () => {
    const balance = (await (await get(`${sim.kimiBaseURL}/users/me/balance`)).json()) as Json;
    expect(balance).toEqual({ code: 0, data: { available_balance: 12.5, voucher_balance: 0, cash_balance: 12.5 }, scode: '0x0', status: true });
    sim.setKimiBalance(0);
    expect(((await (await get(`${sim.kimiBaseURL}/users/me/balance`)).json()) as Json).data.available_balance).toBe(0);
    const blocked = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user('hi') });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({
      error: { type: 'exceeded_current_quota_error', message: 'You exceeded your current token quota: <org-sim> 0, please check your account balance' },
    });
    sim.reset();
    expect((await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user('hi') })).status).toBe(200);
  });

  it('lists the models through the openai SDK', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual([...kimiModels.keys()]);
    const raw = (await (await get(`${sim.kimiBaseURL}/models`)).json()) as Json;
    expect(raw.data[0]).toEqual({ id: 'kimi-k2-0905-preview', object: 'model', created: expect.any(Number), owned_by: 'moonshot', permission: [], root: '', parent: '' });
  });

  it('creates a context cache for moonshot-v1 and reports it as cached when a chat starts with it', async () => {
    const messages = [{ role: 'system', content: 'A long shared document. '.repeat(20) }];
    const created = await postJson(`${sim.kimiBaseURL}/caching`, { model: 'moonshot-v1', messages, name: 'doc', ttl: 600 });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ object: 'context_cache_object', status: 'ready', name: 'doc', tokens: 120 });
    expect(created.body.id).toMatch(/^cache-[a-z0-9]{20}$/);
    const chat = await postJson(`${sim.kimiBaseURL}/chat/completions`, {
      model: 'moonshot-v1-8k',
      messages: [{ role: 'cache', content: `cache_id=${created.body.id as string};reset_ttl=600` }, ...user('Question')],
    });
    expect(chat.body.usage.prompt_tokens).toBe(120 + 2);
    expect(chat.body.usage.cached_tokens).toBe(120);
    const unknown = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'moonshot-v1-8k', messages: [{ role: 'cache', content: 'cache_id=cache-nope' }, ...user('Q')] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.type).toBe('invalid_request_error');
    const k2 = await postJson(`${sim.kimiBaseURL}/caching`, { model: 'kimi-k2-turbo-preview', messages });
    expect(k2.status).toBe(400);
  });
});

describe('Kimi error markers', () => {
  it('triggers every error type with its status and exact body', async () => {
    const statuses: Record<string, number> = {
      content_filter: 400,
      invalid_request_error: 400,
      invalid_authentication_error: 401,
      incorrect_api_key_error: 401,
      permission_denied_error: 403,
      resource_not_found_error: 404,
      engine_overloaded_error: 429,
      exceeded_current_quota_error: 429,
      rate_limit_reached_error: 429,
      server_error: 500,
      unexpected_output: 500,
    };
    expect([...kimiErrorTypes].sort()).toEqual(Object.keys(statuses).sort());
    for (const type of kimiErrorTypes) {
      const result = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user(`[[sim:error:${type}]]`) });
      expect([type, result.status]).toEqual([type, statuses[type]]);
      expect(result.body).toEqual({ error: { type, message: expect.any(String) } });
    }
    const filter = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user('[[sim:error:content_filter]]') });
    expect(filter.body.error.message).toBe('The request was rejected because it was considered high risk');
  });

  it('quotes the retry-after seconds in the RPM message and header', async () => {
    const text = (t: number) => `Your account org-sim<ak-sim> request reached organization max RPM: 3, please try again after ${t} seconds`;
    const plain = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user('[[sim:error:rate_limit_reached_error]]') });
    expect(plain.body.error.message).toBe(text(1));
    expect(plain.headers.get('retry-after')).toBeNull();
    const later = await postJson(`${sim.kimiBaseURL}/chat/completions`, { model: 'kimi-k2-turbo-preview', messages: user('[[sim:error:rate_limit_reached_error]][[sim:retry-after:7]]') });
    expect(later.body.error.message).toBe(text(7));
    expect(later.headers.get('retry-after')).toBe('7');
  });
});
