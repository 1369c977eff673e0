import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { UserStorage } from '@exai/storage';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { KimiUploadFilesOutput } from './kimi-upload-files-tool.js';
import type { SmartFileDownloadOutput } from './smart-file-download-tool.js';
import { startVendorSim, structuredOf } from './test-support/vendor-sim.js';

const bytes = new TextEncoder().encode('generated report\n');

describe('smart_file_download', () => {
  let dir: string;
  let storage: UserStorage;
  let call: Awaited<ReturnType<typeof connectClient>>['call'];
  let close: () => Promise<void>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exai-download-'));
    const options = fakeServerOptions({ limits: { allowedRoots: [dir] } });
    storage = options.storage;
    ({ call, close } = await connectClient(options));
  });
  afterEach(async () => {
    await close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes a generated file into a new folder and verifies its sha256', async () => {
    const { file } = await storage.files.put({ filename: 'report.txt', bytes, bucket: 'generated-files' });
    const output = structuredOf<SmartFileDownloadOutput>(await call('smart_file_download', { file_id: file.id, destination: join(dir, 'out') + '/' }));
    expect(output).toEqual({ path: join(dir, 'out', 'report.txt'), file_id: file.id, filename: 'report.txt', size_bytes: bytes.length, sha256: file.sha256, verified: true, overwritten: false });
    expect(await readFile(output.path, 'utf8')).toBe('generated report\n');
    expect(await readdir(join(dir, 'out'))).toEqual(['report.txt']);
    const [operation] = await storage.files.listOperations({ fileId: file.id });
    expect(operation).toMatchObject({ operation: 'download', status: 'ok', bytes: bytes.length });
  });

  it('refuses to overwrite unless asked', async () => {
    const { file } = await storage.files.put({ filename: 'report.txt', bytes });
    const target = join(dir, 'existing.txt');
    await writeFile(target, 'mine\n');
    const refused = await call('smart_file_download', { file_id: file.id, destination: target });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain(`${target} exists; pass overwrite: true to replace it`);
    expect(await readFile(target, 'utf8')).toBe('mine\n');

    const replaced = structuredOf<SmartFileDownloadOutput>(await call('smart_file_download', { file_id: file.id, destination: target, overwrite: true }));
    expect(replaced.overwritten).toBe(true);
    expect(await readFile(target, 'utf8')).toBe('generated report\n');
    expect(await readdir(dir)).toEqual(['existing.txt']);
  });

  it('refuses destinations outside the allowed folders and unknown ids', async () => {
    const { file } = await storage.files.put({ filename: 'report.txt', bytes });
    const elsewhere = await mkdtemp(join(tmpdir(), 'exai-elsewhere-'));
    try {
      const outside = await call('smart_file_download', { file_id: file.id, destination: join(elsewhere, 'x.txt') });
      expect(textOf(outside)).toMatch(/outside the allowed folders/);
      const escape = await call('smart_file_download', { file_id: file.id, destination: join(dir, '..', 'escape.txt') });
      expect(textOf(escape)).toMatch(/outside the allowed folders/);
      expect(await readdir(elsewhere)).toEqual([]);
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
    const unknown = await call('smart_file_download', { file_id: 'file-nope', destination: dir });
    expect(textOf(unknown)).toMatch(/No stored file has id file-nope/);
  });

  it('writes nothing when the stored bytes do not match their sha256', async () => {
    const { file } = await storage.files.put({ filename: 'report.txt', bytes });
    const corrupt: UserStorage = { ...storage, files: { ...storage.files, read: async () => new TextEncoder().encode('tampered\n') } };
    const options = fakeServerOptions({ storage: corrupt, limits: { allowedRoots: [dir] } });
    const other = await connectClient(options);
    const result = await other.call('smart_file_download', { file_id: file.id, destination: dir });
    await other.close();
    expect(textOf(result)).toMatch(/does not match its sha256; it was not written.*\[integrity_error\]/);
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('smart_file_download of uploaded files', () => {
  it('finds a file by the provider file id it was uploaded as', async () => {
    const env = await startVendorSim();
    try {
      const source = join(env.dir, 'notes.md');
      await writeFile(source, '# notes\n');
      const uploaded = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [source] }));
      const output = structuredOf<SmartFileDownloadOutput>(await env.call('smart_file_download', { file_id: uploaded.files[0]!.file_id, destination: join(env.dir, 'copy.md') }));
      expect(output.file_id).toBe(uploaded.files[0]!.stored_file_id);
      expect(await readFile(join(env.dir, 'copy.md'), 'utf8')).toBe('# notes\n');
    } finally {
      await env.close();
    }
  });
});
