import type { BucketName } from '../storage-records.js';

/** Where file bytes live: one object per `bucket` and `path` (`{owner}/{sha[0:2]}/{sha}/{filename}`). */
export interface BucketStore {
  /** Where the bytes live (a folder), for status reports. */
  readonly location: string;
  /** Stores `bytes` atomically: a reader sees the old object or the whole new one, never a part. */
  write(bucket: BucketName, path: string, bytes: Uint8Array): Promise<void>;
  /** The object's bytes; `StorageNotFoundError` when there is none. */
  read(bucket: BucketName, path: string): Promise<Uint8Array>;
  /** Removes the object; false when there was none. */
  delete(bucket: BucketName, path: string): Promise<boolean>;
}
