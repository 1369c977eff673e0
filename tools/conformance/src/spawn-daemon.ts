import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, type SimulatorProcess } from './spawn-simulator.js';

const daemonMain = fileURLToPath(new URL('../../../apps/daemon/dist/main.js', import.meta.url));

/** The built exai-daemon running as a child process. */
export interface DaemonProcess {
  /** `http://127.0.0.1:<port>/mcp` */
  mcpUrl: string;
  /** What the daemon wrote to stderr (its log at `LOG_LEVEL=warn`). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * Starts `apps/daemon/dist/main.js` on a free loopback port: memory storage, anonymous callers
 * (loopback only), the simulator's GLM and Kimi, the conformance fixtures when asked. Waits for
 * `/healthz`. The process gets only these variables (and PATH), so a developer's `.env` or shell
 * cannot change what is measured: its working directory is a fresh temporary folder.
 */
export async function spawnDaemon(sim: SimulatorProcess, options: { fixtures: boolean }): Promise<DaemonProcess> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'exai-conformance-'));
  const child: ChildProcess = spawn(process.execPath, [daemonMain], {
    cwd,
    env: {
      PATH: process.env['PATH'],
      GLM_API_KEY: 'conformance-glm-key',
      GLM_BASE_URL: sim.glmBaseURL,
      KIMI_API_KEY: 'conformance-kimi-key',
      KIMI_BASE_URL: sim.kimiBaseURL,
      EXAI_STORAGE: 'memory',
      EXAI_DATA_DIR: join(cwd, 'data'),
      EXAI_WS_HOST: '127.0.0.1',
      EXAI_WS_PORT: String(port),
      EXAI_ALLOW_ANONYMOUS: 'true',
      EXAI_DASHBOARD: 'false',
      EXAI_CONFORMANCE_FIXTURES: String(options.fixtures),
      EXAI_SHUTDOWN_DEADLINE_MS: '1000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  for (let waited = 0; waited < 30_000; waited += 100) {
    if (child.exitCode !== null) throw new Error(`exai-daemon exited with ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { mcpUrl: `${base}/mcp`, stderr: () => stderr, stop: () => stopChild(child) };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`exai-daemon did not answer /healthz within 30 s: ${stderr}`);
}

/** A port that was free a moment ago (the daemon binds it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
