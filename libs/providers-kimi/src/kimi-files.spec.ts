import { describe, expect, it } from '@jest/globals';
import { ProviderError } from '@exai/router/spec';
import { kimiFileLimits } from './kimi-files.js';
import { errorFile, fakeKimi, json, jsonFile } from './test-support/fake-fetch.js';

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    if (ProviderError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

const pdf = new TextEncoder().encode('%PDF-1.4 tiny');

describe('KimiFiles (fixtures)', () => {
  it('uploads multipart with Kimi purpose after checking the account', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('file-list.json'), jsonFile('file-object.json')]);
    const file = await kimi.files.upload({ data: pdf, filename: 'xlnet.pdf', purpose: 'file-extract', mimeType: 'application/pdf' });
    expect(file).toEqual({
      id: 'cn0bmk198onv4v01aafg',
      bytes: 761790,
      createdAt: 1700815879,
      filename: 'xlnet.pdf',
      purpose: 'file-extract',
      status: 'ok',
      statusDetails: '',
    });
    expect(calls.map((call) => `${call.method} ${new URL(call.url).pathname}`)).toEqual(['GET /v1/files', 'POST /v1/files']);
    const form = calls[1]?.body as FormData;
    expect(form.get('purpose')).toBe('file-extract');
    const sent = form.get('file') as File;
    expect(sent.name).toBe('xlnet.pdf');
    expect(sent.size).toBe(pdf.byteLength);
  });

  it('refuses empty and oversized files without any request', async () => {
    const { kimi, calls } = fakeKimi([]);
    const empty = await refusal(kimi.files.upload({ data: new Uint8Array(0), filename: 'empty.txt', purpose: 'file-extract' }));
    expect(empty.message).toContain('empty (0 bytes)');
    const big = await refusal(
      kimi.files.upload({ data: new Uint8Array(kimiFileLimits.maxFileBytes + 1), filename: 'big.bin', purpose: 'file-extract' }),
    );
    expect(big.code).toBe('invalid_request');
    expect(big.message).toContain('104,857,601 bytes');
    expect(big.message).toContain('at most 104,857,600 bytes (100 MB)');
    expect(calls).toHaveLength(0);
  });

  it('refuses the 1,001st file and an upload past 10 GB, naming the numbers', async () => {
    const many = Array.from({ length: 1000 }, (_, index) => ({ id: `f${index}`, bytes: 10, filename: `f${index}.txt`, purpose: 'file-extract' }));
    const full = fakeKimi([json({ object: 'list', data: many })]);
    const count = await refusal(full.kimi.files.upload({ data: pdf, filename: 'one-more.pdf', purpose: 'file-extract' }));
    expect(count.message).toContain('already holds 1000 files');
    expect(full.calls).toHaveLength(1);

    const huge = [{ id: 'big', bytes: kimiFileLimits.maxTotalBytes - 5, filename: 'archive.zip', purpose: 'file-extract' }];
    const nearly = fakeKimi([json({ object: 'list', data: huge })]);
    const total = await refusal(nearly.kimi.files.upload({ data: pdf, filename: 'x.pdf', purpose: 'file-extract' }));
    expect(total.message).toContain('over its 10,737,418,240 bytes (10 GB) total');
    expect(nearly.calls).toHaveLength(1);
  });

  it('lists, retrieves, reads content and deletes', async () => {
    const { kimi, calls } = fakeKimi([
      jsonFile('file-list.json'),
      jsonFile('file-object.json'),
      jsonFile('file-content.json'),
      jsonFile('file-deleted.json'),
    ]);
    const list = await kimi.files.list();
    expect(list.map((file) => [file.id, file.status])).toEqual([
      ['cn0bmk198onv4v01aafg', 'ok'],
      ['cn1cqq398onv4v02bbhg', 'ready'],
    ]);
    expect((await kimi.files.retrieve('cn0bmk198onv4v01aafg')).filename).toBe('xlnet.pdf');
    expect(await kimi.files.content('cn0bmk198onv4v01aafg')).toEqual({
      content: 'XLNet: Generalized Autoregressive Pretraining for Language Understanding\nZhilin Yang, Zihang Dai, ...',
      fileType: 'application/pdf',
      filename: 'xlnet.pdf',
      title: '',
      type: 'file',
    });
    expect(await kimi.files.delete('cn0bmk198onv4v01aafg')).toEqual({ id: 'cn0bmk198onv4v01aafg', deleted: true });
    expect(calls.map((call) => `${call.method} ${new URL(call.url).pathname}`)).toEqual([
      'GET /v1/files',
      'GET /v1/files/cn0bmk198onv4v01aafg',
      'GET /v1/files/cn0bmk198onv4v01aafg/content',
      'DELETE /v1/files/cn0bmk198onv4v01aafg',
    ]);
  });

  it('reports content that is not JSON, and a missing file as InvalidRequestError naming it', async () => {
    const { kimi } = fakeKimi([
      () => new Response('<html>oops</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
      json({ error: { type: 'resource_not_found_error', message: 'file not found' } }, 404),
    ]);
    const garbled = await refusal(kimi.files.content('cn0bmk198onv4v01aafg'));
    expect(garbled.code).toBe('provider_unavailable');
    expect(garbled.message).toContain('not JSON');
    const missing = await refusal(kimi.files.retrieve('nope'));
    expect(missing.code).toBe('invalid_request');
    expect(missing.message).toContain('file nope');
  });

  it('maps a server-side upload error', async () => {
    const { kimi } = fakeKimi([json({ object: 'list', data: [] }), errorFile('server_error')]);
    const error = await refusal(kimi.files.upload({ data: pdf, filename: 'x.pdf', purpose: 'file-extract' }));
    expect(error.code).toBe('provider_unavailable');
    expect(error.message).toContain('Failed to extract file');
  });
});
