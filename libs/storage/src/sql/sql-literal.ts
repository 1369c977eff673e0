/**
 * A parameter value as a PostgreSQL literal, typed by the context it lands in (a quoted literal is
 * of unknown type until then, as a bound parameter is): strings quoted with `'` doubled (with
 * `standard_conforming_strings` on, the default since PostgreSQL 9.1, nothing else is special),
 * `Date`s as ISO 8601, bytes as `bytea` hex, arrays as array literals, other objects as JSON, null
 * and undefined as `NULL`. The same text PGlite's own parameter serialisation sends.
 *
 * Throws, as PostgreSQL does for a bound parameter, on a string holding a NUL character: the simple
 * query protocol would otherwise cut the statement there.
 */
export function sqlLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return quote(literalText(value));
}

function literalText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
  if (Array.isArray(value)) return arrayLiteral(value);
  return JSON.stringify(value);
}

/** `{"a","b \"quoted\"",NULL}`: every element quoted, `"` and `\` escaped inside. */
function arrayLiteral(items: readonly unknown[]): string {
  const parts = items.map((item) => {
    if (item === null || item === undefined) return 'NULL';
    if (Array.isArray(item)) return arrayLiteral(item);
    const text = typeof item === 'boolean' ? (item ? 'true' : 'false') : literalText(item);
    return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
  });
  return `{${parts.join(',')}}`;
}

function quote(text: string): string {
  if (text.includes('\0')) throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021', severity: 'ERROR' });
  return `'${text.replaceAll("'", "''")}'`;
}
