import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { textOf } from '../test-support/tool-harness.js';
import type { FileAnswer } from './ask-with-files.js';
import type { KimiUploadFilesOutput } from './kimi-upload-files-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('kimi_chat_with_files', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('puts every file in as a system message, streams progress and continues the thread', async () => {
    env = await startVendorSim();
    const notes = join(env.dir, 'notes.md');
    const todo = join(env.dir, 'todo.txt');
    await writeFile(notes, '# Notes\nThe cache is LRU.\n');
    await writeFile(todo, 'ship it\n');
    const uploaded = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: [todo] }));
    const todoId = uploaded.files[0]!.file_id!;

    const progress: string[] = [];
    const result = (await env.client.callTool({ name: 'kimi_chat_with_files', arguments: { prompt: 'What cache is used?', files: [notes], file_ids: [todoId] } }, undefined, {
      onprogress: (update) => progress.push(update.message ?? ''),
    })) as CallToolResult;
    const output = structuredOf<FileAnswer>(result);
    expect(output.content).toContain('Read file notes.md (26 chars).');
    expect(output.content).toContain('Read file todo.txt (8 chars).');
    expect(output.files.map((file) => file.filename)).toEqual(['notes.md', 'todo.txt']);
    expect(output.metadata).toMatchObject({ provider: 'kimi', model: 'kimi-k2-0905-preview', streamed: true, continuation_id: output.continuation_id });
    expect(output.metadata.tokens.input).toBeGreaterThan(0);
    expect(progress.join('')).toBe(output.content);
    expect(textOf(result)).toContain('Files: notes.md');

    const chat = env.requests('POST', '/v1/chat/completions').at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(chat.messages.map((message) => message.role)).toEqual(['system', 'system', 'system', 'user']);
    expect(JSON.parse(chat.messages[1]!.content)).toMatchObject({ filename: 'notes.md', type: 'file', content: '# Notes\nThe cache is LRU.\n' });

    // The thread goes on; the same file is not uploaded again.
    const uploadsBefore = env.requests('POST', '/v1/files').length;
    const next = structuredOf<FileAnswer>(await env.call('kimi_chat_with_files', { prompt: 'And the eviction?', files: [notes], continuation_id: output.continuation_id }));
    expect(next.continuation_id).toBe(output.continuation_id);
    expect(env.requests('POST', '/v1/files')).toHaveLength(uploadsBefore);
    const followUp = env.requests('POST', '/v1/chat/completions').at(-1)!.body as { messages: Array<{ role: string; content: string }> };
    expect(followUp.messages.map((message) => message.role)).toEqual(['system', 'system', 'user', 'assistant', 'user']);
  });

  it('refuses to continue a full thread before asking the model', async () => {
    env = await startVendorSim({ maxTurns: 2 });
    const notes = join(env.dir, 'notes.md');
    await writeFile(notes, '# Notes\nThe cache is LRU.\n');
    const first = structuredOf<FileAnswer>(await env.call('kimi_chat_with_files', { prompt: 'What cache is used?', files: [notes] }));
    const asked = env.requests('POST', '/v1/chat/completions').length;
    const full = await env.call('kimi_chat_with_files', { prompt: 'And the eviction?', files: [notes], continuation_id: first.continuation_id });
    expect(full.isError).toBe(true);
    expect(textOf(full)).toContain('MAX_CONVERSATION_TURNS');
    expect(env.requests('POST', '/v1/chat/completions')).toHaveLength(asked);
  });

  it('refuses files over the budget, listing each with its size, before asking', async () => {
    env = await startVendorSim();
    const big = join(env.dir, 'big.txt');
    const small = join(env.dir, 'small.txt');
    await writeFile(big, 'x'.repeat(500));
    await writeFile(small, 'y'.repeat(20));
    const result = await env.call('kimi_chat_with_files', { prompt: 'Summarise', files: [big, small], max_chars: 100 });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/520 chars, over the 100-char budget: .*\(big\.txt\): 500 chars, .*\(small\.txt\): 20 chars/);
    expect(env.requests('POST', '/v1/chat/completions')).toHaveLength(0);
  });

  it('refuses file ids exai did not upload for this user, reading none of them', async () => {
    env = await startVendorSim();
    const good = join(env.dir, 'good.txt');
    await writeFile(good, 'fine\n');
    // Same key, uploaded outside exai: perhaps another user's.
    const foreign = (await env.kimi[0]!.files.upload({ data: new TextEncoder().encode('theirs\n'), filename: 'theirs.txt', purpose: 'file-extract' })).id;
    const result = await env.call('kimi_chat_with_files', { prompt: 'Compare', files: [good], file_ids: [foreign, 'file-unknown'] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain(`Not uploaded through exai for you (or deleted since): ${foreign}, file-unknown.`);
    expect(env.requests('GET', /\/content$/)).toHaveLength(0);
    expect(env.requests('POST', '/v1/chat/completions')).toHaveLength(0);
  });

  it('names every file Kimi cannot extract and asks nothing', async () => {
    env = await startVendorSim();
    const paths = ['one.txt', 'two.txt'].map((name) => join(env!.dir, name));
    for (const path of paths) await writeFile(path, `${path}\n`);
    const uploaded = structuredOf<KimiUploadFilesOutput>(await env.call('kimi_upload_files', { files: paths }));
    env.sim.addFault({ vendor: 'kimi', path: '/content', fault: 'status:500' });
    const result = await env.call('kimi_chat_with_files', { prompt: 'Compare', file_ids: uploaded.files.map((file) => file.file_id) });
    expect(result.isError).toBe(true);
    const text = textOf(result);
    expect(text).toContain('Cannot read 2 of 2 file(s)');
    for (const file of uploaded.files) expect(text).toContain(`- ${file.file_id} (${file.filename}): `);
    expect(env.requests('POST', '/v1/chat/completions')).toHaveLength(0);
  });

  it('uploads a path again when Kimi no longer has its earlier upload, then answers', async () => {
    env = await startVendorSim();
    const notes = join(env.dir, 'notes.md');
    await writeFile(notes, 'Rotate keys monthly.\n');
    const first = structuredOf<FileAnswer>(await env.call('kimi_chat_with_files', { prompt: 'How often?', files: [notes] }));
    const lostId = first.files[0]!.file_id;
    await env.kimi[0]!.files.delete(lostId);

    const result = await env.call('kimi_chat_with_files', { prompt: 'How often again?', files: [notes] });
    expect(result.isError).toBeFalsy();
    const output = structuredOf<FileAnswer>(result);
    expect(output.files[0]!.file_id).not.toBe(lostId);
    expect(output.content).toContain('Read file notes.md (21 chars).');
    expect(env.requests('POST', '/v1/files')).toHaveLength(2);
    expect(env.requests('GET', `/files/${lostId}/content`)).toHaveLength(1);
  });

  it('stops when a path cannot be uploaded, reporting each file', async () => {
    env = await startVendorSim();
    const good = join(env.dir, 'good.txt');
    await writeFile(good, 'fine\n');
    const result = await env.call('kimi_chat_with_files', { prompt: 'Compare', files: [good, join(env.dir, 'gone.txt')] });
    expect(result.isError).toBe(true);
    expect(textOf(result)).toMatch(/✓ .*good\.txt → \S+\n✗ .*gone\.txt: .*no such file/);
    expect(env.requests('POST', '/v1/chat/completions')).toHaveLength(0);
  });

  it('refuses a model of another provider and names KIMI_API_KEY without Kimi', async () => {
    env = await startVendorSim();
    const wrong = await env.call('kimi_chat_with_files', { prompt: 'x', file_ids: ['f'], model: 'glm-4.6' });
    expect(textOf(wrong)).toMatch(/calls Kimi \(Moonshot\) models; glm-4\.6 is a glm model/);
    await env.close();
    env = await startVendorSim({ kimi: false });
    const missing = await env.call('kimi_chat_with_files', { prompt: 'x', file_ids: ['f'] });
    expect(textOf(missing)).toMatch(/^KIMI_API_KEY is not set; kimi_chat_with_files needs/);
  });
});
