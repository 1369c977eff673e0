import { ToolInputError } from './tool-input-error.js';

/** Longest rendering of the offending value in the error. */
const SHOWN_CHARS = 200;

/**
 * `input` unchanged, or a {@link ToolInputError} naming the first argument whose text holds U+0000.
 * PostgreSQL stores no NUL in `text` or `jsonb`, so such a value failed deep inside a call (a thread
 * write, the activity record) with the database's message, on PGlite, PostgreSQL and Supabase but not
 * on memory storage; refused at the edge, it fails the same clear way on every storage.
 */
export function requireNoNulCharacters<T>(input: T): T {
  const found = findNul(input, '');
  if (found) {
    const shown = JSON.stringify(found.value.length > SHOWN_CHARS ? `${found.value.slice(0, SHOWN_CHARS)}…` : found.value);
    throw new ToolInputError(found.field, `${found.field} (${shown}) holds a NUL character (U+0000), which exai does not accept in text: remove it, or pass binary content as a file`);
  }
  return input;
}

function findNul(value: unknown, field: string): { field: string; value: string } | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? { field: field || 'arguments', value } : undefined;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findNul(item, `${field}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const found = findNul(item, field ? `${field}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}
