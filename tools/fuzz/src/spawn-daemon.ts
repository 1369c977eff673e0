import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const daemonMain = fileURLToPath(new URL('../../../apps/daemon/dist/main.js', import.meta.url));

/** What the runner watches of the daemon's process. */
export interface DaemonProcess {
  /** `http://127.0.0.1:<port>` */
  httpURL: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsURL: string;
  pid: number;
  /** Set when the process exited (a crash while the run goes on). */
  readonly exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** The last lines it wrote to stderr, for failure reports. */
  stderrTail(): string;
  stop(): Promise<void>;
}

/** Options of {@link spawnDaemon}. */
export interface SpawnDaemonOptions {
  /** The daemon's environment (nothing of the runner's is inherited but `PATH`). */
  env: Record<string, string>;
  /** Its working directory (a `.env` there would be read: use an empty temp folder). */
  cwd: string;
  port: number;
  /** Every chunk the daemon writes to stdout or stderr. */
  onOutput(stream: 'stdout' | 'stderr', chunk: Buffer): void;
}

/** Starts the BUILT daemon (`apps/daemon/dist/main.js`) as a child process and waits for `/healthz`, then `/readyz`. */
export async function spawnDaemon(options: SpawnDaemonOptions): Promise<DaemonProcess> {
  const child: ChildProcess = spawn(process.execPath, [daemonMain], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...options.env, EXAI_WS_PORT: String(options.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let exit: DaemonProcess['exit'];
  child.stdout?.on('data', (chunk: Buffer) => options.onOutput('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    options.onOutput('stderr', chunk);
    tail = (tail + chunk.toString('utf8')).slice(-8_000);
  });
  child.once('exit', (code, signal) => (exit = { code, signal }));
  const httpURL = `http://127.0.0.1:${options.port}`;
  for (let waited = 0; waited < 60_000; waited += 100) {
    if (exit) throw new Error(`exai-daemon exited with ${exit.code ?? exit.signal} while starting:\n${tail}`);
    try {
      if ((await fetch(`${httpURL}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    if (waited + 100 >= 60_000) {
      child.kill('SIGKILL');
      throw new Error(`exai-daemon did not answer /healthz within 60 s:\n${tail}`);
    }
  }
  // Storage opens in the background (PGlite compiles and migrates in seconds, more on a busy
  // machine): calls wait for it, so the run starts once /readyz says ready.
  let readiness = '';
  for (let waited = 0; ; waited += 250) {
    if (exit) throw new Error(`exai-daemon exited with ${exit.code ?? exit.signal} while getting ready:\n${tail}`);
    const ready = await fetch(`${httpURL}/readyz`).then(
      async (response) => ((readiness = await response.text()), response.ok),
      () => false,
    );
    if (ready) break;
    if (waited >= 180_000) {
      child.kill('SIGKILL');
      throw new Error(`exai-daemon was not ready within 180 s: ${readiness}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    httpURL,
    wsURL: `ws://127.0.0.1:${options.port}/ws`,
    pid: child.pid as number,
    get exit() {
      return exit;
    },
    stderrTail: () => tail,
    stop: () =>
      new Promise((resolve) => {
        if (exit) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** A port free on loopback right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
