/**
 * JSON text to put into a message as it is: numbers JSON.stringify cannot write (`1e400`, `-0`,
 * `1.0000000000000000001`), nesting deeper than a recursive serializer could walk.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of `value`, with {@link RawJson} parts written verbatim. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : toJsonText(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const parts: string[] = [];
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined) continue;
      parts.push(`${JSON.stringify(key)}:${toJsonText(item)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
