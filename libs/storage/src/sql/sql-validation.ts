import { requireUuid } from '../validate-input.js';

export { isUuid, listLimit, requireUuid } from '../validate-input.js';

/** `value` (a UUID) or undefined when absent; an `InvalidStorageInputError` naming `field` otherwise. */
export function optionalUuid(field: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : requireUuid(value, field);
}

/** JSON text for a `jsonb` parameter (both drivers pass a string through unchanged). */
export function jsonParam(value: unknown): string {
  return JSON.stringify(value);
}
