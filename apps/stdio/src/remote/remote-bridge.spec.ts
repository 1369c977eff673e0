import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, stdioMain, textOf, type StdioSession } from '../test-support/stdio-harness.js';

// The daemon is another app: it is run as its users run it, from its build.
const daemonMain = fileURLToPath(new URL('../../../daemon/dist/main.js', import.meta.url));
const token = 'bridge-test-token-0123456789abcdef';

let sim: Simulator;
let port: number;
let daemon: ChildProcess | undefined;
let session: StdioSession;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function startDaemon(): Promise<ChildProcess> {
  const cwd = mkdtempSync(join(tmpdir(), 'exai-bridge-daemon-'));
  const child = spawn(process.execPath, [daemonMain], {
    cwd,
    env: {
      PATH: process.env['PATH'],
      GLM_API_KEY: 'sim-glm-key',
      GLM_BASE_URL: sim.glmBaseURL,
      KIMI_API_KEY: 'sim-kimi-key',
      KIMI_BASE_URL: sim.kimiBaseURL,
      EXAI_STORAGE: 'memory',
      EXAI_DATA_DIR: join(cwd, 'data'),
      EXAI_ALLOWED_ROOTS: tmpdir(),
      EXAI_WS_PORT: String(port),
      EXAI_WS_TOKEN: `bridge=${token}`,
      EXAI_SHUTDOWN_DEADLINE_MS: '100',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  for (let waited = 0; waited < 20_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`exai-daemon exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return child;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`exai-daemon did not start: ${stderr}`);
}

async function stopDaemon(signal: NodeJS.Signals): Promise<void> {
  const child = daemon;
  daemon = undefined;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

const chat = async (prompt: string): Promise<CallToolResult> =>
  (await session.client.callTool({ name: 'chat', arguments: { prompt, model: 'glm-4.5-flash' } }, undefined, { timeout: 30_000 })) as CallToolResult;

beforeAll(async () => {
  if (!existsSync(daemonMain)) throw new Error(`build exai-daemon first (npx nx run daemon:build): ${daemonMain} is missing`);
  sim = await startSimulator();
  port = await freePort();
  daemon = await startDaemon();
  session = await startStdio({ EXAI_TOKEN: token }, { args: ['--remote', `ws://127.0.0.1:${port}/ws`] });
}, 60_000);

afterAll(async () => {
  await session?.close();
  await stopDaemon('SIGKILL');
  await sim?.close();
});

describe('exai-stdio --remote (bridge to exai-daemon)', () => {
  it('serves the daemon’s tools to a stdio MCP client, logging only to stderr', async () => {
    const { tools } = await session.client.listTools();
    expect(tools.map((tool) => tool.name)).toContain('chat');
    const result = await chat('Hello through the bridge');
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('Hello through the bridge');
    expect(session.stderr()).toContain('exai-stdio bridging to the daemon');
  });

  it('survives a daemon restart: reconnects, replays the handshake and keeps serving', async () => {
    await stopDaemon('SIGTERM');
    daemon = await startDaemon();
    const result = await chat('After the restart');
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('After the restart');
  }, 60_000);

  it('sends a call that was in flight when the daemon died once more after reconnecting', async () => {
    sim.setLatency(1500);
    const pending = chat('In flight during a crash');
    await sim.waitFor((request) => request.path.endsWith('/chat/completions') && JSON.stringify(request.body).includes('In flight during a crash'), { timeoutMs: 10_000 });
    await stopDaemon('SIGKILL');
    sim.setLatency(0);
    daemon = await startDaemon();
    const result = await pending;
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toContain('In flight during a crash');
  }, 60_000);

  it('refuses a URL that is not ws:// with a clear message', async () => {
    const child = spawn(process.execPath, [stdioMain, '--remote', 'http://example.com'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(78);
    expect(stderr).toContain('--remote needs a ws:// or wss:// URL');
  });

  it('exits when its parent process is gone, so no bridge is left orphaned', async () => {
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${stdioMain}" --remote ws://127.0.0.1:${port}/ws & echo $!; sleep 0.3`], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await new Promise((resolve) => shell.once('exit', resolve));
    const pid = Number(out.trim());
    expect(pid).toBeGreaterThan(0);
    let alive = true;
    for (let waited = 0; alive && waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    shell.stdin.end();
    expect(alive).toBe(false);
  }, 20_000);
});
