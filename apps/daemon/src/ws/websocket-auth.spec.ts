import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AuditEntry } from '@exai/storage';
import { SignJWT } from 'jose';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { FrameClient, refusedUpgrade } from './test-support/frame-client.js';

let test: TestDaemon;

beforeAll(async () => {
  test = await startTestDaemon();
});
afterAll(async () => test?.close());

function jwt(options: { secret?: string; audience?: string; expiresAt?: number; subject?: string } = {}): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(options.subject ?? 'bob')
    .setAudience(options.audience ?? 'authenticated')
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? '5m')
    .sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** An unsigned token (`alg: none`), built by hand as an attacker would. */
function unsignedToken(): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'mallory', aud: 'authenticated', exp: Math.floor(Date.now() / 1000) + 300 })}.`;
}

/** The audit record of an auth attempt matching `match` (audit writes are asynchronous). */
async function auditEntry(match: (entry: AuditEntry) => boolean): Promise<AuditEntry> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const entries = await test.daemon.context.exai.storage.service.audit.list({ action: 'auth', limit: 1000 });
    const found = entries.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no matching audit entry');
}

const mcpUrl = (token?: string) => `${test.wsUrl}/ws${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

describe('WebSocket authentication at the upgrade', () => {
  const refusals: Array<[string, () => Promise<string | undefined>, string]> = [
    ['no token', async () => undefined, 'missing_token'],
    ['a bad signature', () => jwt({ secret: 'another-secret-another-secret-0123456789' }), 'invalid_token'],
    ['an expired token', () => jwt({ expiresAt: Math.floor(Date.now() / 1000) - 3600 }), 'expired_token'],
    ['a wrong audience', () => jwt({ audience: 'someone-else' }), 'wrong_audience'],
    ['alg none', async () => unsignedToken(), 'unsupported_algorithm'],
  ];
  it.each(refusals)('refuses an MCP client with %s: 401, a Bearer challenge, audited', async (_name, token, code) => {
    const value = await token();
    const refused = await refusedUpgrade(mcpUrl(value), { protocols: ['mcp'] });
    expect(refused.status).toBe(401);
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer realm="exai"/);
    expect(refused.body.error).toMatchObject({ code, message: expect.any(String) });
    if (value) expect(refused.body.error?.message).not.toContain(value);
    const entry = await auditEntry((candidate) => candidate.outcome === 'failure' && candidate.details['code'] === code && candidate.details['face'] === 'websocket');
    expect(entry).toMatchObject({ ip: '127.0.0.1', resource: '/ws' });
  });

  it('accepts the token in the Authorization header or the token query parameter, and audits the success', async () => {
    const byHeader = await FrameClient.open(`${test.wsUrl}/ws`, { protocols: ['mcp'], headers: { authorization: `Bearer ${await jwt({ subject: 'carol' })}` } });
    expect(byHeader.socket.protocol).toBe('mcp');
    byHeader.close();
    const byQuery = await FrameClient.open(mcpUrl(TEST_STATIC_TOKEN), { protocols: ['mcp'] });
    byQuery.close();
    expect(await auditEntry((entry) => entry.outcome === 'success' && entry.details['subject'] === 'carol')).toMatchObject({ details: { credential: 'header', method: 'jwt' } });
    expect(await auditEntry((entry) => entry.outcome === 'success' && entry.details['subject'] === 'alice' && entry.details['credential'] === 'query')).toMatchObject({ details: { method: 'static' } });
    const metrics = await (await fetch(`${test.url}/metrics`)).text();
    expect(metrics).toMatch(/exai_auth_total\{method="static",outcome="success"\} [1-9]/);
    expect(metrics).toMatch(/exai_auth_total\{method="(none|token)",outcome="failure",code="[a-z_]+"\} [1-9]/);
  });

  it('refuses a legacy client whose query token is bad before the handshake', async () => {
    const refused = await refusedUpgrade(`${test.wsUrl}/ws?token=${await jwt({ audience: 'nope' })}`);
    expect(refused.status).toBe(401);
    expect(refused.body.error?.code).toBe('wrong_audience');
  });

  it('refuses a legacy hello with a bad token: hello_ack ok:false, close 4003, audited', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws`);
    client.send({ op: 'hello', token: await jwt({ expiresAt: Math.floor(Date.now() / 1000) - 3600 }) });
    expect(await client.op('hello_ack')).toMatchObject({ ok: false, error: 'unauthorized', message: 'the token has expired' });
    expect(await client.closed).toEqual({ code: 4003, reason: 'unauthorized' });
    await auditEntry((entry) => entry.outcome === 'failure' && entry.details['face'] === 'legacy-websocket' && entry.details['credential'] === 'hello' && entry.details['code'] === 'expired_token');
  });

  it('accepts a legacy client authenticated by its query token without a token in hello', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`);
    try {
      client.send({ op: 'hello' });
      expect(await client.op('hello_ack')).toMatchObject({ ok: true });
    } finally {
      client.close();
    }
  });

  it('refuses a foreign Origin with 403 (DNS rebinding, cross-site pages)', async () => {
    const refused = await refusedUpgrade(mcpUrl(TEST_STATIC_TOKEN), { protocols: ['mcp'], origin: 'https://evil.example' });
    expect(refused.status).toBe(403);
    expect(refused.body.error?.message).toContain('evil.example');
  });

  it('never writes a token into the log', () => {
    expect(test.logs.join('\n')).not.toContain(TEST_STATIC_TOKEN);
  });
});
