import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import type { Principal } from '../daemon-context.js';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { CredentialWatch, credentialExpiresAt } from './credential-watch.js';
import { FrameClient } from './test-support/frame-client.js';

let test: TestDaemon;

beforeAll(async () => {
  test = await startTestDaemon();
});
afterAll(async () => test?.close());

/**
 * A JWT for `subject` whose `exp` is `secondsLeft` from now (whole seconds, rounded down). The
 * verifier allows 5 s of clock skew, so a token 2–3 s past its `exp` is still accepted (with room for
 * a slow machine) and lapses 2–3 s later.
 */
function jwt(subject: string, secondsLeft: number): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + secondsLeft)
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

const principal = (claims?: Record<string, unknown>): Principal => ({ userId: '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c', subject: 'carol', method: 'jwt', ...(claims ? { claims } : {}) });

describe('CredentialWatch', () => {
  it('never lapses without exp (static tokens, anonymous)', () => {
    let lapsed = false;
    const watch = new CredentialWatch(principal(), { onLapse: () => (lapsed = true) });
    expect(watch.expiresAt).toBeUndefined();
    expect(watch.lapsed || lapsed).toBe(false);
    watch.stop();
  });

  it('lapses at exp plus the verifier’s 5 s tolerance, and a renewal moves it', async () => {
    const exp = 2_000_000_000;
    expect(credentialExpiresAt(principal({ exp }))).toBe(exp * 1000 + 5_000);
    let now = exp * 1000 + 5_000 - 40;
    const lapses: Date[] = [];
    const watch = new CredentialWatch(principal({ exp }), { onLapse: (at) => lapses.push(at), now: () => now });
    expect(watch.lapsed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(watch.lapsed).toBe(true);
    expect(lapses).toEqual([new Date(exp * 1000 + 5_000)]);
    expect(watch.refusal()).toMatchObject({ limit: 'token_expired', message: expect.stringContaining('reconnect with a fresh token') });
    now += 1_000;
    watch.renew(principal({ exp: exp + 3_600 }));
    expect(watch.lapsed).toBe(false);
    expect(watch.expiresAt).toEqual(new Date((exp + 3_600) * 1000 + 5_000));
    watch.stop();
  });

  it('lapses at once when the token has already expired', () => {
    const lapses: Date[] = [];
    const watch = new CredentialWatch(principal({ exp: 1 }), { onLapse: (at) => lapses.push(at) });
    expect(watch.lapsed).toBe(true);
    expect(lapses).toHaveLength(1);
  });
});

describe('MCP over WebSocket when the token expires', () => {
  it('answers the running call, refuses new ones with token_expired, tells the client, then closes with 4003', async () => {
    const token = await jwt('dora', -2);
    const client = await FrameClient.open(`${test.wsUrl}/ws?token=${encodeURIComponent(token)}`, { protocols: ['mcp'] });
    client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'expiry', version: '1' } } });
    await client.next((frame) => frame['id'] === 1);
    client.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    client.send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'version', arguments: {} } });
    expect(await client.next((frame) => frame['id'] === 2)).toMatchObject({ result: { content: expect.any(Array) } });
    // Running across the expiry: it still gets its answer.
    client.send({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'outlive the token [[sim:latency:5000]]', model: 'glm-4.5-flash' } } });
    await client.next((frame) => frame['method'] === 'notifications/message', 6_000);
    client.send({ jsonrpc: '2.0', id: 4, method: 'tools/call', params: { name: 'version', arguments: {} } });
    expect(await client.next((frame) => frame['id'] === 4)).toMatchObject({ error: { code: -32029, data: { limit: 'token_expired' } } });
    expect(await client.next((frame) => frame['id'] === 3, 8_000)).toMatchObject({ result: { structuredContent: { status: 'ok' } } });
    expect(await client.closed).toMatchObject({ code: 4003 });
    const notice = client.frames.find((frame) => frame['method'] === 'notifications/message') as { params: { level: string; data: string } };
    expect(notice.params).toMatchObject({ level: 'warning', data: expect.stringContaining('expired') });
  });

  it('keeps a connection whose token does not expire (static token)', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws?token=${encodeURIComponent(TEST_STATIC_TOKEN)}`, { protocols: ['mcp'] });
    try {
      client.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'static', version: '1' } } });
      await client.next((frame) => frame['id'] === 1);
      expect(client.socket.readyState).toBe(client.socket.OPEN);
    } finally {
      client.close();
    }
  });
});

describe('the original protocol: rotate_token and expiry', () => {
  async function greeted(token: string): Promise<FrameClient> {
    const client = await FrameClient.open(`${test.wsUrl}/ws`);
    client.send({ op: 'hello', token });
    expect(await client.op('hello_ack')).toMatchObject({ ok: true });
    return client;
  }

  it('takes a fresh token for the same user, so the connection outlives the first one', async () => {
    const client = await greeted(await jwt('erin', -2));
    try {
      client.send({ op: 'rotate_token', request_id: 'r1', new: await jwt('erin', 3_600) });
      const ack = await client.op('rotate_token_ack', 'r1');
      expect(ack).toMatchObject({ ok: true, expires_at: expect.any(String) });
      expect(Date.parse(ack['expires_at'] as string)).toBeGreaterThan(Date.now() + 3_000_000);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
      client.send({ op: 'call_tool', request_id: 'c1', name: 'version', arguments: {} });
      expect(await client.op('call_tool_res', 'c1')).toMatchObject({ is_error: false });
      expect(client.frames.some((frame) => frame.op === 'error')).toBe(false);
    } finally {
      client.close();
    }
  });

  it('refuses another user’s token and an invalid one, keeping the current token', async () => {
    const client = await greeted(await jwt('frank', 3_600));
    try {
      client.send({ op: 'rotate_token', request_id: 'r2', new: await jwt('mallory', 3_600) });
      expect(await client.op('rotate_token_ack', 'r2')).toMatchObject({ ok: false, error: 'subject_mismatch' });
      client.send({ op: 'rotate_token', request_id: 'r3', old: 'whatever', new: 'not-a-token' });
      expect(await client.op('rotate_token_ack', 'r3')).toMatchObject({ ok: false, error: 'unauthorized', message: expect.stringContaining('current token stays in use') });
      client.send({ op: 'rotate_token', request_id: 'r4' });
      expect(await client.op('error', 'r4')).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
      client.send({ op: 'call_tool', request_id: 'c2', name: 'version', arguments: {} });
      expect(await client.op('call_tool_res', 'c2')).toMatchObject({ is_error: false });
    } finally {
      client.close();
    }
  });

  it('without a rotation: says the token expired and, no call running, closes with 4003', async () => {
    const client = await greeted(await jwt('gina', -2));
    const notice = await client.next((frame) => frame.op === 'error' && frame.request_id === null, 6_000);
    expect(notice).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringContaining('rotate_token') } });
    expect(await client.closed).toMatchObject({ code: 4003 });
  });
});
