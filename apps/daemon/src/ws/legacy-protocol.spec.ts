import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestDaemon, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { FrameClient, refusedUpgrade } from './test-support/frame-client.js';

let test: TestDaemon;

beforeAll(async () => {
  test = await startTestDaemon({ EXAI_WS_HELLO_TIMEOUT_MS: '300', EXAI_WS_PROGRESS_INTERVAL_MS: '100' });
});
afterAll(async () => test?.close());

/** A legacy client that has said hello with the static token. */
async function greeted(sessionId?: string): Promise<FrameClient> {
  const client = await FrameClient.open(`${test.wsUrl}/ws`);
  client.send({ op: 'hello', token: TEST_STATIC_TOKEN, ...(sessionId ? { session_id: sessionId } : {}) });
  expect(await client.op('hello_ack')).toMatchObject({ ok: true });
  return client;
}

describe('the original protocol on /ws (no subprotocol)', () => {
  it('round trip: hello, list_tools, call_tool with ack, streamed text and result, ping', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws`);
    try {
      expect(client.socket.protocol).toBe('');
      client.send({ op: 'hello', token: TEST_STATIC_TOKEN, session_id: 'my-session_1' });
      expect(await client.op('hello_ack')).toEqual({ op: 'hello_ack', request_id: null, ok: true, session_id: 'my-session_1' });
      expect(test.daemon.context.sessions.list().some((session) => session.transport === 'legacy-websocket' && session.subject === 'alice')).toBe(true);

      client.send({ op: 'list_tools', request_id: 'l1' });
      const list = await client.op('list_tools_res', 'l1');
      const tools = list['tools'] as Array<{ name: string; description: string; inputSchema: { type: string } }>;
      expect(tools.find((tool) => tool.name === 'chat')).toMatchObject({ description: expect.any(String), inputSchema: { type: 'object' } });

      client.send({ op: 'call_tool', request_id: 'c1', name: 'chat', arguments: { prompt: 'legacy hello [[sim:latency:20]]', model: 'glm-4.5-flash' } });
      expect(await client.op('call_tool_ack', 'c1')).toMatchObject({ timeout_ms: expect.any(Number) });
      const result = await client.op('call_tool_res', 'c1');
      expect(result).toMatchObject({ is_error: false, outputs: [{ type: 'text', text: expect.stringContaining('You said: "legacy hello'), metadata: { model: 'glm-4.5-flash', latency_ms: expect.any(Number) } }] });
      expect(result['structured']).toMatchObject({ status: 'ok', continuation_id: expect.any(String) });
      // The model's text as it streamed, then the end of the stream, then the result.
      const chunks = client.frames.filter((frame) => frame.op === 'stream_chunk');
      expect(chunks.length).toBeGreaterThan(0);
      for (const frame of chunks) expect(frame).toMatchObject({ request_id: 'c1', chunk: expect.any(String), timestamp: expect.any(Number) });
      expect(chunks.map((frame) => frame['chunk']).join('')).toContain('legacy hello');
      const order = client.frames.filter((frame) => frame['request_id'] === 'c1').map((frame) => frame.op);
      expect(order.indexOf('stream_complete')).toBe(order.lastIndexOf('stream_complete'));
      expect(order.indexOf('stream_complete')).toBeGreaterThan(order.lastIndexOf('stream_chunk'));
      expect(order.indexOf('stream_complete')).toBe(order.indexOf('call_tool_res') - 1);

      // The original's alias.
      client.send({ op: 'tool_call', request_id: 'c2', tool: { name: 'version' }, arguments: {} });
      expect(await client.op('call_tool_res', 'c2')).toMatchObject({ is_error: false });

      client.send({ op: 'ping', request_id: 'p1' });
      expect(await client.op('pong', 'p1')).toMatchObject({ op: 'pong', request_id: 'p1' });
      // Every frame carries op and request_id.
      for (const frame of client.frames) {
        expect(frame).toHaveProperty('op');
        expect(frame).toHaveProperty('request_id');
      }
    } finally {
      client.close();
    }
  });

  it('sends a progress frame every EXAI_WS_PROGRESS_INTERVAL_MS while a call runs, and none after', async () => {
    const client = await greeted();
    try {
      client.send({ op: 'call_tool', request_id: 'slow', name: 'chat', arguments: { prompt: 'slow legacy [[sim:latency:450]]', model: 'glm-4.5-flash' } });
      await client.op('call_tool_res', 'slow');
      const progress = client.frames.filter((frame) => frame.op === 'progress' && frame['request_id'] === 'slow');
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress[0]).toMatchObject({ message: expect.stringMatching(/^chat: running for \d+ s$/), elapsed_ms: expect.any(Number) });
      const count = client.frames.length;
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(client.frames.slice(count).filter((frame) => frame.op === 'progress')).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('cancel aborts the running call and its upstream request', async () => {
    const client = await greeted();
    try {
      client.send({ op: 'call_tool', request_id: 'slow', name: 'chat', arguments: { prompt: 'cancel-me-legacy [[sim:hang]]', model: 'glm-4.5-flash' } });
      await client.op('call_tool_ack', 'slow');
      await test.sim.waitFor((request) => JSON.stringify(request.body).includes('cancel-me-legacy'));
      client.send({ op: 'cancel', request_id: 'slow' });
      expect(await client.op('cancelled', 'slow')).toEqual({ op: 'cancelled', request_id: 'slow' });
      const upstream = await test.sim.waitFor((request) => request.aborted && JSON.stringify(request.body).includes('cancel-me-legacy'));
      expect(upstream.aborted).toBe(true);
      // Nothing else comes for the cancelled call; cancelling it again says it is not running.
      client.send({ op: 'cancel', request_id: 'slow' });
      expect(await client.op('error', 'slow')).toMatchObject({ error: { code: 'NOT_FOUND' } });
      expect(client.frames.filter((frame) => frame.op === 'call_tool_res')).toEqual([]);
    } finally {
      client.close();
    }
  });

  it('errors are frames with op and request_id: unknown tool, bad frame, unknown op, call before hello', async () => {
    const early = await FrameClient.open(`${test.wsUrl}/ws`);
    early.send({ op: 'list_tools', request_id: 'too-early' });
    expect(await early.op('error', 'too-early')).toMatchObject({ error: { code: 'UNAUTHORIZED', message: 'send hello first' } });
    early.close();

    const client = await greeted();
    try {
      client.send({ op: 'call_tool', request_id: 'u1', name: 'no_such_tool', arguments: {} });
      expect(await client.op('error', 'u1')).toEqual({ op: 'error', request_id: 'u1', error: { code: 'TOOL_NOT_FOUND', message: expect.stringContaining('no_such_tool'), request_id: 'u1' } });
      client.send({ op: 'call_tool', request_id: 'u2', arguments: {} });
      expect(await client.op('error', 'u2')).toMatchObject({ error: { code: 'INVALID_REQUEST', message: expect.stringContaining('name') } });
      client.send({ op: 'subscribe', request_id: 'u3' });
      expect(await client.op('error', 'u3')).toMatchObject({ error: { code: 'INVALID_REQUEST', message: expect.stringContaining('unknown op') } });
      client.send({ op: 'call_tool', request_id: 'u4', name: 'chat', arguments: { model: 'glm-4.5-flash' } });
      // Invalid tool input is the tool's error, as on MCP.
      expect(await client.op('call_tool_res', 'u4')).toMatchObject({ is_error: true, outputs: [{ text: expect.stringContaining('prompt') }] });
    } finally {
      client.close();
    }
  });

  it('invalid JSON gets an error frame and close 4000', async () => {
    const client = await greeted();
    client.send('{"op": "ping"');
    expect(await client.op('error')).toMatchObject({ request_id: null, error: { code: 'INVALID_REQUEST', message: expect.stringContaining('invalid JSON') } });
    expect(await client.closed).toEqual({ code: 4000, reason: 'invalid JSON' });
  });

  it('a client that never says hello is told and closed with 4001', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws`);
    expect(await client.op('hello_ack')).toMatchObject({ request_id: null, ok: false, error: 'missing_hello' });
    expect(await client.closed).toMatchObject({ code: 4001 });
  });

  it('a bad session_id is refused without closing; a good hello may follow', async () => {
    const client = await FrameClient.open(`${test.wsUrl}/ws`);
    try {
      client.send({ op: 'hello', token: TEST_STATIC_TOKEN, session_id: 'a b' });
      expect(await client.op('hello_ack')).toMatchObject({ ok: false, error: 'invalid_session_id' });
      client.send({ op: 'hello', token: TEST_STATIC_TOKEN });
      const ack = await client.op('hello_ack');
      expect(ack).toMatchObject({ ok: true });
      expect(ack['session_id']).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      client.close();
    }
  });
});

describe('the original protocol while draining', () => {
  it('tells clients, finishes the running call, refuses new calls and connections, then closes 1001', async () => {
    const own = await startTestDaemon({ EXAI_SHUTDOWN_DEADLINE_MS: '10000' }, { sim: test.sim });
    const client = await FrameClient.open(`${own.wsUrl}/ws`);
    client.send({ op: 'hello', token: TEST_STATIC_TOKEN });
    await client.op('hello_ack');
    client.send({ op: 'call_tool', request_id: 'd1', name: 'chat', arguments: { prompt: 'drain-me-legacy [[sim:latency:80]]', model: 'glm-4.5-flash' } });
    await client.op('call_tool_ack', 'd1');
    await own.sim.waitFor((request) => JSON.stringify(request.body).includes('drain-me-legacy'));
    const stopped = own.daemon.stop('test drain');
    expect(await client.op('shutdown')).toMatchObject({ op: 'shutdown', request_id: null, message: expect.stringContaining('shutting down') });
    client.send({ op: 'call_tool', request_id: 'd2', name: 'version', arguments: {} });
    expect(await client.op('error', 'd2')).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', retry_after_ms: expect.any(Number) } });
    expect((await refusedUpgrade(`${own.wsUrl}/ws?token=${TEST_STATIC_TOKEN}`)).status).toBe(503);
    expect(await client.op('call_tool_res', 'd1')).toMatchObject({ is_error: false, outputs: [{ text: expect.stringContaining('drain-me-legacy') }] });
    expect((await client.closed).code).toBe(1001);
    await stopped;
  });
});
