import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopChild } from './stop-child.js';
import { waitForOutput } from './wait-for-output.js';

/** `tools/provider-sim/dist/cli.js`: the built provider simulator's CLI. */
export const providerSimCli = fileURLToPath(new URL('../../provider-sim/dist/cli.js', import.meta.url));

/** A provider simulator running in its own process, so it does not share the caller's event loop. */
export interface SimulatorProcess {
  glmBaseURL: string;
  kimiBaseURL: string;
  pid: number;
  /** SIGTERM, resolving once it has exited (SIGKILL after `killAfterMs` when that was given). */
  stop: () => Promise<void>;
}

/** Options of {@link spawnSimulator}. */
export interface SpawnSimulatorOptions {
  /** The simulator's `--latency` in ms (default 0). */
  latencyMs?: number;
  /** `stop()` sends SIGKILL when SIGTERM has not ended it after this long (default: it waits). */
  killAfterMs?: number;
}

/** Starts the built `provider-sim` CLI on a free port and waits (10 s at most) for it to print its base URLs. */
export async function spawnSimulator(options: SpawnSimulatorOptions = {}): Promise<SimulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, [providerSimCli, '--port', '0', '--latency', String(options.latencyMs ?? 0)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const urls = await waitForOutput(child, parseBaseURLs, { name: 'simulator' });
  return {
    glmBaseURL: urls.glm,
    kimiBaseURL: urls.kimi,
    pid: child.pid as number,
    stop: () => stopChild(child, options.killAfterMs),
  };
}

/** The GLM and Kimi base URLs in what the simulator printed, once both are there. */
export function parseBaseURLs(output: string): { glm: string; kimi: string } | undefined {
  const glm = /(http:\/\/\S+\/api\/paas\/v4)/.exec(output)?.[1];
  const kimi = /(http:\/\/\S+?\/v1)\b/.exec(output)?.[1];
  return glm && kimi ? { glm, kimi } : undefined;
}
