import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { WebSocketClientTransport } from '@modelcontextprotocol/sdk/client/websocket.js';
import { LoggingMessageNotificationSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';

let test: TestDaemon;

beforeAll(async () => {
  test = await startTestDaemon();
});
afterAll(async () => test?.close());

async function connect(token: string, name = 'ws-spec'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new WebSocketClientTransport(new URL(`${test.wsUrl}/ws?token=${encodeURIComponent(token)}`)));
  return client;
}

function bobToken(): Promise<string> {
  return new SignJWT({ role: 'authenticated' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bob')
    .setAudience('authenticated')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}

const textOf = (result: CallToolResult): string => result.content.map((item) => (item.type === 'text' ? item.text : '')).join('');

describe('MCP over WebSocket (/ws, subprotocol mcp)', () => {
  it('serves the SDK client unchanged: lists tools and calls chat', async () => {
    const client = await connect(TEST_STATIC_TOKEN);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['chat', 'listmodels', 'version']));
      const result = (await client.callTool({ name: 'chat', arguments: { prompt: 'hello over ws', model: 'glm-4.5-flash' } })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(textOf(result)).toContain('You said: "hello over ws"');
      expect(test.daemon.context.sessions.list().some((session) => session.transport === 'websocket' && session.subject === 'alice')).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('turns streamed model output into progress notifications for a progress token', async () => {
    const client = await connect(TEST_STATIC_TOKEN);
    try {
      const updates: Progress[] = [];
      const result = (await client.callTool({ name: 'chat', arguments: { prompt: 'stream me please [[sim:latency:20]]', model: 'glm-4.5-flash' } }, undefined, { onprogress: (progress) => updates.push(progress) })) as CallToolResult;
      expect(result.isError).toBeFalsy();
      expect(updates.length).toBeGreaterThan(0);
      // The streamed text arrives in order as progress messages (the SDK client may drop the last
      // one when it lands in the same read as the result, so only a prefix is certain).
      const streamed = updates.map((update) => update.message ?? '').join('');
      expect(streamed.length).toBeGreaterThan(0);
      expect((result.structuredContent as { content: string }).content.startsWith(streamed)).toBe(true);
      expect(updates[0]?.progress).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('cancels a call through its AbortSignal: the upstream provider request is aborted', async () => {
    const client = await connect(TEST_STATIC_TOKEN);
    try {
      const controller = new AbortController();
      const call = client.callTool({ name: 'chat', arguments: { prompt: 'cancel-me-mcp [[sim:hang]]', model: 'glm-4.5-flash' } }, undefined, { signal: controller.signal });
      await test.sim.waitFor((request) => JSON.stringify(request.body).includes('cancel-me-mcp'));
      controller.abort(new Error('user pressed stop'));
      await expect(call).rejects.toThrow('user pressed stop');
      const aborted = await test.sim.waitFor((request) => request.aborted && JSON.stringify(request.body).includes('cancel-me-mcp'));
      expect(aborted.aborted).toBe(true);
    } finally {
      await client.close();
    }
  });

  it('keeps threads per user: bob cannot continue alice\'s thread', async () => {
    const alice = await connect(TEST_STATIC_TOKEN, 'alice');
    const bob = await connect(await bobToken(), 'bob');
    try {
      const first = (await alice.callTool({ name: 'chat', arguments: { prompt: 'alice private thread', model: 'glm-4.5-flash' } })) as CallToolResult;
      const continuationId = (first.structuredContent as { continuation_id?: string }).continuation_id;
      expect(continuationId).toEqual(expect.any(String));
      const own = (await alice.callTool({ name: 'chat', arguments: { prompt: 'alice again', model: 'glm-4.5-flash', continuation_id: continuationId } })) as CallToolResult;
      expect(own.isError).toBeFalsy();
      const stolen = (await bob.callTool({ name: 'chat', arguments: { prompt: 'bob tries', model: 'glm-4.5-flash', continuation_id: continuationId } })) as CallToolResult;
      expect(stolen.isError).toBe(true);
      expect(textOf(stolen)).toContain('continuation_id');
      expect(textOf(stolen)).not.toContain('alice private thread');
    } finally {
      await alice.close();
      await bob.close();
    }
  });

  it('answers a frame that is not JSON-RPC with a JSON-RPC error and keeps the connection', async () => {
    const { FrameClient } = await import('./test-support/frame-client.js');
    const raw = await FrameClient.open(`${test.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`, { protocols: ['mcp'] });
    try {
      expect(raw.socket.protocol).toBe('mcp');
      raw.send('{not json');
      expect(await raw.next((frame) => frame['id'] === null)).toMatchObject({ jsonrpc: '2.0', error: { code: -32700 } });
      raw.send({ jsonrpc: '2.0', id: 7, nonsense: true });
      expect(await raw.next((frame) => frame['id'] === 7)).toMatchObject({ error: { code: -32600 } });
      raw.send({ jsonrpc: '2.0', id: 8, method: 'ping' });
      expect(await raw.next((frame) => frame['id'] === 8)).toMatchObject({ result: {} });
    } finally {
      raw.close();
    }
  });
});

describe('MCP over WebSocket while draining', () => {
  it('lets a running call finish, tells the client, and refuses new work', async () => {
    const own = await startTestDaemon({ EXAI_SHUTDOWN_DEADLINE_MS: '10000' }, { sim: test.sim });
    const client = new Client({ name: 'drain', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(new URL(`${own.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`)));
    const notices: string[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => {
      if (notification.params.level === 'warning') notices.push(String(notification.params.data));
    });
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'drain-me-mcp [[sim:latency:400]]', model: 'glm-4.5-flash' } });
    await own.sim.waitFor((request) => JSON.stringify(request.body).includes('drain-me-mcp'));
    const stopped = own.daemon.stop('test drain');
    // A new call on the open connection is refused while the running one goes on.
    await expect(client.callTool({ name: 'version', arguments: {} })).rejects.toMatchObject({ code: -32029, data: { limit: 'draining', retry_after_ms: expect.any(Number) } });
    const result = (await call) as CallToolResult;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('drain-me-mcp');
    expect(notices.join(' ')).toContain('shutting down');
    await stopped;
    await client.close();
  });

  it('answers a call still running at the shutdown deadline with a JSON-RPC error, not only a closed socket', async () => {
    const own = await startTestDaemon({ EXAI_SHUTDOWN_DEADLINE_MS: '200' }, { sim: test.sim });
    const client = new Client({ name: 'deadline', version: '1.0.0' });
    await client.connect(new WebSocketClientTransport(new URL(`${own.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`)));
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'deadline-mcp-ws [[sim:hang]]', model: 'glm-4.5-flash' } });
    const settled = call.then(
      () => undefined,
      (error: unknown) => error,
    );
    await own.sim.waitFor((request) => JSON.stringify(request.body).includes('deadline-mcp-ws'));
    await own.daemon.stop('test deadline');
    // The SDK reports a bare close as McpError -32000 "Connection closed": the shutdown error says more.
    expect(await settled).toMatchObject({ code: -32000, message: expect.stringContaining('EXAI_SHUTDOWN_DEADLINE_MS'), data: { retry_after_ms: expect.any(Number) } });
    const aborted = await own.sim.waitFor((request) => request.aborted && JSON.stringify(request.body).includes('deadline-mcp-ws'));
    expect(aborted.completed).toBe(false);
    await client.close();
  });
});
