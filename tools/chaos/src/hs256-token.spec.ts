import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { signHs256Token } from './hs256-token.js';

describe('signHs256Token', () => {
  it('signs header.payload with HMAC-SHA256 and carries sub, aud and a future exp', () => {
    const token = signHs256Token({ secret: 's'.repeat(32), subject: '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c', ttlSeconds: 60 });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sub: string; aud: string; exp: number; iat: number };
    expect(claims).toMatchObject({ sub: '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c', aud: 'authenticated' });
    expect(claims.exp - claims.iat).toBe(60);
    expect(signature).toBe(createHmac('sha256', 's'.repeat(32)).update(`${header}.${payload}`).digest('base64url'));
  });
});
