import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { embedFiles } from './embed-files.js';
import { ToolInputError } from '../tool-input-error.js';

const dir = mkdtempSync(join(tmpdir(), 'exai-embed-'));

describe('embedFiles', () => {
  it('numbers lines, right-aligned, inside BEGIN/END markers', async () => {
    const file = join(dir, 'ten.txt');
    writeFileSync(file, Array.from({ length: 10 }, (_, index) => `line ${index + 1}`).join('\n') + '\n');
    const [embedded] = await embedFiles([file]);
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
    const [first, second] = await embedFiles([crlf, empty]);
    expect(first?.block).toContain('1│ a\n2│ b\n');
    expect(second?.lines).toBe(0);
  });

  it('follows a symlink to a regular file', async () => {
    const target = join(dir, 'target.txt');
    writeFileSync(target, 'hello');
    const link = join(dir, 'link.txt');
    symlinkSync(target, link);
    const [embedded] = await embedFiles([link]);
    expect(embedded?.block).toContain('1│ hello');
  });

  it('reports every bad path at once, naming each, as an invalid files argument', async () => {
    const big = join(dir, 'big.txt');
    writeFileSync(big, 'x'.repeat(2000));
    const binary = join(dir, 'bin.dat');
    writeFileSync(binary, Buffer.from([104, 0, 105]));
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    const error = await embedFiles(['rel.txt', join(dir, 'nope.txt'), big, binary, folder], { maxFileBytes: 1000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ToolInputError);
    const message = (error as ToolInputError).message;
    expect((error as ToolInputError).field).toBe('files');
    expect(message).toContain('Cannot use 5 files');
    expect(message).toContain('rel.txt: not an absolute path');
    expect(message).toContain('nope.txt: no such file');
    expect(message).toContain('big.txt: 2000 bytes is over the 1000-byte limit');
    expect(message).toContain('bin.dat: binary file');
    expect(message).toContain('folder: not a regular file');
  });

  it('reports an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads everything; the permission check cannot fail here
    const secret = join(dir, 'secret.txt');
    writeFileSync(secret, 'x');
    chmodSync(secret, 0o000);
    await expect(embedFiles([secret])).rejects.toThrow('cannot be read');
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(embedFiles([join(dir, 'ten.txt')], { signal: controller.signal })).rejects.toThrow();
  });
});
