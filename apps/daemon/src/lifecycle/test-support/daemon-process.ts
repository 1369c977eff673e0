import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `apps/daemon/dist/main.js`: the built daemon (`npx nx run daemon:build`; the `test` target builds first). */
export const builtDaemon = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'main.js');

/** A port nobody listens on right now (the daemon is told it; port 0 would not be visible from outside). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** How a child process ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** exai-daemon running as a child process. */
export interface DaemonProcess {
  child: ChildProcess;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything written to stderr so far (the JSON log lines). */
  stderr(): string;
  /** Settles when the process has exited. */
  exited: Promise<ProcessExit>;
  /** Resolves once a log line matches (rejects when the process exits first or after `timeoutMs`). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** SIGKILL if still running, and wait for the exit. */
  kill(): Promise<ProcessExit>;
}

/**
 * Spawns `node apps/daemon/dist/main.js` in `cwd` (no `.env` of the repository applies) with only
 * `env` plus PATH, on `port`, and waits until it listens (`/healthz` answers). Rejects with the
 * child's stderr when it exits first.
 */
export async function spawnDaemon(options: { env: Record<string, string>; cwd: string; port?: number; waitReady?: boolean }): Promise<DaemonProcess> {
  if (!existsSync(builtDaemon)) throw new Error(`${builtDaemon} is missing: run \`npx nx run daemon:build\` first`);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [builtDaemon], {
    cwd: options.cwd,
    env: { PATH: process.env['PATH'] ?? '', HOME: options.cwd, EXAI_WS_HOST: '127.0.0.1', EXAI_WS_PORT: String(port), ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const watchers = new Set<() => void>();
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr += chunk;
    for (const watcher of watchers) watcher();
  });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const watcher of watchers) watcher();
  });
  const url = `http://127.0.0.1:${port}`;
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no log line matched ${pattern} within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      const finish = (error?: Error, line?: string): void => {
        clearTimeout(timer);
        watchers.delete(check);
        if (error) reject(error);
        else resolve(line as string);
      };
      const check = (): void => {
        const line = stderr.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) finish(undefined, line);
        else if (done) finish(new Error(`the daemon exited before a log line matched ${pattern}:\n${stderr}`));
      };
      watchers.add(check);
      check();
    });
  const daemon: DaemonProcess = {
    child,
    port,
    url,
    stderr: () => stderr,
    exited,
    waitForLog,
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      return exited;
    },
  };
  if (options.waitReady !== false) {
    try {
      await waitForLog(/exai-daemon listening on/);
    } catch (error) {
      await daemon.kill();
      throw error;
    }
  }
  return daemon;
}
