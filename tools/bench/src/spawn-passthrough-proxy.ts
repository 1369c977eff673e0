import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild, waitForOutput } from '@exai/harness';

/** The pass-through proxy (the floor of a Node gateway) running in its own process. */
export interface PassthroughProcess {
  /** OpenAI-compatible base URL (`http://127.0.0.1:<port>/v1`). */
  baseURL: string;
  pid: number;
  stop: () => Promise<void>;
}

const script = fileURLToPath(new URL('./passthrough-proxy.js', import.meta.url));

/** Starts `passthrough-proxy.js` in front of `upstream` and waits for its port. */
export async function spawnPassthroughProxy(upstream: string): Promise<PassthroughProcess> {
  const child: ChildProcess = spawn(process.execPath, [script], { env: { PATH: process.env['PATH'], BENCH_UPSTREAM: upstream }, stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await waitForOutput(child, (output) => /listening (\d+)/.exec(output)?.[1], { name: 'the pass-through proxy' });
  return { baseURL: `http://127.0.0.1:${port}/v1`, pid: child.pid as number, stop: () => stopChild(child) };
}
