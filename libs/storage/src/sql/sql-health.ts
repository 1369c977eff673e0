import type { StorageUnavailableError } from '../storage-errors.js';

/** Whether the database answered the last call, for `Storage.status()`. */
export class SqlHealth {
  state: 'up' | 'down' = 'up';
  lastError: string | undefined;

  /** The database answered (even if it refused the statement). */
  answered(): void {
    this.state = 'up';
  }

  /** The database could not be reached. */
  unreachable(error: StorageUnavailableError): void {
    this.state = 'down';
    this.lastError = error.message;
  }
}
