import { ExaiError } from '@exai/router/spec';

/** A thread, file or upload that does not exist in the caller's scope (or belongs to someone else). */
export class StorageNotFoundError extends ExaiError {
  readonly resource: string;
  constructor(options: { resource: string; message?: string }) {
    super('storage_not_found', { message: options.message ?? `${options.resource} was not found (or is not yours).` });
    this.name = 'StorageNotFoundError';
    this.resource = options.resource;
  }
}

/** A write that would take the user past their storage quota; nothing was written. */
export class QuotaExceededError extends ExaiError {
  readonly quotaBytes: number;
  readonly usedBytes: number;
  readonly requestedBytes: number;
  constructor(options: { quotaBytes: number; usedBytes: number; requestedBytes: number }) {
    const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
    super('quota_exceeded', {
      message:
        `Storing ${mb(options.requestedBytes)} would exceed your storage quota: ${mb(options.usedBytes)} of ${mb(options.quotaBytes)} used. ` +
        'Delete files you no longer need, or ask an administrator to raise the quota.',
    });
    this.name = 'QuotaExceededError';
    this.quotaBytes = options.quotaBytes;
    this.usedBytes = options.usedBytes;
    this.requestedBytes = options.requestedBytes;
  }
}

/** An object above the buckets' 100 MB limit. */
export class FileTooLargeError extends ExaiError {
  readonly sizeBytes: number;
  readonly limitBytes: number;
  constructor(options: { filename: string; sizeBytes: number; limitBytes: number }) {
    super('file_too_large', {
      message: `${options.filename} is ${options.sizeBytes} bytes; files are limited to ${options.limitBytes} bytes (100 MB).`,
    });
    this.name = 'FileTooLargeError';
    this.sizeBytes = options.sizeBytes;
    this.limitBytes = options.limitBytes;
  }
}

/** Input a repository refuses (a bad id, an empty filename); names the field. */
export class InvalidStorageInputError extends ExaiError {
  readonly field: string;
  constructor(options: { field: string; message: string }) {
    super('invalid_storage_input', { message: `${options.field}: ${options.message}` });
    this.name = 'InvalidStorageInputError';
    this.field = options.field;
  }
}

/** The database cannot be reached and the call cannot be journaled (a read with nothing cached, a file's bytes). */
export class StorageUnavailableError extends ExaiError {
  constructor(options: { message: string; cause?: unknown }) {
    super('storage_unavailable', options);
    this.name = 'StorageUnavailableError';
  }
}

/** Storage settings that cannot work (unknown EXAI_STORAGE, missing DATABASE_URL); names the setting. */
export class StorageConfigError extends ExaiError {
  readonly setting: string;
  constructor(options: { setting: string; message: string }) {
    super('storage_config', { message: `${options.setting}: ${options.message}` });
    this.name = 'StorageConfigError';
    this.setting = options.setting;
  }
}
