import { ExaiError } from '@exai/router/spec';
import { InvalidStorageInputError, StorageNotFoundError, StorageUnavailableError } from '../storage-errors.js';

/** Socket errors that mean the server cannot be reached (or went away). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** node-postgres and PGlite say these in words, without a code. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Cannot use a pool after calling end',
  'PGlite is closed',
];

interface DatabaseErrorFields {
  code?: unknown;
  message?: unknown;
  table?: unknown;
  constraint?: unknown;
  column?: unknown;
  detail?: unknown;
  errors?: unknown;
}

/**
 * True when `error` says the database is unreachable rather than that it refused a statement:
 * a socket error, SQLSTATE class 08 (connection exception), 57P01–57P05 (shutdown, crash, cannot
 * connect now, database dropped, idle session timeout), or node-postgres' pool and termination errors.
 */
export function isConnectionError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const fields = error as DatabaseErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : '';
  if (NETWORK_CODES.has(code) || code.startsWith('08') || /^57P0[1-5]$/.test(code)) return true;
  const message = typeof fields.message === 'string' ? fields.message : '';
  if (CONNECTION_MESSAGES.some((text) => message.includes(text))) return true;
  // Node reports a failed connect to every address of a host as an AggregateError.
  return Array.isArray(fields.errors) && fields.errors.some(isConnectionError);
}

/**
 * Turns a database error into exai's typed errors: unreachable → `StorageUnavailableError` (the
 * journal reads exactly this as "the database is down"), foreign-key violations →
 * `StorageNotFoundError`, other constraint, input and row-level-security violations →
 * `InvalidStorageInputError`. exai errors and anything else pass through unchanged.
 */
export function mapSqlError(error: unknown): unknown {
  if (ExaiError.isInstance(error)) return error;
  if (isConnectionError(error)) {
    const detail = error instanceof Error ? error.message : String(error);
    return new StorageUnavailableError({ message: `The database cannot be reached: ${detail}`, cause: error });
  }
  if (typeof error !== 'object' || error === null) return error;
  const fields = error as DatabaseErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : '';
  const message = typeof fields.message === 'string' ? fields.message : 'refused';
  // Row-level-security errors name their table only in the message.
  const table = typeof fields.table === 'string' ? fields.table : /for table "([^"]+)"/.exec(message)?.[1];
  const field = (typeof fields.column === 'string' ? fields.column : undefined) ?? (typeof fields.constraint === 'string' ? fields.constraint : undefined) ?? table ?? 'input';
  switch (true) {
    case code === '23503':
      return new StorageNotFoundError({ resource: table ?? 'row', message: `${message}: a referenced row does not exist (or is not yours).` });
    case code === '42501' && message.includes('row-level security'):
      return new InvalidStorageInputError({ field: table ?? 'row', message: `${message}: the row belongs to another user, or would.` });
    case code.startsWith('23'):
    case code.startsWith('22'):
      return new InvalidStorageInputError({ field, message: typeof fields.detail === 'string' ? `${message} (${fields.detail})` : message });
    default:
      return error;
  }
}
