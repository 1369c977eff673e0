import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import type { BucketStore } from './sql/bucket-store.js';
import { InvalidStorageInputError, StorageNotFoundError } from './storage-errors.js';
import type { BucketName } from './storage-records.js';

/**
 * Bucket objects as files under `<directory>/<bucket>/<path>`. Writes are atomic (a temporary file
 * in the same folder, fsync, rename), and every path is checked to stay inside `directory`.
 */
export class LocalBucket implements BucketStore {
  readonly location: string;

  constructor(directory: string) {
    this.location = resolve(directory);
  }

  /** The file of `bucket`/`path`; `InvalidStorageInputError` for anything resolving outside the folder. */
  resolvePath(bucket: BucketName, path: string): string {
    // Typed as a bucket name, but it may come from anywhere at run time.
    const name: string = bucket;
    if (name === '' || /[/\\\0]/.test(name) || name === '.' || name === '..') {
      throw new InvalidStorageInputError({ field: 'bucket', message: `${JSON.stringify(bucket)} is not a bucket name.` });
    }
    if (path === '' || path.includes('\0') || isAbsolute(path)) {
      throw new InvalidStorageInputError({ field: 'path', message: `${JSON.stringify(path)} is not a relative object path.` });
    }
    const bucketRoot = resolve(this.location, bucket);
    const target = resolve(bucketRoot, path);
    if (!target.startsWith(bucketRoot + sep)) {
      throw new InvalidStorageInputError({ field: 'path', message: `${JSON.stringify(path)} resolves outside the ${bucket} bucket.` });
    }
    return target;
  }

  async write(bucket: BucketName, path: string, bytes: Uint8Array): Promise<void> {
    const target = this.resolvePath(bucket, path);
    // Named after no part of the object, so a long filename cannot push it past the name limit.
    const temporary = resolve(dirname(target), `.${randomUUID()}.tmp`);
    const handle = await openFresh(temporary);
    try {
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dirname(target));
  }

  async read(bucket: BucketName, path: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.resolvePath(bucket, path)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new StorageNotFoundError({ resource: `object ${bucket}/${path}` });
      throw error;
    }
  }

  async delete(bucket: BucketName, path: string): Promise<boolean> {
    const target = this.resolvePath(bucket, path);
    try {
      await unlink(target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    await this.#removeEmptyFolders(dirname(target), resolve(this.location, bucket));
    return true;
  }

  /** Removes the `{sha}` and `{sha[0:2]}` folders (and up) once empty, so deleted files leave no trail. */
  async #removeEmptyFolders(from: string, bucketRoot: string): Promise<void> {
    for (let dir = from; dir.startsWith(bucketRoot + sep); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }
}

/** Creates `file` and its folders; once more if a concurrent delete removed a folder just made. */
async function openFresh(file: string): Promise<FileHandle> {
  for (let attempt = 0; ; attempt++) {
    await mkdir(dirname(file), { recursive: true });
    try {
      return await open(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 0) throw error;
    }
  }
}

/** Makes a rename durable: the new directory entry reaches the disk, not only the file's bytes. */
async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the file's own fsync already happened.
  } finally {
    await handle.close();
  }
}
