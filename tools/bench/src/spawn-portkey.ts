import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort, stopChild, waitForHttp } from '@exai/harness';

/** Portkey's open-source gateway running in its own process. */
export interface PortkeyProcess {
  /** OpenAI-compatible base URL (`http://127.0.0.1:<port>/v1`). */
  baseURL: string;
  version: string;
  pid: number;
  stop: () => Promise<void>;
}

const packageJson = createRequire(import.meta.url).resolve('@portkey-ai/gateway/package.json');

/**
 * Starts `@portkey-ai/gateway` as its package ships it for Node (`build/start-server.js`, its `bin`:
 * Hono on `@hono/node-server`, one process) with `--headless` (no console UI) on a free port, and
 * waits until it answers HTTP. Callers point it at an upstream per request with the headers
 * `x-portkey-provider: openai` and `x-portkey-custom-host: <base URL>` (loopback hosts are trusted
 * by default).
 */
export async function spawnPortkey(): Promise<PortkeyProcess> {
  const root = dirname(packageJson);
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string; bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : (Object.values(manifest.bin)[0] as string);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [join(root, bin), `--port=${port}`, '--headless'], {
    env: { PATH: process.env['PATH'], NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const baseURL = `http://127.0.0.1:${port}/v1`;
  // Any HTTP answer means it listens (without provider headers it answers 400).
  const waited = await waitForHttp(`${baseURL}/models`, { timeoutMs: 30_000, accept: () => true, gone: () => child.exitCode !== null });
  if (waited.outcome === 'gone') throw new Error(`Portkey gateway exited with ${child.exitCode}: ${stderr}`);
  if (waited.outcome === 'timeout') {
    child.kill('SIGKILL');
    throw new Error(`Portkey gateway did not start: ${stderr}`);
  }
  return { baseURL, version: manifest.version, pid: child.pid as number, stop: () => stopChild(child) };
}
