import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { FrameClient, refusedUpgrade } from './test-support/frame-client.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

/** Runs `body` against a daemon started with `env`, stopping it afterwards. */
async function withDaemon(env: Record<string, string>, body: (test: TestDaemon) => Promise<void>): Promise<void> {
  const test = await startTestDaemon(env, { sim });
  try {
    await body(test);
  } finally {
    await test.close();
  }
}

async function greeted(test: TestDaemon, token = TEST_STATIC_TOKEN): Promise<FrameClient> {
  const client = await FrameClient.open(`${test.wsUrl}/ws`);
  client.send({ op: 'hello', token });
  expect(await client.op('hello_ack')).toMatchObject({ ok: true });
  return client;
}

async function eventually(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('WebSocket limits', () => {
  it('connections per IP: the third is refused with 503 and Retry-After, and a closed one frees its slot', () =>
    withDaemon({ EXAI_MAX_CONNECTIONS_PER_IP: '2' }, async (test) => {
      const first = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`, { protocols: ['mcp'] });
      const second = await FrameClient.open(`${test.wsUrl}/ws`);
      const refused = await refusedUpgrade(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`, { protocols: ['mcp'] });
      expect(refused.status).toBe(503);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.body.error).toMatchObject({ code: 'connections_per_ip', message: expect.stringContaining('EXAI_MAX_CONNECTIONS_PER_IP') });
      first.close();
      await first.closed;
      await eventually(() => test.daemon.context.limits.openConnections === 1);
      // A malformed handshake (ws answers 400 itself) does not keep a slot either.
      const malformed = await new Promise<number | undefined>((resolve, reject) => {
        const request = httpRequest(`${test.url}/ws?token=${TEST_STATIC_TOKEN}`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'not-a-key' } });
        request.on('response', (response) => (response.resume(), resolve(response.statusCode)));
        request.on('error', reject);
        request.end();
      });
      expect(malformed).toBe(400);
      await eventually(() => test.daemon.context.limits.openConnections === 1);
      const third = await FrameClient.open(`${test.wsUrl}/ws`);
      third.close();
      second.close();
      expect(await (await fetch(`${test.url}/metrics`)).text()).toMatch(/exai_refused_total\{limit="connections_per_ip"\} 1/);
    }));

  it('message size: a frame over EXAI_WS_MAX_BYTES closes the connection with 1009 and a reason', () =>
    withDaemon({ EXAI_WS_MAX_BYTES: '1024' }, async (test) => {
      const client = await greeted(test);
      client.send({ op: 'ping', request_id: 'x'.repeat(2000) });
      const closed = await client.closed;
      expect(closed.code).toBe(1009);
      expect(closed.reason).toContain('EXAI_WS_MAX_BYTES');
      await eventually(() => test.daemon.context.limits.openConnections === 0);
    }));

  it('a text frame that is not UTF-8 closes the connection with 1007 and a reason, on both protocols', () =>
    // Found by the hostile-input run: ws closed these with a bare 1007, no reason for the client.
    withDaemon({}, async (test) => {
      const legacy = await greeted(test);
      legacy.socket.send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), { binary: false });
      expect(await legacy.closed).toEqual({ code: 1007, reason: expect.stringContaining('not valid UTF-8') });
      const mcp = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`, { protocols: ['mcp'] });
      mcp.socket.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
      expect(await mcp.closed).toEqual({ code: 1007, reason: expect.stringContaining('not valid UTF-8') });
      await eventually(() => test.daemon.context.limits.openConnections === 0);
    }));

  it('rate limit: over the per-user rate, MCP gets the JSON-RPC error with retry_after_ms, legacy OVER_CAPACITY', () =>
    withDaemon({ EXAI_RATE_USER_PER_SECOND: '1', EXAI_RATE_USER_BURST: '2' }, async (test) => {
      const client = new Client({ name: 'rate', version: '1.0.0' });
      await client.connect(new WebSocketClientTransport(new URL(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`)));
      try {
        const results = await Promise.allSettled([0, 1, 2].map(() => client.callTool({ name: 'version', arguments: {} })));
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(2);
        const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
        expect(refused.reason).toBeInstanceOf(McpError);
        expect(refused.reason).toMatchObject({ code: -32029, data: { limit: 'rate_user', retry_after_ms: expect.any(Number) } });
        expect((refused.reason as McpError & { data: { retry_after_ms: number } }).data.retry_after_ms).toBeGreaterThan(0);
        // Listing tools is not a call: not limited.
        await expect(client.listTools()).resolves.toMatchObject({ tools: expect.any(Array) });
      } finally {
        await client.close();
      }
      // Another user (bob, a JWT) has a bucket of his own, on the original protocol.
      const bob = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('bob').setAudience('authenticated').setExpirationTime('5m').sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const legacy = await greeted(test, bob);
      try {
        for (const id of ['r1', 'r2', 'r3']) legacy.send({ op: 'call_tool', request_id: id, name: 'version', arguments: {} });
        await legacy.op('call_tool_res', 'r1');
        await legacy.op('call_tool_res', 'r2');
        expect(await legacy.op('error', 'r3')).toMatchObject({ error: { code: 'OVER_CAPACITY', retry_after_ms: expect.any(Number) } });
      } finally {
        legacy.close();
      }
    }));

  it('idle timeout: a silent client is closed with 4002, but not while its call runs', () =>
    withDaemon({ EXAI_IDLE_TIMEOUT_MS: '300' }, async (test) => {
      const busy = await greeted(test);
      busy.send({ op: 'call_tool', request_id: 'long', name: 'chat', arguments: { prompt: 'slow stream [[sim:latency:70]]', model: 'glm-4.5-flash' } });
      const silent = await greeted(test);
      const closed = await silent.closed;
      expect(closed.code).toBe(4002);
      expect(closed.reason).toContain('EXAI_IDLE_TIMEOUT_MS');
      // The busy client sent nothing for longer than the idle timeout while its answer streamed.
      expect(await busy.op('call_tool_res', 'long')).toMatchObject({ is_error: false });
      expect((await busy.closed).code).toBe(4002);
    }));

  it('heartbeat: a client that does not answer pings is cut off; one that does stays', () =>
    withDaemon({ EXAI_WS_PING_INTERVAL_MS: '50', EXAI_WS_PING_TIMEOUT_MS: '100' }, async (test) => {
      const deaf = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`, { autoPong: false });
      const healthy = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`);
      let pings = 0;
      healthy.socket.on('ping', () => pings++);
      expect((await deaf.closed).code).toBe(1006);
      await eventually(() => pings >= 4);
      expect(healthy.socket.readyState).toBe(healthy.socket.OPEN);
      expect(test.logs.some((line) => line.includes('did not answer a ping'))).toBe(true);
      healthy.close();
    }));

  it('backpressure: a client that stops reading is closed instead of buffered without bound; the daemon stays healthy', () =>
    withDaemon({ EXAI_WS_MAX_BUFFERED_BYTES: '65536', EXAI_WS_PING_TIMEOUT_MS: '200' }, async (test) => {
      const slow = await greeted(test);
      slow.socket.pause();
      // Each answer is the whole tool list (~15 kB); the kernel's socket buffers take a few MB,
      // then the daemon's own buffer grows past the limit and the connection is closed.
      let sent = 0;
      await eventually(() => {
        for (let index = 0; index < 40 && slow.socket.readyState === slow.socket.OPEN; index++) slow.send({ op: 'list_tools', request_id: `l${sent++}` });
        return test.logs.some((line) => line.includes('client too slow'));
      }, 15_000);
      await eventually(() => test.daemon.context.limits.openConnections === 0);
      slow.socket.resume();
      expect([1006, 1013]).toContain((await slow.closed).code);
      // The daemon goes on serving.
      expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
      const next = await greeted(test);
      next.send({ op: 'call_tool', request_id: 'after', name: 'version', arguments: {} });
      expect(await next.op('call_tool_res', 'after')).toMatchObject({ is_error: false });
      next.close();
    }));
});
