import { createHmac } from 'node:crypto';

/** Header and claims of a token to mint; `alg` decides the signature (`HS*` with `secret`, anything else unsigned). */
export interface JwtParts {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  /** Signing secret for `HS256`/`HS384`/`HS512`; ignored for other algorithms. */
  secret?: string;
  /** A signature to put as it is (forgeries), instead of computing one. */
  signature?: string;
}

const hashes: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * Mints a compact JWS by hand, so forgeries the daemon must refuse (unsigned, wrong key, confused
 * algorithm) can be made as easily as a valid token.
 */
export function mintJwt(parts: JwtParts): string {
  const head = base64url(JSON.stringify(parts.header));
  const body = base64url(JSON.stringify(parts.claims));
  const input = `${head}.${body}`;
  if (parts.signature !== undefined) return `${input}.${parts.signature}`;
  const algorithm = typeof parts.header['alg'] === 'string' ? parts.header['alg'] : '';
  const hash = hashes[algorithm];
  if (!hash || parts.secret === undefined) return `${input}.`;
  return `${input}.${createHmac(hash, parts.secret).update(input).digest('base64url')}`;
}

/** Seconds since the epoch, as JWT `iat`/`exp`/`nbf` count. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
