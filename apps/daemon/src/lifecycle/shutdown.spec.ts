import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LATEST_PROTOCOL_VERSION, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { userIdForSubject } from '../auth/user-id-for-subject.js';
import type { Principal } from '../daemon-context.js';
import { startTestDaemon, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import { spawnDaemon, type DaemonProcess } from './test-support/daemon-process.js';
import { holdUpstream } from './test-support/held-upstream.js';

const alice: Principal = { userId: userIdForSubject('alice', 'static'), subject: 'alice', method: 'static' };
const isChat = (request: { path: string }): boolean => request.path.endsWith('/chat/completions');

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim.close());
afterEach(() => sim.reset());

/** An MCP client on a server the daemon made for `alice` (how every face serves a connection). */
async function connect(test: TestDaemon, sessionId = 'session-1'): Promise<Client> {
  const server = test.daemon.context.createMcpServer(alice, { sessionId, transport: 'websocket' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'shutdown-spec', version: '1.0.0' });
  await client.connect(clientTransport);
  return client;
}

/** A WebSocket upgrade request: the status the server answers it with (101 when it would upgrade). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}/ws`, { headers: { connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('upgrade', (_response, socket) => {
      socket.destroy();
      resolve(101);
    });
    request.on('error', reject);
    request.end();
  });
}

/** A new Streamable HTTP session's first request (what a new client sends). */
function initializeOverHttp(url: string): Promise<Response> {
  return fetch(`${url}/mcp`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo: { name: 'late', version: '1' } } }),
  });
}

/** An MCP client over Streamable HTTP at `/mcp`, as user alice. */
async function connectOverHttp(url: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}` } } });
  const client = new Client({ name: 'shutdown-spec', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

const text = (result: CallToolResult): string => (result.content[0]?.type === 'text' ? result.content[0].text : '');

describe('graceful stop (in process)', () => {
  it('drains: refuses new work, answers probes with 503 ready, lets the running call finish, then stops listening', async () => {
    const upstream = await holdUpstream(sim.url);
    const test = await startTestDaemon({ EXAI_SHUTDOWN_DEADLINE_MS: '60000', GLM_BASE_URL: `${upstream.url}/api/paas/v4` }, { sim });
    const client = await connect(test);
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'finish me while draining', model: 'glm-4.5-flash' } }) as Promise<CallToolResult>;
    await upstream.arrived;
    expect(test.daemon.context.inFlight.count).toBe(1);

    const stopped = test.daemon.stop('SIGTERM');
    expect(test.daemon.context.draining).toBe(true);

    const ready = await fetch(`${test.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('connection')).toBe('close');
    expect(await ready.json()).toMatchObject({ status: 'not_ready', draining: true, problems: ['draining: the server is shutting down'] });
    expect((await fetch(`${test.url}/healthz`)).status).toBe(200);
    const refused = await initializeOverHttp(test.url);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(await refused.json()).toMatchObject({ error: { code: -32029, data: { limit: 'draining' } } });
    expect(await upgradeStatus(test.url)).toBe(503);
    expect(test.daemon.context.inFlight.count).toBe(1);

    upstream.release();
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('[glm-4.5-flash] You said: "finish me while draining"');
    await stopped;
    expect(test.daemon.context.inFlight.count).toBe(0);
    expect(test.daemon.context.shutdownSignal.aborted).toBe(false);
    await expect(fetch(`${test.url}/healthz`)).rejects.toThrow();
    expect(test.logs.join('')).toContain('exai-daemon stopped');
    await client.close().catch(() => undefined);
    await upstream.close();
  });

  it('cancels a call still running at EXAI_SHUTDOWN_DEADLINE_MS, aborting the upstream request', async () => {
    const test = await startTestDaemon({ EXAI_SHUTDOWN_DEADLINE_MS: '200' }, { sim });
    const client = await connect(test);
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'never answered [[sim:hang]]', model: 'glm-4.5-flash' } });
    const settled = call.then(
      (result) => ({ result: result as CallToolResult, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    await sim.waitFor(isChat);
    await test.daemon.stop('SIGTERM');
    expect(test.daemon.context.shutdownSignal.aborted).toBe(true);
    const aborted = await sim.waitFor((request) => isChat(request) && request.aborted);
    expect(aborted.completed).toBe(false);
    expect(test.daemon.context.inFlight.count).toBe(0);
    // The client is told: its connection closed (or, depending on timing, a cancelled result).
    const outcome = await settled;
    expect(outcome.error !== undefined || outcome.result?.isError === true).toBe(true);
    expect(test.logs.join('')).toContain('shutdown deadline passed: cancelling the calls still running');
    expect(test.logs.join('')).toContain('exai-daemon stopped');
  });

  it('flushes storage on stop: the thread the last call wrote is there after a restart (PGlite)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'exai-daemon-pglite-'));
    const first = await startTestDaemon({ EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: dataDir }, { sim });
    await first.daemon.context.exai.opening;
    const client = await connect(first);
    const result = (await client.callTool({ name: 'chat', arguments: { prompt: 'remember me across restarts', model: 'glm-4.5-flash' } })) as CallToolResult;
    const continuationId = (result.structuredContent as { continuation_id: string }).continuation_id;
    expect(continuationId).toBeTruthy();
    await first.daemon.stop('SIGTERM');

    const second = await startTestDaemon({ EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: dataDir }, { sim });
    try {
      const turns = await second.daemon.context.userScope(alice).conversations.load(continuationId);
      expect(turns?.map((turn) => turn.role)).toEqual(['user', 'assistant']);
      expect(JSON.stringify(turns)).toContain('remember me across restarts');
    } finally {
      await second.close();
    }
  }, 60_000);

  it('is idempotent: a second stop waits for the first', async () => {
    const test = await startTestDaemon({}, { sim });
    const [first, second] = [test.daemon.stop('a'), test.daemon.stop('b')];
    await Promise.all([first, second]);
    expect(test.logs.filter((line) => line.includes('exai-daemon stopped'))).toHaveLength(1);
  });
});

describe('exai-daemon process: signals', () => {
  let running: DaemonProcess | undefined;
  afterEach(async () => {
    await running?.kill();
    running = undefined;
  });

  function env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      GLM_API_KEY: 'sim-glm-key',
      GLM_BASE_URL: sim.glmBaseURL,
      KIMI_API_KEY: 'sim-kimi-key',
      KIMI_BASE_URL: sim.kimiBaseURL,
      EXAI_STORAGE: 'memory',
      EXAI_WS_TOKEN: `alice=${TEST_STATIC_TOKEN}`,
      LOG_LEVEL: 'info',
      ...overrides,
    };
  }

  it('exits 0 on SIGTERM: stops listening and says so', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    running = await spawnDaemon({ env: env(), cwd });
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain('"reason":"SIGTERM"');
    expect(running.stderr()).toContain('exai-daemon stopped');
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });

  it('exits 0 on SIGINT too', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    running = await spawnDaemon({ env: env(), cwd });
    running.child.kill('SIGINT');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain('exai-daemon stopped');
  });

  it('exits 78 on a bad configuration, listing every problem', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    running = await spawnDaemon({ env: env({ EXAI_WS_TOKEN: '', EXAI_WS_PORT: 'eighty', LOG_LEVEL: 'loud' }), cwd, waitReady: false });
    expect(await running.exited).toEqual({ code: 78, signal: null });
    const output = running.stderr();
    expect(output).toContain('EXAI_WS_PORT');
    expect(output).toContain('LOG_LEVEL');
    expect(output).toContain('no authentication configured');
  });
});

describe('exai-daemon process: draining over /mcp', () => {
  let running: DaemonProcess | undefined;
  afterEach(async () => {
    await running?.kill();
    running = undefined;
  });

  function env(overrides: Record<string, string> = {}): Record<string, string> {
    return {
      GLM_API_KEY: 'sim-glm-key',
      GLM_BASE_URL: sim.glmBaseURL,
      EXAI_STORAGE: 'memory',
      EXAI_WS_TOKEN: `alice=${TEST_STATIC_TOKEN}`,
      EXAI_RETRY_INITIAL_DELAY_MS: '10',
      LOG_LEVEL: 'info',
      ...overrides,
    };
  }
  const chatTo = (marker: string) => (request: { path: string; body?: unknown }): boolean => isChat(request) && JSON.stringify(request.body).includes(marker);

  it('SIGTERM during a call: /readyz 503, new sessions refused, the call completes, its thread is in PGlite after a restart, exit 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    const upstream = await holdUpstream(sim.url);
    const settings = env({ EXAI_STORAGE: 'pglite', EXAI_DATA_DIR: join(cwd, 'data'), EXAI_SHUTDOWN_DEADLINE_MS: '120000' });
    running = await spawnDaemon({ env: { ...settings, GLM_BASE_URL: `${upstream.url}/api/paas/v4` }, cwd });
    await running.waitForLog(/"msg":"storage ready"/, 60_000);
    const client = await connectOverHttp(running.url);
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'drain-me-in-process', model: 'glm-4.5-flash' } }, undefined, { timeout: 120_000 }) as Promise<CallToolResult>;
    await upstream.arrived;

    running.child.kill('SIGTERM');
    await running.waitForLog(/"msg":"draining: no new connections or calls"/);
    const ready = await fetch(`${running.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ draining: true });
    expect((await initializeOverHttp(running.url)).status).toBe(503);

    upstream.release();
    const result = await call;
    expect(result.isError).toBeFalsy();
    expect(text(result)).toContain('You said: "drain-me-in-process');
    const continuationId = (result.structuredContent as { continuation_id: string }).continuation_id;
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain('exai-daemon stopped');
    await client.close().catch(() => undefined);
    await upstream.close();

    // The same data directory, a new process: the thread of the last call is there.
    running = await spawnDaemon({ env: settings, cwd });
    await running.waitForLog(/"msg":"storage ready"/, 60_000);
    const again = await connectOverHttp(running.url);
    const shown = (await again.callTool({ name: 'threads', arguments: { action: 'show', continuation_id: continuationId } }, undefined, { timeout: 60_000 })) as CallToolResult;
    expect(shown.isError).toBeFalsy();
    expect((shown.structuredContent as { turns: Array<{ role: string; text: string }> }).turns.map((turn) => turn.role)).toEqual(['user', 'assistant']);
    expect(text(shown)).toContain('drain-me-in-process');
    await again.close();
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  it('cancels a call still running at the deadline (upstream aborted) and still exits 0', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    running = await spawnDaemon({ env: env({ EXAI_SHUTDOWN_DEADLINE_MS: '300' }), cwd });
    const client = await connectOverHttp(running.url);
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'deadline-hang [[sim:hang]]', model: 'glm-4.5-flash' } }).catch((error: unknown) => error);
    const upstream = await sim.waitFor(chatTo('deadline-hang'));
    running.child.kill('SIGTERM');
    expect(await running.exited).toEqual({ code: 0, signal: null });
    expect(running.stderr()).toContain('shutdown deadline passed: cancelling the calls still running');
    expect(running.stderr()).toContain('exai-daemon stopped');
    const aborted = await sim.waitFor((request) => request.id === upstream.id && request.aborted);
    expect(aborted.completed).toBe(false);
    // The connection is gone; closing the client settles the call it still waits for.
    await client.close().catch(() => undefined);
    await call;
  }, 60_000);

  it('a second SIGINT exits at once, without waiting for the deadline', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'exai-daemon-proc-'));
    running = await spawnDaemon({ env: env({ EXAI_SHUTDOWN_DEADLINE_MS: '600000' }), cwd });
    const client = await connectOverHttp(running.url);
    const call = client.callTool({ name: 'chat', arguments: { prompt: 'second-signal-hang [[sim:hang]]', model: 'glm-4.5-flash' } }).catch((error: unknown) => error);
    await sim.waitFor(chatTo('second-signal-hang'));
    running.child.kill('SIGINT');
    await running.waitForLog(/"msg":"draining: no new connections or calls"/);
    running.child.kill('SIGINT');
    expect(await running.exited).toEqual({ code: 130, signal: null });
    expect(running.stderr()).toContain('second signal: exiting now');
    expect(running.stderr()).not.toContain('exai-daemon stopped');
    // The connection is gone; closing the client settles the call it still waits for.
    await client.close().catch(() => undefined);
    await call;
  }, 60_000);
});
