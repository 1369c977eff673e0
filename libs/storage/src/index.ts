export * from './storage-records.js';
export type * from './storage.js';
export {
  StorageNotFoundError,
  QuotaExceededError,
  FileTooLargeError,
  InvalidStorageInputError,
  StorageUnavailableError,
  StorageConfigError,
} from './storage-errors.js';
