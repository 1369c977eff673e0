import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError } from '@exai/router/spec';
import { createGlm } from './glm-provider.js';
import { createFixtureFetch, jsonFixture, jsonResponse, type FixtureResponder } from './test-support/fixture-fetch.js';

function setup(responder: FixtureResponder) {
  const { fetch, calls } = createFixtureFetch(responder);
  return { glm: createGlm({ apiKey: 'test-key', baseURL: 'https://glm.test/api/paas/v4', fetch }), calls };
}

describe('GlmFiles (§1.8)', () => {
  it('uploads multipart file + purpose and maps the file object', async () => {
    const { glm, calls } = setup(() => jsonResponse(jsonFixture('files-upload.json')));
    const data = new TextEncoder().encode('%PDF-1.7 fake');
    const file = await glm.files.upload({ data, filename: 'report.pdf', purpose: 'file-extract', mimeType: 'application/pdf' });
    expect(file).toEqual({ id: '1761800100_6b1d7c9e0f2a4b3c8d5e', bytes: 2048, createdAt: 1761800100, filename: 'report.pdf', purpose: 'file-extract' });
    expect(calls[0]!.url.href).toBe('https://glm.test/api/paas/v4/files');
    expect(calls[0]!.method).toBe('POST');
    const form = calls[0]!.body as FormData;
    expect(form.get('purpose')).toBe('file-extract');
    const sent = form.get('file') as File;
    expect(sent.name).toBe('report.pdf');
    expect(sent.type).toBe('application/pdf');
    expect(new Uint8Array(await sent.arrayBuffer())).toEqual(data);
  });

  it('lists with query parameters and maps has_more', async () => {
    const { glm, calls } = setup(() => jsonResponse(jsonFixture('files-list.json')));
    const page = await glm.files.list({ purpose: 'batch', limit: 2, after: 'file-0', order: 'desc' });
    expect(calls[0]!.method).toBe('GET');
    expect(calls[0]!.url.pathname).toBe('/api/paas/v4/files');
    expect(Object.fromEntries(calls[0]!.url.searchParams)).toEqual({ purpose: 'batch', limit: '2', after: 'file-0', order: 'desc' });
    expect(page).toEqual({
      data: [
        { id: '1761800100_6b1d7c9e0f2a4b3c8d5e', bytes: 2048, createdAt: 1761800100, filename: 'report.pdf', purpose: 'file-extract' },
        { id: '1761700000_0a1b2c3d4e5f60718293', bytes: 512, createdAt: 1761700000, filename: 'tasks.jsonl', purpose: 'batch' },
      ],
      hasMore: true,
    });
  });

  it('treats a missing has_more as false', async () => {
    const { glm } = setup(() => jsonResponse({ object: 'list', data: [] }));
    expect(await glm.files.list()).toEqual({ data: [], hasMore: false });
  });

  it('deletes by id', async () => {
    const { glm, calls } = setup(() => jsonResponse({ id: 'file-9', object: 'file', deleted: true }));
    expect(await glm.files.delete('file-9')).toEqual({ id: 'file-9', deleted: true });
    expect(calls[0]!.method).toBe('DELETE');
    expect(calls[0]!.url.pathname).toBe('/api/paas/v4/files/file-9');
  });

  it('downloads content as bytes and text', async () => {
    const { glm, calls } = setup(() => new Response('{"content":"héllo"}', { headers: { 'content-type': 'application/json' } }));
    const content = await glm.files.content('file-9');
    expect(calls[0]!.url.pathname).toBe('/api/paas/v4/files/file-9/content');
    expect(content.text()).toBe('{"content":"héllo"}');
    expect(content.bytes).toBeInstanceOf(Uint8Array);
    expect(content.contentType).toBe('application/json');
  });

  it('refuses bad input before sending', async () => {
    const { glm, calls } = setup(() => jsonResponse({}));
    await expect(glm.files.upload({ data: new Uint8Array(1), filename: '', purpose: 'batch' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(glm.files.upload({ data: { byteLength: 101 * 1024 * 1024 } as Uint8Array, filename: 'big.bin', purpose: 'batch' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(glm.files.delete('')).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(glm.files.list({ limit: 0 })).rejects.toBeInstanceOf(InvalidRequestError);
    expect(calls).toHaveLength(0);
  });
});
