import { chmodSync, mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { embedFiles, embedFilesWithinBudget } from './embed-files.js';
import { createFileAccessPolicy } from './file-access.js';
import { ToolInputError } from '../tool-input-error.js';

const dir = realpathSync(mkdtempSync(join(tmpdir(), 'exai-embed-')));
const policy = createFileAccessPolicy([dir]);

describe('embedFiles', () => {
  it('numbers lines, right-aligned, inside BEGIN/END markers', async () => {
    const file = join(dir, 'ten.txt');
    writeFileSync(file, Array.from({ length: 10 }, (_, index) => `line ${index + 1}`).join('\n') + '\n');
    const [embedded] = await embedFiles([file], { policy });
    expect(embedded?.lines).toBe(10);
    expect(embedded?.block.split('\n')[0]).toBe(`--- BEGIN FILE: ${file} (10 lines) ---`);
    expect(embedded?.block).toContain(' 1│ line 1\n');
    expect(embedded?.block).toContain('10│ line 10\n');
    expect(embedded?.block.endsWith(`--- END FILE: ${file} ---`)).toBe(true);
  });

  it('handles CRLF and empty files', async () => {
    const crlf = join(dir, 'crlf.txt');
    writeFileSync(crlf, 'a\r\nb\r\n');
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const [first, second] = await embedFiles([crlf, empty], { policy });
    expect(first?.block).toContain('1│ a\n2│ b\n');
    expect(second?.lines).toBe(0);
    expect(second?.skipped).toBeUndefined();
  });

  it('follows a symlink to a file inside the roots and embeds a file once by its real path', async () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'hello');
    const link = join(dir, 'link.txt');
    symlinkSync(target, link);
    const embedded = await embedFiles([link, target], { policy });
    expect(embedded).toHaveLength(1);
    expect(embedded[0]?.path).toBe(target);
    expect(embedded[0]?.block).toContain('1│ hello');
  });

  it('skips binary and oversized files with a note instead of failing the call', async () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(2000));
    const binary = join(dir, 'bin.dat');
    writeFileSync(binary, Buffer.from([104, 0, 105]));
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'ok');
    const embedded = await embedFiles([big, binary, small], { policy, maxFileBytes: 1000 });
    expect(embedded.map((file) => [file.path, file.skipped])).toEqual([
      [big, '2000 bytes is over the 1000-byte limit (EXAI_MAX_FILE_BYTES); pass the relevant part of it'],
      [binary, 'binary file; only text files are embedded'],
      [small, undefined],
    ]);
    expect(embedded[1]?.block).toBe(`--- SKIPPED FILE: ${binary} (binary file; only text files are embedded) ---`);
  });

  it('expands a folder, and skips the secrets and build output in it', async () => {
    const project = join(dir, 'project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    writeFileSync(join(project, 'node_modules', 'dep.js'), 'x');
    writeFileSync(join(project, 'main.ts'), 'main');
    writeFileSync(join(project, '.env'), 'KEY=1');
    const embedded = await embedFiles([project], { policy });
    expect(embedded.map((file) => [file.path, file.skipped !== undefined])).toEqual([
      [join(project, 'main.ts'), false],
      [join(project, '.env'), true],
    ]);
  });

  it('fails for bad paths, naming every one, and says which files would be skipped', async () => {
    const binary = join(dir, 'bin2.dat');
    writeFileSync(binary, Buffer.from([0, 1]));
    const outside = realpathSync(mkdtempSync(join(tmpdir(), 'exai-outside-')));
    writeFileSync(join(outside, 'o.txt'), 'x');
    const error = await embedFiles(['rel.txt', join(dir, 'nope.txt'), join(outside, 'o.txt'), binary], { policy }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolInputError);
    const message = (error as ToolInputError).message;
    expect((error as ToolInputError).field).toBe('files');
    expect(message).toContain('Cannot use 3 paths');
    expect(message).toContain('rel.txt: not an absolute path');
    expect(message).toContain('nope.txt: no such file');
    expect(message).toContain('o.txt: outside the allowed folders');
    expect(message).toContain(`These would be skipped:\n- ${binary}: binary file`);
  });

  it('notes an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads everything; the permission check cannot fail here
    const secret = join(dir, 'locked.txt');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0o000);
    const [embedded] = await embedFiles([secret], { policy });
    expect(embedded?.skipped).toContain('cannot be read');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedFiles([join(dir, 'ten.txt')], { policy, signal: controller.signal })).rejects.toThrow();
  });
});

describe('embedFilesWithinBudget', () => {
  const folder = join(dir, 'budget');
  mkdirSync(folder);
  const a = join(folder, 'a.txt');
  const b = join(folder, 'b.txt');
  const c = join(folder, 'c.txt');
  writeFileSync(a, 'a'.repeat(300));
  writeFileSync(b, 'b'.repeat(3000));
  writeFileSync(c, 'c'.repeat(100));

  it('embeds in order while the blocks fit, skipping what does not (a later, smaller file still fits)', async () => {
    const result = await embedFilesWithinBudget([a, b, c], { policy, budgetChars: 800 });
    expect(result.embedded).toEqual([a, c]);
    expect(result.skipped.map((skip) => skip.path)).toEqual([b]);
    expect(result.skipped[0]?.reason).toContain('file budget');
    expect(result.text).toContain(`--- BEGIN FILE: ${a} (1 lines) ---`);
    expect(result.text).toContain(`--- BEGIN FILE: ${c} (1 lines) ---`);
    expect(result.text.endsWith(`Files not embedded:\n- ${b}: ${result.skipped[0]?.reason}`)).toBe(true);
    expect(result.text.length).toBeLessThan(800 + result.skipped[0]!.reason.length + b.length + 30);
  });

  it('leaves out excluded real paths silently and notes bad paths when asked to skip them', async () => {
    const result = await embedFilesWithinBudget([a, join(folder, 'gone.txt'), c], { policy, budgetChars: 10_000, exclude: [a], badPaths: 'skip' });
    expect(result.embedded).toEqual([c]);
    expect(result.skipped).toEqual([{ path: join(folder, 'gone.txt'), reason: 'no such file' }]);
  });

  it('returns empty text when nothing is embedded or skipped', async () => {
    expect(await embedFilesWithinBudget([a], { policy, budgetChars: 100, exclude: [a] })).toEqual({ text: '', embedded: [], skipped: [] });
  });
});
