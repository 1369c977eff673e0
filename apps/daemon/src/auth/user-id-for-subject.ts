import { createHash } from 'node:crypto';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The storage user of a token subject: the subject itself when it is a UUID (Supabase's `sub`),
 * otherwise a stable name-based UUID (version 5 layout over SHA-256 of `exai:<method>:<subject>`), so
 * `alice` always maps to the same rows and never collides with another method's `alice`.
 */
export function userIdForSubject(subject: string, method: string): string {
  if (uuidPattern.test(subject)) return subject.toLowerCase();
  const hash = createHash('sha256').update(`exai:${method}:${subject}`).digest();
  hash[6] = ((hash[6] as number) & 0x0f) | 0x50;
  hash[8] = ((hash[8] as number) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
