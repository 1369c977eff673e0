import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderError } from '@exai/router/spec';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import { kimiFileLimits } from './kimi-files.js';
import { createKimi, type KimiProvider } from './kimi-provider.js';

let sim: Simulator;
let kimi: KimiProvider;

beforeAll(async () => {
  sim = await startSimulator();
  kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const routes = (): string[] => sim.requests.map((request: RecordedRequest) => `${request.method} ${request.path}`);

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

describe('Kimi files against the simulator', () => {
  it('uploads, lists, retrieves, reads and deletes', async () => {
    const notes = 'Meeting notes: ship v2 on Friday.';
    const file = await kimi.files.upload({ data: text(notes), filename: 'notes.md', purpose: 'file-extract', mimeType: 'text/markdown' });
    expect(file).toMatchObject({ bytes: notes.length, filename: 'notes.md', purpose: 'file-extract', status: 'ok' });
    expect(sim.requests[1]?.body).toEqual({ purpose: 'file-extract', filename: 'notes.md', bytes: notes.length });
    expect((await kimi.files.list()).map((entry) => entry.id)).toEqual([file.id]);
    expect((await kimi.files.retrieve(file.id)).filename).toBe('notes.md');
    expect(await kimi.files.content(file.id)).toMatchObject({ content: notes, filename: 'notes.md', type: 'file' });
    expect(await kimi.files.delete(file.id)).toEqual({ id: file.id, deleted: true });
    expect(await kimi.files.list()).toEqual([]);
    expect(routes()).toEqual([
      'GET /v1/files',
      'POST /v1/files',
      'GET /v1/files',
      `GET /v1/files/${file.id}`,
      `GET /v1/files/${file.id}/content`,
      `DELETE /v1/files/${file.id}`,
      'GET /v1/files',
    ]);
    const missing = await failure(kimi.files.content(file.id));
    expect(missing.code).toBe('invalid_request');
    expect(missing.vendorCode).toBe('resource_not_found_error');
    expect(missing.message).toContain(`file ${file.id}`);
  });

  it('uploads an image and uses it in chat as ms://<id> on a vision model', async () => {
    const png = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
    const image = await kimi.files.upload({ data: png, filename: 'dot.png', purpose: 'image', mimeType: 'image/png' });
    const result = await kimi.chatModel('moonshot-v1-32k-vision-preview').generate({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is it?' }, { type: 'image', image: `ms://${image.id}` }] }],
    });
    expect(result.text).toContain('images: 1');
  });

  it('chat with files: the model reads every file, put after the system prompt', async () => {
    const alpha = await kimi.files.upload({ data: text('Alpha report. '.repeat(10)), filename: 'alpha.txt', purpose: 'file-extract' });
    const beta = await kimi.files.upload({ data: text('Beta report.'), filename: 'beta.txt', purpose: 'file-extract' });
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({
      messages: [
        { role: 'system', content: 'Answer from the files.' },
        { role: 'user', content: 'Compare them' },
      ],
      providerOptions: { kimi: { fileIds: [alpha.id, beta.id] } },
    });
    expect(result.text).toContain('Read file alpha.txt (140 chars).');
    expect(result.text).toContain('Read file beta.txt (12 chars).');
    expect(result.text).toContain('system: 3');
    const chat = sim.requests.find((request) => request.path === '/v1/chat/completions');
    const messages = (chat?.body as { messages: Array<{ role: string; content: string }> }).messages;
    expect(messages.map((message) => message.role)).toEqual(['system', 'system', 'system', 'user']);
    expect(messages[0]?.content).toBe('Answer from the files.');
    expect(JSON.parse(messages[1]!.content)).toMatchObject({ filename: 'alpha.txt', type: 'file' });
  });

  it('chat with files: over the budget it fails listing the files, and sends no chat', async () => {
    const a = await kimi.files.upload({ data: text('x'.repeat(300)), filename: 'big.txt', purpose: 'file-extract' });
    const b = await kimi.files.upload({ data: text('y'.repeat(50)), filename: 'small.txt', purpose: 'file-extract' });
    const error = await failure(
      kimi.chatModel('kimi-k2-0905-preview').generate({
        messages: [{ role: 'user', content: 'Read both' }],
        providerOptions: { kimi: { fileIds: [a.id, b.id], fileContentMaxChars: 320 } },
      }),
    );
    expect(error.code).toBe('invalid_request');
    expect(error.message).toContain(`${a.id} (big.txt): 300 chars`);
    expect(error.message).toContain(`${b.id} (small.txt): 50 chars`);
    expect(error.message).toContain('350 chars, over providerOptions.kimi.fileContentMaxChars (320)');
    expect(sim.requests.some((request) => request.path === '/v1/chat/completions')).toBe(false);
  });

  it('checks the limits before uploading: zero size, 100 MB, 1,000 files', async () => {
    const empty = await failure(kimi.files.upload({ data: new Uint8Array(0), filename: 'e.txt', purpose: 'file-extract' }));
    expect(empty.message).toContain('empty (0 bytes)');
    const big = await failure(kimi.files.upload({ data: new Uint8Array(kimiFileLimits.maxFileBytes + 1), filename: 'big.bin', purpose: 'file-extract' }));
    expect(big.message).toContain('104,857,601 bytes');
    expect(sim.requests).toHaveLength(0);

    // Fill the account to 1,000 files directly over HTTP, then try one more through the provider.
    for (let index = 0; index < kimiFileLimits.maxFiles; index++) {
      const form = new FormData();
      form.append('purpose', 'file-extract');
      form.append('file', new Blob([`file ${index}`]), `f${index}.txt`);
      const response = await fetch(`${sim.kimiBaseURL}/files`, { method: 'POST', body: form, headers: { authorization: 'Bearer sk-sim' } });
      expect(response.status).toBe(200);
    }
    const before = sim.requests.length;
    const full = await failure(kimi.files.upload({ data: text('one more'), filename: 'more.txt', purpose: 'file-extract' }));
    expect(full.code).toBe('invalid_request');
    expect(full.message).toContain('already holds 1000 files, the most it allows (1000)');
    expect(routes().slice(before)).toEqual(['GET /v1/files']);
  }, 60_000);

  it('maps the vendor-side file errors (limits enforced by the server)', async () => {
    const small = await startSimulator({ kimiFileLimits: { maxFileBytes: 10, maxFiles: 1 } });
    try {
      const client = createKimi({ apiKey: 'sk-sim', baseURL: small.kimiBaseURL });
      const tooBig = await failure(client.files.upload({ data: text('more than ten bytes'), filename: 'a.txt', purpose: 'file-extract' }));
      expect(tooBig).toMatchObject({ code: 'invalid_request', status: 400, vendorCode: 'invalid_request_error' });
      expect(tooBig.message).toContain('File size is too large');
      await client.files.upload({ data: text('ok'), filename: 'b.txt', purpose: 'file-extract' });
      const tooMany = await failure(client.files.upload({ data: text('ok'), filename: 'c.txt', purpose: 'file-extract' }));
      expect(tooMany.message).toContain('exceeded the max file count 1');
    } finally {
      await small.close();
    }
  });
});
