/** The replacement of a secret. */
export const REDACTED = '[redacted]';

/**
 * Secrets that could reach a message (a vendor echoing a header, a connection string in a storage
 * error): bearer tokens, `sk-…` keys (Kimi), `{id}.{secret}` keys (GLM), `key=value` pairs of
 * credential names, and credentials in URLs. Tools never hold keys; this is the second line.
 */
const secretPatterns: ReadonlyArray<[RegExp, string]> = [
  [/\bBearer\s+[\w.~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/\bsk-[\w-]{8,}/g, REDACTED],
  [/\b[0-9a-f]{32}\.[A-Za-z0-9]{8,}\b/gi, REDACTED],
  [/\b((?:x-)?api[_-]?key|authorization|password|secret|access[_-]?token|token)(["']?\s*[:=]\s*["']?)(?!Bearer\b|\[redacted\])[^\s"',;}&]+/gi, `$1$2${REDACTED}`],
  [/(\/\/)[^\s/@:]+(?::[^\s/@]*)?@/g, `$1${REDACTED}@`],
];

/** `text` with anything that looks like a credential replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  let result = text;
  for (const [pattern, replacement] of secretPatterns) result = result.replace(pattern, replacement);
  return result;
}

/** Keys whose values are credentials, whatever they hold (`max_tokens` is not one: whole names only). */
const secretKey = /^(authorization|proxy-authorization|x-api-key|api[-_]?key|apikey|secret|client[-_]?secret|password|passwd|access[-_]?token|refresh[-_]?token|id[-_]?token|session[-_]?token|cookie|set-cookie)$/i;

/**
 * A deep copy of a payload with secrets replaced: values under credential keys entirely (an
 * `Authorization` header keeps its scheme), strings anywhere by pattern (a key pasted into a prompt).
 */
export function redactPayload<T>(value: T): T {
  return redactValue(value, undefined) as T;
}

function redactValue(value: unknown, key: string | undefined): unknown {
  // Only scalar values: `{ password: { type: 'string' } }` in a tool's JSON Schema is not a secret.
  if (key !== undefined && secretKey.test(key) && (typeof value === 'string' || typeof value === 'number') && value !== '') {
    return typeof value === 'string' && /^bearer\s/i.test(value) ? `Bearer ${REDACTED}` : REDACTED;
  }
  if (typeof value === 'string') return redactSecrets(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, undefined));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, redactValue(item, name)]));
  }
  return value;
}
