import { createServer, request as httpRequest, type Server } from 'node:http';
import { createConnection, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { SignJWT } from 'jose';
import type { DaemonContext } from '../daemon-context.js';
import { createMcpHttpFace } from './mcp-http-face.js';
import { startTestDaemon, TEST_JWT_SECRET, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';

const alice = `Bearer ${TEST_STATIC_TOKEN}`;

async function jwtFor(subject: string): Promise<string> {
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setAudience('authenticated').setIssuedAt().setExpirationTime('5m').sign(new TextEncoder().encode(TEST_JWT_SECRET));
  return `Bearer ${token}`;
}

async function connect(test: TestDaemon, authorization = alice): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const transport = new StreamableHTTPClientTransport(new URL(`${test.url}/mcp`), { requestInit: { headers: { Authorization: authorization } } });
  const client = new Client({ name: 'mcp-http-spec', version: '1.0.0' });
  await client.connect(transport);
  return { client, transport };
}

/** A raw JSON-RPC POST to /mcp, as a client of the session would send it. */
function post(test: TestDaemon, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${test.url}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION, ...headers },
    body: JSON.stringify(body),
  });
}

/** A raw TCP connection that reads whole HTTP responses (status line, headers, Content-Length body). */
function connectSocket(port: number): Socket & { readResponse(): Promise<string> } {
  const socket = createConnection({ host: '127.0.0.1', port });
  socket.on('error', () => undefined);
  let buffered = '';
  const waiting: Array<() => void> = [];
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (const wake of waiting.splice(0)) wake();
  });
  socket.on('close', () => {
    for (const wake of waiting.splice(0)) wake();
  });
  const readResponse = async (): Promise<string> => {
    for (;;) {
      const end = buffered.indexOf('\r\n\r\n');
      if (end >= 0) {
        const length = Number(/content-length:\s*(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length >= end + 4 + length) {
          const response = buffered.slice(0, end + 4 + length);
          buffered = buffered.slice(end + 4 + length);
          return response;
        }
      }
      if (socket.destroyed) throw new Error(`the connection closed; received: ${buffered.slice(0, 200)}`);
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
  };
  return Object.assign(socket, { readResponse });
}

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'raw', version: '1' } } };
const textOf = (result: unknown): string => ((result as { content: Array<{ type: string; text?: string }> }).content[0]?.text ?? '');

describe('MCP over Streamable HTTP', () => {
  let test: TestDaemon;
  beforeAll(async () => {
    test = await startTestDaemon();
  });
  afterAll(async () => test?.close());

  it('lists tools, calls chat, registers the session and ends it with DELETE (then the id answers 404)', async () => {
    const { client, transport } = await connect(test);
    const sessionId = transport.sessionId as string;
    expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(test.daemon.context.sessions.get(sessionId)).toMatchObject({ transport: 'http', subject: 'alice' });

    const tools = await client.listTools();
    expect(tools.tools.map((tool) => tool.name)).toContain('chat');
    const result = await client.callTool({ name: 'chat', arguments: { prompt: 'hello over http', model: 'glm-4.5-flash' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('You said: "hello over http"');

    await transport.terminateSession();
    expect(test.daemon.context.sessions.get(sessionId)).toBeUndefined();
    const reused = await post(test, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, { authorization: alice, 'mcp-session-id': sessionId });
    expect(reused.status).toBe(404);
    expect(await reused.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' } });
    await client.close();
  });

  it('sends progress notifications while a call streams', async () => {
    const { client } = await connect(test);
    const progress: Progress[] = [];
    const result = await client.callTool({ name: 'chat', arguments: { prompt: `progress please [[sim:long:400]]`, model: 'glm-4.5-flash' } }, undefined, { onprogress: (event) => progress.push(event) });
    expect(result.isError).toBeFalsy();
    expect(progress.length).toBeGreaterThan(0);
    // The notifications carry the streamed answer as it was produced.
    expect(progress.map((event) => event.message ?? '').join('')).toContain('You said: "progress please');
    for (let index = 1; index < progress.length; index++) expect(progress[index]!.progress).toBeGreaterThan(progress[index - 1]!.progress);
    await client.close();
  });

  it('cancels the upstream request when the client aborts the call', async () => {
    const { client } = await connect(test);
    const controller = new AbortController();
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'wait forever [[sim:hang]]', model: 'glm-4.5-flash' } }, undefined, { signal: controller.signal });
    const upstream = await test.sim.waitFor((entry) => entry.body !== undefined && JSON.stringify(entry.body).includes('wait forever'));
    expect(upstream.aborted).toBe(false);
    controller.abort(new Error('user pressed stop'));
    await expect(call).rejects.toThrow();
    const aborted = await test.sim.waitFor((entry) => entry.id === upstream.id && entry.aborted);
    expect(aborted.completed).toBe(false);
    await client.close();
  });

  it("answers another user's token on a session with the same 404 as an unknown session, and keeps the session", async () => {
    const { client, transport } = await connect(test);
    const sessionId = transport.sessionId as string;
    const bob = await post(test, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, { authorization: await jwtFor('bob'), 'mcp-session-id': sessionId });
    expect(bob.status).toBe(404);
    const unknown = await post(test, { jsonrpc: '2.0', id: 7, method: 'tools/list' }, { authorization: await jwtFor('bob'), 'mcp-session-id': 'no-such-session' });
    expect(unknown.status).toBe(404);
    expect(await bob.json()).toEqual(await unknown.json());
    // Alice's own session still works.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    await client.close();
  });

  it('refuses a foreign Origin with 403 and a JSON-RPC error, before authentication', async () => {
    const response = await post(test, initialize, { authorization: alice, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    const body = (await response.json()) as { jsonrpc: string; error: { code: number; message: string } };
    expect(body.jsonrpc).toBe('2.0');
    expect(body.error.message).toContain('evil.example');
    // A loopback Origin is fine.
    const local = await post(test, initialize, { authorization: alice, origin: test.url });
    expect(local.status).toBe(200);
    await fetch(`${test.url}/mcp`, { method: 'DELETE', headers: { authorization: alice, 'mcp-session-id': local.headers.get('mcp-session-id') ?? '', 'mcp-protocol-version': LATEST_PROTOCOL_VERSION } });
  });

  it('refuses a non-local Host header (DNS rebinding) with a 4xx', async () => {
    const port = new URL(test.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const body = JSON.stringify(initialize);
      const request = httpRequest(
        { host: '127.0.0.1', port, path: '/mcp', method: 'POST', headers: { host: `evil.example:${port}`, authorization: alice, 'content-type': 'application/json', accept: 'application/json, text/event-stream', 'content-length': Buffer.byteLength(body) } },
        (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        },
      );
      request.on('error', reject);
      request.end(body);
    });
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
  });

  it('refuses a request without a token with 401 and WWW-Authenticate, and audits it', async () => {
    const response = await post(test, initialize, {});
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', error: { data: { code: 'missing_token' } } });
    const bad = await post(test, initialize, { authorization: 'Bearer not-a-real-token' });
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
    const audit = await test.daemon.context.exai.storage.service.audit.list({ action: 'auth' });
    const failures = audit.filter((entry) => entry.outcome === 'failure' && (entry.details as { transport?: string } | undefined)?.transport === 'mcp-http');
    expect(failures.map((entry) => (entry.details as { code: string }).code)).toEqual(expect.arrayContaining(['missing_token', 'invalid_token']));
    const metrics = await (await fetch(`${test.url}/metrics`)).text();
    expect(metrics).toMatch(/exai_auth_total\{method="none",outcome="failure",code="missing_token"\} [1-9]/);
  });

  it('answers 400 to requests without a session id that do not initialize one', async () => {
    const list = await post(test, { jsonrpc: '2.0', id: 3, method: 'tools/list' }, { authorization: alice });
    expect(list.status).toBe(400);
    const stream = await fetch(`${test.url}/mcp`, { headers: { authorization: alice, accept: 'text/event-stream' } });
    expect(stream.status).toBe(400);
  });
});

describe('MCP over Streamable HTTP at its limits', () => {
  let test: TestDaemon;
  beforeAll(async () => {
    test = await startTestDaemon({ EXAI_RATE_USER_PER_SECOND: '0.001', EXAI_RATE_USER_BURST: '1', EXAI_WS_MAX_BYTES: '4096', EXAI_IDLE_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => test?.close());

  it('answers a tools/call over the rate limit with 429, Retry-After and a JSON-RPC error for that id', async () => {
    const { client, transport } = await connect(test);
    const first = await client.callTool({ name: 'chat', arguments: { prompt: 'first', model: 'glm-4.5-flash' } });
    expect(first.isError).toBeFalsy();
    // Listing is not rate limited.
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const response = await post(test, { jsonrpc: '2.0', id: 'call-2', method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'second' } } }, { authorization: alice, 'mcp-session-id': transport.sessionId as string });
    expect(response.status).toBe(429);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await response.json()).toMatchObject({ jsonrpc: '2.0', id: 'call-2', error: { code: -32029, data: { limit: 'rate_user' } } });
    // The SDK client sees the refusal as an error of its call.
    await expect(client.callTool({ name: 'chat', arguments: { prompt: 'third' } })).rejects.toThrow(/over the per-user call rate/);
    await client.close();
  });

  it('refuses a body over EXAI_WS_MAX_BYTES with 413', async () => {
    const response = await post(test, { ...initialize, params: { ...initialize.params, padding: 'x'.repeat(8192) } }, { authorization: alice });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('4096');
  });

  it('delivers the 413 to a client still uploading and keeps its connection for the next request', async () => {
    // Found by the hostile-input run: answering 413 with `Connection: close` while the body was still
    // arriving made the kernel reset the connection, and clients saw EPIPE instead of the 413.
    const { port } = new URL(test.url);
    const socket = connectSocket(Number(port));
    const body = Buffer.alloc(12_000, 'x');
    const head = [`POST /mcp HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: ${alice}`, 'Content-Type: application/json', 'Accept: application/json, text/event-stream', `Content-Length: ${body.length}`, '', ''].join('\r\n');
    socket.write(head);
    socket.write(body.subarray(0, 1000));
    const refusal = await socket.readResponse();
    expect(refusal).toMatch(/^HTTP\/1\.1 413 /);
    expect(refusal.toLowerCase()).not.toContain('connection: close');
    // The rest of the body goes through, and the same connection answers the next request.
    socket.write(body.subarray(1000));
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    expect(await socket.readResponse()).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
  });

  it('cuts a refused upload that goes on far past the limit', async () => {
    const { port } = new URL(test.url);
    const socket = connectSocket(Number(port));
    socket.write([`POST /mcp HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: ${alice}`, 'Content-Type: application/json', 'Transfer-Encoding: chunked', '', ''].join('\r\n'));
    const piece = Buffer.alloc(64 * 1024, 'x');
    socket.write(`${piece.length.toString(16)}\r\n`);
    socket.write(piece);
    socket.write('\r\n');
    expect(await socket.readResponse()).toMatch(/^HTTP\/1\.1 413 /);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // A streamed body going on past the limit plus 8 MiB of dropped body: the daemon cuts the connection.
    for (let sent = 0; sent < 12 * 1024 * 1024 && !socket.destroyed; sent += piece.length) socket.write(`${piece.length.toString(16)}\r\n${piece.toString('latin1')}\r\n`);
    await closed;
  });

  it('answers a body declared far over the limit with 413 and Connection: close, without reading it', async () => {
    const { port } = new URL(test.url);
    const socket = connectSocket(Number(port));
    socket.write([`POST /mcp HTTP/1.1`, `Host: 127.0.0.1:${port}`, `Authorization: ${alice}`, 'Content-Type: application/json', 'Content-Length: 100000000', '', ''].join('\r\n'));
    const refusal = await socket.readResponse();
    expect(refusal).toMatch(/^HTTP\/1\.1 413 /);
    expect(refusal.toLowerCase()).toContain('connection: close');
    socket.destroy();
  });

  it('closes a session idle for EXAI_IDLE_TIMEOUT_MS', async () => {
    const { client, transport } = await connect(test);
    const sessionId = transport.sessionId as string;
    expect(test.daemon.context.sessions.get(sessionId)).toBeDefined();
    const deadline = Date.now() + 10_000;
    while (test.daemon.context.sessions.get(sessionId) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(test.daemon.context.sessions.get(sessionId)).toBeUndefined();
    const response = await post(test, { jsonrpc: '2.0', id: 9, method: 'tools/list' }, { authorization: alice, 'mcp-session-id': sessionId });
    expect(response.status).toBe(404);
    await client.close();
  });
});

describe('MCP over Streamable HTTP sessions under the connection limits', () => {
  let test: TestDaemon;
  beforeAll(async () => {
    test = await startTestDaemon({ EXAI_MAX_CONNECTIONS_PER_IP: '2' });
  });
  afterAll(async () => test?.close());

  it('counts each session against EXAI_MAX_CONNECTIONS_PER_IP until it ends, like a WebSocket connection', async () => {
    const first = await connect(test);
    const second = await connect(test);
    const refused = await post(test, initialize, { authorization: alice });
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32029, data: { limit: 'connections_per_ip' } } });
    expect(await (await fetch(`${test.url}/metrics`)).text()).toMatch(/exai_refused_total\{limit="connections_per_ip"\} 1/);
    // Ending a session gives its slot back.
    await first.transport.terminateSession();
    await first.client.close();
    const third = await connect(test);
    expect((await third.client.callTool({ name: 'version', arguments: {} })).isError).toBeFalsy();
    await third.transport.terminateSession();
    await Promise.all([second.client.close(), third.client.close()]);
  });
});

describe('MCP over Streamable HTTP while draining', () => {
  let test: TestDaemon;
  let server: Server;
  let draining = false;
  let url: string;
  let face: ReturnType<typeof createMcpHttpFace>;
  beforeAll(async () => {
    test = await startTestDaemon();
    // The face over the daemon's context, with `draining` under the test's control.
    const context = Object.create(test.daemon.context, { draining: { get: () => draining } }) as DaemonContext;
    face = createMcpHttpFace(context);
    server = createServer((request, response) => void face.handleRequest?.(request, response, new URL(request.url ?? '/', 'http://localhost')));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await face?.close?.();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await test?.close();
  });

  it('refuses new sessions and calls with 503 and a draining error, and keeps answering the rest', async () => {
    const local = { url } as TestDaemon;
    const { client, transport } = await connect(local);
    draining = true;
    const call = await post(local, { jsonrpc: '2.0', id: 5, method: 'tools/call', params: { name: 'chat', arguments: { prompt: 'late' } } }, { authorization: alice, 'mcp-session-id': transport.sessionId as string });
    expect(call.status).toBe(503);
    expect(call.headers.get('retry-after')).toBe('5');
    expect(await call.json()).toMatchObject({ id: 5, error: { code: -32029, data: { limit: 'draining' } } });
    expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    const fresh = await post(local, initialize, { authorization: alice });
    expect(fresh.status).toBe(503);
    expect(await fresh.json()).toMatchObject({ id: 1, error: { data: { limit: 'draining' } } });
    // Both refusals are counted, as on every face.
    expect(await (await fetch(`${test.url}/metrics`)).text()).toMatch(/exai_refused_total\{limit="draining"\} 2/);
    draining = false;
    await client.close();
  });
});
