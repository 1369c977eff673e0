import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { textOf } from '../test-support/tool-harness.js';
import type { SmartFileQueryOutput } from './smart-file-query-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('smart_file_query', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('reads a text file through the provider the router chose, once per content', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'design.md');
    await writeFile(path, 'Use a ring buffer.\n');
    const first = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'Which buffer?' }));
    const chosen = env.router.explain({ model: 'auto', request: { messages: [{ role: 'user', content: 'Which buffer?' }] }, task: { tool: 'smart_file_query' } });
    expect(first.file).toMatchObject({ path, provider: chosen.provider, upload: 'uploaded' });
    expect(first.metadata.provider).toBe(chosen.provider);
    expect(first.content).toContain('Read file design.md (19 chars).');
    expect(first.metadata.routing.reasons[0]).toBe(`${chosen.provider} reads the file (the router chose ${chosen.model})`);
    const uploadsPath = chosen.provider === 'glm' ? '/api/paas/v4/files' : '/v1/files';
    expect(env.requests('POST', uploadsPath)).toHaveLength(1);

    const again = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'Why?', continuation_id: first.continuation_id }));
    expect(again.file).toMatchObject({ upload: 'reused', file_id: first.file.file_id, stored_file_id: first.file.stored_file_id });
    expect(env.requests('POST', uploadsPath)).toHaveLength(1);
    expect(again.continuation_id).toBe(first.continuation_id);
  });

  it('uploads once per provider: a named provider gets its own upload, then reuses it', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'a.txt');
    await writeFile(path, 'alpha\n');
    const kimi = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'kimi' }));
    const glm = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'glm' }));
    await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'kimi' });
    expect([kimi.file.provider, glm.file.provider]).toEqual(['kimi', 'glm']);
    expect(kimi.file.stored_file_id).toBe(glm.file.stored_file_id);
    expect(env.requests('POST', '/v1/files')).toHaveLength(1);
    expect(env.requests('POST', '/api/paas/v4/files')).toHaveLength(1);
  });

  it('sends binary files to Kimi, which extracts text', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'scan.pdf');
    await writeFile(path, Buffer.from([0x25, 0x50, 0x44, 0x46, 0x00, 0x01, 0x02, 0xff]));
    const output = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'What is it?' }));
    expect(output.file.provider).toBe('kimi');
    expect(output.metadata.routing.reasons[0]).toMatch(/kimi reads the file first: it is binary/);
    expect(env.requests('POST', '/api/paas/v4/files')).toHaveLength(0);
  });

  it('falls back to the other provider when the first cannot take the file', async () => {
    env = await startVendorSim();
    env.sim.addFault({ vendor: 'glm', path: '/files', fault: 'status:503' });
    const path = join(env.dir, 'b.txt');
    await writeFile(path, 'beta\n');
    const output = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'glm' }));
    expect(output.file.provider).toBe('kimi');
    expect(output.metadata.routing.reasons.join('\n')).toMatch(/fell back to kimi to read the file \(glm: .+\)/);
    const operations = await env.storage.files.listOperations();
    expect(operations).toEqual(expect.arrayContaining([expect.objectContaining({ operation: 'provider_upload', provider: 'glm', status: 'failed' })]));
  });

  it('uploads again when the provider lost an earlier upload', async () => {
    env = await startVendorSim();
    const path = join(env.dir, 'c.txt');
    await writeFile(path, 'gamma\n');
    const first = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'kimi' }));
    await env.kimi[0]!.files.delete(first.file.file_id);
    const second = structuredOf<SmartFileQueryOutput>(await env.call('smart_file_query', { file_path: path, question: 'q', provider: 'kimi' }));
    expect(second.file.upload).toBe('uploaded');
    expect(second.file.file_id).not.toBe(first.file.file_id);
    const uploads = await env.storage.uploads.list({ provider: 'kimi' });
    expect(uploads.map((upload) => upload.status).sort()).toEqual(['deleted', 'uploaded']);
  });

  it('names the key variables when no provider is configured, and refuses paths outside the roots', async () => {
    env = await startVendorSim({ glm: false, kimi: false });
    const path = join(env.dir, 'd.txt');
    await writeFile(path, 'delta\n');
    const none = await env.call('smart_file_query', { file_path: path, question: 'q' });
    expect(textOf(none)).toMatch(/^Neither KIMI_API_KEY nor GLM_API_KEY is set/);
    const outside = await env.call('smart_file_query', { file_path: '/etc/hostname', question: 'q' });
    expect(textOf(outside)).toMatch(/outside the allowed folders/);
  });
});
