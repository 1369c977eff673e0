/**
 * A deep copy of JSON-like data with `Date`s and `Uint8Array`s, so callers never share an object
 * with the store. Not `structuredClone`: it builds its copies from the main realm's constructors,
 * so a `Date` copied inside a `vm` context (Jest) would fail `instanceof Date` there.
 */
export function deepCopy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => deepCopy(item)) as T;
  const copied: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copied[key] = deepCopy(item);
  return copied as T;
}
