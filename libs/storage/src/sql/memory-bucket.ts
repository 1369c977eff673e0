import { StorageNotFoundError } from '../storage-errors.js';
import type { BucketName } from '../storage-records.js';
import type { BucketStore } from './bucket-store.js';

/** Bucket objects in memory, for an in-memory database: gone with the process. */
export class MemoryBucket implements BucketStore {
  readonly location = 'memory';
  readonly #objects = new Map<string, Uint8Array>();

  async write(bucket: BucketName, path: string, bytes: Uint8Array): Promise<void> {
    // A copy, so a caller reusing its buffer cannot change what was stored.
    this.#objects.set(`${bucket}/${path}`, new Uint8Array(bytes));
  }

  async read(bucket: BucketName, path: string): Promise<Uint8Array> {
    const bytes = this.#objects.get(`${bucket}/${path}`);
    if (bytes === undefined) throw new StorageNotFoundError({ resource: `object ${bucket}/${path}` });
    return new Uint8Array(bytes);
  }

  async delete(bucket: BucketName, path: string): Promise<boolean> {
    return this.#objects.delete(`${bucket}/${path}`);
  }
}
