import { ExaiError } from '@exai/router/spec';

/** Marks an instance as `name`, for `isInstance` checks that survive duplicate installs. */
function mark(instance: object, name: string): void {
  Object.defineProperty(instance, Symbol.for(`exai.error.${name}`), { value: true });
}

/** Whether `error` was marked as `name`. */
function isMarked(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[Symbol.for(`exai.error.${name}`)] === true;
}

/** A thread, file or upload that does not exist in the caller's scope (or belongs to someone else). */
export class StorageNotFoundError extends ExaiError {
  readonly resource: string;
  constructor(options: { resource: string; message?: string }) {
    super('storage_not_found', { message: options.message ?? `${options.resource} was not found (or is not yours).` });
    this.name = 'StorageNotFoundError';
    mark(this, 'StorageNotFoundError');
    this.resource = options.resource;
  }

  static override isInstance(error: unknown): error is StorageNotFoundError {
    return isMarked(error, 'StorageNotFoundError');
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
    mark(this, 'QuotaExceededError');
    this.quotaBytes = options.quotaBytes;
    this.usedBytes = options.usedBytes;
    this.requestedBytes = options.requestedBytes;
  }

  static override isInstance(error: unknown): error is QuotaExceededError {
    return isMarked(error, 'QuotaExceededError');
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
    mark(this, 'FileTooLargeError');
    this.sizeBytes = options.sizeBytes;
    this.limitBytes = options.limitBytes;
  }

  static override isInstance(error: unknown): error is FileTooLargeError {
    return isMarked(error, 'FileTooLargeError');
  }
}

/** Input a repository refuses (a bad id, an empty filename); names the field. */
export class InvalidStorageInputError extends ExaiError {
  readonly field: string;
  constructor(options: { field: string; message: string }) {
    super('invalid_storage_input', { message: `${options.field}: ${options.message}` });
    this.name = 'InvalidStorageInputError';
    mark(this, 'InvalidStorageInputError');
    this.field = options.field;
  }

  static override isInstance(error: unknown): error is InvalidStorageInputError {
    return isMarked(error, 'InvalidStorageInputError');
  }
}

/** The database cannot be reached and the call cannot be journaled (a read with nothing cached, a file's bytes). */
export class StorageUnavailableError extends ExaiError {
  constructor(options: { message: string; cause?: unknown }) {
    super('storage_unavailable', options);
    this.name = 'StorageUnavailableError';
    mark(this, 'StorageUnavailableError');
  }

  static override isInstance(error: unknown): error is StorageUnavailableError {
    return isMarked(error, 'StorageUnavailableError');
  }
}

/** Storage settings that cannot work (unknown EXAI_STORAGE, missing DATABASE_URL); names the setting. */
export class StorageConfigError extends ExaiError {
  readonly setting: string;
  constructor(options: { setting: string; message: string }) {
    super('storage_config', { message: `${options.setting}: ${options.message}` });
    this.name = 'StorageConfigError';
    mark(this, 'StorageConfigError');
    this.setting = options.setting;
  }

  static override isInstance(error: unknown): error is StorageConfigError {
    return isMarked(error, 'StorageConfigError');
  }
}
