import { ExaiError } from '@exai/router/spec';
import { InvalidStorageInputError, StorageConfigError, StorageNotFoundError, StorageUnavailableError } from '../storage-errors.js';

/** What PostgREST (through postgrest-js) reports for a failed request. */
export interface PostgrestErrorFields {
  message?: string;
  code?: string;
  details?: string | null;
  hint?: string | null;
}

/** What storage-js reports for a failed request (`StorageApiError`, or `StorageUnknownError` without a status). */
export interface StorageErrorFields {
  message?: string;
  status?: number;
  statusCode?: string;
  name?: string;
}

/** Code of the error for a request Supabase refused for its credentials (401/403). */
export const ACCESS_DENIED_CODE = 'storage_access_denied';

/**
 * Statuses that mean "cannot serve now" rather than "refused": 5xx, and 429 from the gateway's rate
 * limit, which passes like an outage (the journal keeps the writes meanwhile).
 */
export function isOutageStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

const schemaCodes = new Set(['PGRST106', 'PGRST202', 'PGRST204', 'PGRST205', '42P01', '42703', '42883']);

function accessDenied(operation: string, detail: string): ExaiError {
  return new ExaiError(ACCESS_DENIED_CODE, {
    message:
      `${operation}: Supabase refused the request (${detail}). Check SUPABASE_SERVICE_ROLE_KEY, and that ` +
      "SUPABASE_JWT_SECRET is the project's JWT secret (Project Settings → API → JWT secret).",
  });
}

function unavailable(operation: string, detail: string, cause?: unknown): StorageUnavailableError {
  return new StorageUnavailableError({ message: `${operation}: Supabase cannot be reached (${detail}).`, ...(cause === undefined ? {} : { cause }) });
}

/** The column a constraint message names (`Key (owner_id, sha256)=(…) already exists.`), or undefined. */
function columnOf(error: PostgrestErrorFields): string | undefined {
  const key = /Key \(([^)]+)\)/.exec(error.details ?? '');
  if (key?.[1]) return key[1];
  const column = /column "([^"]+)"/.exec(error.message ?? '');
  return column?.[1];
}

/** The table a PostgreSQL message names (`… for table "messages"`), or undefined. */
function tableOf(error: PostgrestErrorFields): string | undefined {
  return /table "([^"]+)"/.exec(error.message ?? '')?.[1];
}

/**
 * Turns a failed PostgREST request into exai's errors. Unreachable (postgrest-js reports a fetch
 * that threw as status 0), a 5xx or 429, or PostgREST's own connection errors (`PGRST000`–`PGRST003`:
 * cannot connect, pool timeout, schema cache not loaded) → `StorageUnavailableError`, which the
 * journal reads as "the database is down". 401/403 → an `ExaiError` coded `storage_access_denied`,
 * except a row-level-security violation, which means the row belongs to another user (or would):
 * `InvalidStorageInputError`, as the SQL adapter says. Foreign-key violations (23503) →
 * `StorageNotFoundError`; other integrity and data errors (23xxx, 22xxx) → `InvalidStorageInputError`;
 * a missing table, column or function → `StorageConfigError` (the migrations are not applied).
 * Codes: https://docs.postgrest.org/en/stable/references/errors.html
 */
export function mapPostgrestError(operation: string, error: PostgrestErrorFields, status: number): ExaiError {
  const code = error.code ?? '';
  const message = error.message ?? 'no message';
  if (status === 0) {
    // postgrest-js puts the socket error's code in `details` ("Caused by: … (ECONNREFUSED)").
    const socketCode = /\(((?:E[A-Z]+)|(?:UND_ERR_\w+))\)/.exec(error.details ?? '')?.[1];
    return unavailable(operation, socketCode ? `${message}, ${socketCode}` : message);
  }
  if (isOutageStatus(status) || /^PGRST00\d$/.test(code)) return unavailable(operation, `${status} ${code} ${message}`.replace(/\s+/g, ' '));
  if (code === '42501' && message.includes('row-level security')) {
    return new InvalidStorageInputError({ field: tableOf(error) ?? 'row', message: `${message}: the row belongs to another user, or would.` });
  }
  if (status === 401 || status === 403 || code === '42501') return accessDenied(operation, `${status} ${code} ${message}`.replace(/\s+/g, ' '));
  if (code === '23503') return new StorageNotFoundError({ resource: tableOf(error) ?? 'row', message: `${operation}: a referenced row does not exist (or is not yours): ${message}` });
  if (code.startsWith('23') || code.startsWith('22')) {
    return new InvalidStorageInputError({ field: columnOf(error) ?? 'input', message: error.details ? `${message} (${error.details})` : message });
  }
  if (schemaCodes.has(code)) {
    return new StorageConfigError({
      setting: 'SUPABASE_URL',
      message:
        `${operation}: the project lacks part of exai's schema (${code}: ${message}). Apply supabase/migrations ` +
        "to it, and list the `monitoring` schema under the API's exposed schemas.",
    });
  }
  return new ExaiError('storage_error', { message: `${operation}: Supabase answered ${status} ${code} ${message}`.replace(/\s+/g, ' ') });
}

/**
 * Turns a failed Storage API request into exai's errors, like {@link mapPostgrestError}. Storage
 * puts the real status in the body's `statusCode` (older versions answer HTTP 400 with
 * `statusCode: "404"`), so that wins over the HTTP status. A `StorageUnknownError` has no status:
 * the request never got an answer.
 */
export function mapStorageError(operation: string, error: StorageErrorFields, resource: string): ExaiError {
  const fromBody = Number(error.statusCode);
  const status = Number.isInteger(fromBody) && fromBody >= 100 ? fromBody : error.status;
  const message = error.message ?? 'no message';
  if (status === undefined || isOutageStatus(status)) return unavailable(operation, status === undefined ? message : `${status} ${message}`, error);
  if (status === 404) return new StorageNotFoundError({ resource });
  if (status === 401 || status === 403) return accessDenied(operation, `${status} ${message}`);
  if (status === 400 || status === 409 || status === 413 || status === 422) return new InvalidStorageInputError({ field: 'path', message: `${operation}: ${message}` });
  return new ExaiError('storage_error', { message: `${operation}: Supabase Storage answered ${status} ${message}` });
}

/** True for a Storage answer that the object already exists (409 `Duplicate`; HTTP 400 with `statusCode: "409"` on older versions). */
export function isDuplicateObject(error: StorageErrorFields): boolean {
  return error.statusCode === '409' || error.status === 409;
}
