import { InvalidStorageInputError } from './storage-errors.js';

// PostgreSQL's `uuid` type accepts any version and either case, and prints lower case.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const sha256Pattern = /^[0-9a-f]{64}$/;

/** True when `value` is a UUID as PostgreSQL's `uuid` type reads it. */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value);
}

/**
 * `value` in lower case (as PostgreSQL prints a `uuid`, so every adapter returns the same id), or an
 * `InvalidStorageInputError` naming `field`. Checked before any I/O, so a bad id never costs a round trip.
 */
export function requireUuid(value: unknown, field: string): string {
  if (!isUuid(value)) throw new InvalidStorageInputError({ field, message: `must be a UUID (the JWT subject), got ${JSON.stringify(value)}` });
  return value.toLowerCase();
}

/** `value` when it is 64 lower-case hex digits (the schema's check on every `sha256` column). */
export function requireSha256(value: unknown, field = 'sha256'): string {
  if (typeof value !== 'string' || !sha256Pattern.test(value)) throw new InvalidStorageInputError({ field, message: 'must be 64 lower-case hex digits' });
  return value;
}

/** A non-empty string, or an `InvalidStorageInputError` naming `field`. */
export function requireText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidStorageInputError({ field, message: 'must be a non-empty string' });
  return value;
}

/** `value` when it is one of `allowed`, or an `InvalidStorageInputError` naming `field`. */
export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!allowed.includes(value as T)) throw new InvalidStorageInputError({ field, message: `must be one of ${allowed.join(', ')}` });
  return value as T;
}

/**
 * A list's row limit: `fallback` when absent, at most `max` (500: below the 1000 rows Supabase's
 * PostgREST answers at most, so no adapter silently cuts a list); anything but a positive integer is refused.
 */
export function listLimit(limit: number | undefined, fallback = 50, max = 500): number {
  if (limit === undefined) return fallback;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidStorageInputError({ field: 'limit', message: `must be a positive integer, got ${limit}` });
  return Math.min(limit, max);
}
