import { createHmac } from 'node:crypto';

const base64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/**
 * An HS256 JWT for the daemon's `EXAI_JWT_SECRET`: `sub` is the storage user when it is a UUID, so
 * each client or scenario gets rows of its own. Audience `authenticated` (the daemon's default).
 */
export function signHs256Token(options: { secret: string; subject: string; ttlSeconds?: number; audience?: string }): string {
  const now = Math.floor(Date.now() / 1000);
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ sub: options.subject, aud: options.audience ?? 'authenticated', iat: now, exp: now + (options.ttlSeconds ?? 3600) }));
  const signature = createHmac('sha256', options.secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
