import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import type { KimiUploadFilesOutput } from './kimi-upload-files-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('kimi_upload_files', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('uploads each content once, across paths and calls, and lists every file', async () => {
    env = await startVendorSim();
    const a = join(env.dir, 'a.md');
    const b = join(env.dir, 'b.txt');
    const copyOfA = join(env.dir, 'copy-of-a.md');
    await writeFile(a, '# Notes\nalpha\n');
    await writeFile(b, 'beta\n');
    await writeFile(copyOfA, '# Notes\nalpha\n');
    const missing = join(env.dir, 'missing.txt');
    const outsideDir = await mkdtemp(join(tmpdir(), 'exai-outside-'));
    const outside = join(outsideDir, 'secret.txt');
    await writeFile(outside, 'not yours\n');

    const first = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [a, b, copyOfA, missing, outside] }));
    expect(first.files.map((file) => [file.path, file.status])).toEqual([
      [a, 'uploaded'],
      [b, 'uploaded'],
      [copyOfA, 'reused'],
      [missing, 'failed'],
      [outside, 'failed'],
    ]);
    expect(first.files[2]?.file_id).toBe(first.files[0]?.file_id);
    expect(first.files[3]?.reason).toMatch(/no such file/);
    expect(first.files[4]?.reason).toMatch(/outside the allowed folders/);
    expect(first).toMatchObject({ uploaded: 2, reused: 1, failed: 2 });
    expect(env.requests('POST', '/v1/files')).toHaveLength(2);
    await rm(outsideDir, { recursive: true, force: true });

    // A second call with the same content makes no upload request at all.
    const second = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [copyOfA] }));
    expect(second.files[0]).toMatchObject({ status: 'reused', file_id: first.files[0]?.file_id, sha256: first.files[0]?.sha256 });
    expect(env.requests('POST', '/v1/files')).toHaveLength(2);

    const uploads = await env.storage.uploads.list({ provider: 'kimi' });
    expect(uploads.map((upload) => upload.providerFileId).sort()).toEqual([first.files[0]?.file_id, first.files[1]?.file_id].sort());
    const operations = (await env.storage.files.listOperations()).map((operation) => operation.operation);
    expect(operations.filter((name) => name === 'provider_upload')).toHaveLength(2);
    expect(operations.filter((name) => name === 'provider_reuse')).toHaveLength(2);
  });

  it('re-uploads content whose earlier upload is no longer live', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'c.txt');
    await writeFile(path, 'gamma\n');
    const first = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path] }));
    const [upload] = await env.storage.uploads.list({ provider: 'kimi' });
    await env.storage.uploads.setStatus(upload!.id, 'deleted');
    const second = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path] }));
    expect(second.files[0]?.status).toBe('uploaded');
    expect(second.files[0]?.file_id).not.toBe(first.files[0]?.file_id);
  });

  it('uploads again, once, when Kimi no longer has the reused upload', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'd.txt');
    const copy = join(env.dir, 'copy-of-d.txt');
    await writeFile(path, 'delta\n');
    await writeFile(copy, 'delta\n');
    const first = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path] }));
    const lostId = first.files[0]!.file_id!;
    // Deleted at Kimi outside exai (its console, another client of the key).
    await env.kimi[0]!.files.delete(lostId);

    const second = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path, copy] }));
    expect(second.files.map((file) => file.status)).toEqual(['uploaded', 'reused']);
    const freshId = second.files[0]!.file_id!;
    expect(freshId).not.toBe(lostId);
    expect(second.files[1]!.file_id).toBe(freshId);
    expect(second).toMatchObject({ uploaded: 1, reused: 1, failed: 0 });
    expect((await env.kimi[0]!.files.list()).map((file) => file.id)).toEqual([freshId]);
    expect(env.requests('POST', '/v1/files')).toHaveLength(2);
    const records = await env.storage.uploads.list({ provider: 'kimi' });
    expect(records.find((record) => record.providerFileId === lostId)?.status).toBe('deleted');
    expect(records.find((record) => record.providerFileId === freshId)?.status).toBe('uploaded');

    // Live again: the next call reuses it with no upload.
    const third = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [path] }));
    expect(third.files[0]).toMatchObject({ status: 'reused', file_id: freshId });
    expect(env.requests('POST', '/v1/files')).toHaveLength(2);
  });

  it('fails, naming each file, when no file could be uploaded', async () => {
    env = await startVendorSim();
    const empty = join(env.dir, 'empty.txt');
    await writeFile(empty, '');
    const result = await env.call('kimi_upload_files', { files: [empty, join(env.dir, 'nope.txt')] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`✗ ${empty}: ${empty}: empty file`);
    expect(textOf(result)).toContain('nope.txt: no such file');
    expect(env.requests('POST', '/v1/files')).toHaveLength(0);
  });

  it('names KIMI_API_KEY when Kimi is not configured', async () => {
    env = await startVendorSim({ kimi: false });
    const result = await env.call('kimi_upload_files', { files: [join(env.dir, 'x.txt')] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/^KIMI_API_KEY is not set; kimi_upload_files needs a Kimi \(Moonshot\) API key/);
  });
});
