import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { waitForHttp } from './wait-for-http.js';

/** `apps/daemon/dist/main.js`: the built daemon (`npm run build`). */
export const builtDaemon = fileURLToPath(new URL('../../../apps/daemon/dist/main.js', import.meta.url));

/** How the daemon process ended. */
export interface DaemonExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** exai-daemon running as a child process. */
export interface DaemonProcess {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  /** Its working directory: a `.env` there would be read, and relative paths resolve against it. */
  cwd: string;
  /** What it wrote to stderr (its JSON log lines), at most the last `stderrLimit` characters. */
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<DaemonExit>;
  /** How it ended, once it has (a crash while a run goes on); undefined while it runs. */
  readonly exit: DaemonExit | undefined;
  /** Resolves once a log line matches (rejects when the process exits first or after `timeoutMs`, default 30 s). */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Sends `signal` (default SIGTERM) and waits for the exit; SIGKILL after `timeoutMs` (default: the `killAfterMs` option). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<DaemonExit>;
}

/** One readiness wait: GET `path` until it answers 2xx, polling every `intervalMs` (default 100 ms). */
export interface ReadyCheck {
  path: string;
  timeoutMs: number;
  intervalMs?: number;
}

/** Where the daemon runs, for environments that depend on it. */
export interface DaemonPlace {
  cwd: string;
  port: number;
}

/** Options of {@link spawnDaemon}. */
export interface SpawnDaemonOptions {
  /**
   * The daemon's environment: only this, plus `PATH` and `EXAI_WS_PORT` (which it may override). A
   * function gets the working directory and port first (for `HOME`, `EXAI_DATA_DIR` under it …).
   */
  env: Record<string, string> | ((place: DaemonPlace) => Record<string, string>);
  /** Working directory (default: a new temporary one named `<tempPrefix>XXXXXX`). */
  cwd?: string;
  /** Prefix of the temporary working directory (default `exai-daemon-`). */
  tempPrefix?: string;
  /** Port (default: a free one). */
  port?: number;
  /** The waits before it counts as started, in order (default: `/readyz` within 60 s). */
  readiness?: readonly ReadyCheck[];
  /** Characters of stderr kept (default 4 MiB). */
  stderrLimit?: number;
  /** Default SIGKILL delay of `stop()` (default 60 s; `Infinity`: never). */
  killAfterMs?: number;
  /** Every chunk the daemon writes; with it, stdout is piped too (else ignored). */
  onOutput?: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
}

/** `/readyz` answering 200: listening, storage open, providers configured. */
const defaultReadiness: readonly ReadyCheck[] = [{ path: '/readyz', timeoutMs: 60_000 }];

/**
 * Spawns `node apps/daemon/dist/main.js` (the built daemon) with exactly the environment given and
 * waits until its readiness checks pass. On a timeout it SIGKILLs the daemon and throws; when the
 * daemon exits while starting, it throws with the end of its stderr.
 */
export async function spawnDaemon(options: SpawnDaemonOptions): Promise<DaemonProcess> {
  if (!existsSync(builtDaemon)) throw new Error(`${builtDaemon} is missing: run \`npm run build\` first`);
  const port = options.port ?? (await freePort());
  const cwd = options.cwd ?? mkdtempSync(join(tmpdir(), options.tempPrefix ?? 'exai-daemon-'));
  const env = typeof options.env === 'function' ? options.env({ cwd, port }) : options.env;
  const onOutput = options.onOutput;
  const child = spawn(process.execPath, [builtDaemon], {
    cwd,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', EXAI_WS_PORT: String(port), ...env },
    stdio: ['ignore', onOutput ? 'pipe' : 'ignore', 'pipe'],
  });
  const limit = options.stderrLimit ?? 4 * 1024 * 1024;
  let stderr = '';
  const watchers = new Set<() => void>();
  const decoder = new StringDecoder('utf8');
  if (onOutput) child.stdout?.on('data', (chunk: Buffer) => onOutput('stdout', chunk));
  child.stderr?.on('data', (chunk: Buffer) => {
    onOutput?.('stderr', chunk);
    stderr += decoder.write(chunk);
    if (stderr.length > limit) stderr = stderr.slice(stderr.length - limit);
    for (const watcher of watchers) watcher();
  });
  let exit: DaemonExit | undefined;
  const exited = new Promise<DaemonExit>((resolve) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      resolve(exit);
      for (const watcher of watchers) watcher();
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const waitForLog = (pattern: RegExp, timeoutMs = 30_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no daemon log line matched ${pattern} within ${timeoutMs} ms`)), timeoutMs);
      const finish = (error?: Error, line?: string): void => {
        clearTimeout(timer);
        watchers.delete(check);
        if (error) reject(error);
        else resolve(line as string);
      };
      const check = (): void => {
        const line = stderr.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) finish(undefined, line);
        else if (exit) finish(new Error(`the daemon exited before a log line matched ${pattern}:\n${stderr.slice(-4000)}`));
      };
      watchers.add(check);
      check();
    });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = options.killAfterMs ?? 60_000): Promise<DaemonExit> => {
    if (!exit) child.kill(signal);
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => child.kill('SIGKILL'), timeoutMs) : undefined;
    const ended = await exited;
    clearTimeout(timer);
    return ended;
  };
  const daemon: DaemonProcess = {
    pid: child.pid as number,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    cwd,
    stderr: () => stderr,
    exited,
    get exit() {
      return exit;
    },
    waitForLog,
    stop,
  };

  for (const check of options.readiness ?? defaultReadiness) {
    const waited = await waitForHttp(`${url}${check.path}`, { timeoutMs: check.timeoutMs, intervalMs: check.intervalMs ?? 100, gone: () => exit !== undefined });
    if (waited.outcome === 'gone') throw new Error(`exai-daemon exited (${exit?.code ?? exit?.signal}) while starting (waiting for ${check.path}):\n${stderr.slice(-4000)}`);
    if (waited.outcome === 'timeout') {
      await stop('SIGKILL');
      throw new Error(`exai-daemon did not answer ${check.path} with 200 within ${check.timeoutMs} ms (last answer: ${waited.last}):\n${stderr.slice(-4000)}`);
    }
  }
  return daemon;
}
