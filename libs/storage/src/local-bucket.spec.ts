import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalBucket } from './local-bucket.js';
import { InvalidStorageInputError, StorageNotFoundError } from './storage-errors.js';
import type { BucketName } from './storage-records.js';

describe('LocalBucket', () => {
  let dir: string;
  let bucket: LocalBucket;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exai-local-bucket-'));
    bucket = new LocalBucket(dir);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes, overwrites, reads and deletes under <dir>/<bucket>/<path>, leaving no temporary files', async () => {
    const path = 'owner/ab/abcdef/notes.md';
    await bucket.write('user-files', path, new TextEncoder().encode('first'));
    await bucket.write('user-files', path, new TextEncoder().encode('second'));
    expect(new TextDecoder().decode(await bucket.read('user-files', path))).toBe('second');
    expect(await readdir(join(dir, 'user-files', 'owner', 'ab', 'abcdef'))).toEqual(['notes.md']);
    expect(await bucket.delete('user-files', path)).toBe(true);
    expect(await bucket.delete('user-files', path)).toBe(false);
    await expect(bucket.read('user-files', path)).rejects.toBeInstanceOf(StorageNotFoundError);
    // The emptied folders go too, up to the bucket.
    await expect(stat(join(dir, 'user-files', 'owner'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dir, 'user-files'))).resolves.toBeDefined();
  });

  it('keeps folders that still hold other objects', async () => {
    await bucket.write('results', 'o/aa/1/a.txt', new Uint8Array([1]));
    await bucket.write('results', 'o/aa/2/b.txt', new Uint8Array([2]));
    await bucket.delete('results', 'o/aa/1/a.txt');
    expect(await readdir(join(dir, 'results', 'o', 'aa'))).toEqual(['2']);
  });

  it.each([
    ['a parent step', 'user-files', '../outside.txt'],
    ['a deeper escape', 'user-files', 'owner/../../../etc/passwd'],
    ['an absolute path', 'user-files', '/etc/passwd'],
    ['a NUL byte', 'user-files', 'owner/a\0b'],
    ['an empty path', 'user-files', ''],
    ['the bucket folder itself', 'user-files', '.'],
    ['a bucket that climbs', '..', 'x.txt'],
    ['a bucket with a separator', 'user-files/../results', 'x.txt'],
  ])('refuses %s', async (_label, bucketName, path) => {
    const escape = bucket.write(bucketName as BucketName, path, new Uint8Array([1]));
    await expect(escape).rejects.toBeInstanceOf(InvalidStorageInputError);
    await expect(bucket.read(bucketName as BucketName, path)).rejects.toBeInstanceOf(InvalidStorageInputError);
    await expect(bucket.delete(bucketName as BucketName, path)).rejects.toBeInstanceOf(InvalidStorageInputError);
  });

  it('cannot be steered into a sibling folder sharing its name as a prefix', async () => {
    await mkdir(`${dir}-evil`, { recursive: true });
    try {
      await expect(bucket.write('user-files', `../../${dir.split('/').pop()}-evil/x`, new Uint8Array([1]))).rejects.toBeInstanceOf(InvalidStorageInputError);
      await writeFile(join(`${dir}-evil`, 'keep'), 'x');
      expect(await readdir(`${dir}-evil`)).toEqual(['keep']);
    } finally {
      await rm(`${dir}-evil`, { recursive: true, force: true });
    }
  });
});
