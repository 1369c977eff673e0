import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The provider simulator running as a child process. */
export interface SimulatorProcess {
  glmBaseURL: string;
  kimiBaseURL: string;
  stop(): Promise<void>;
}

const cli = fileURLToPath(new URL('../../provider-sim/dist/cli.js', import.meta.url));

/**
 * Starts the built `provider-sim` on a free port and waits for it to print its base URLs (the
 * pattern of tools/bench's helper, which that project does not export).
 */
export async function spawnSimulator(): Promise<SimulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, [cli, '--port', '0', '--latency', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const urls = await new Promise<{ glm: string; kimi: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`provider-sim did not start within 10 s; it printed: ${output}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`provider-sim exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const glm = /(http:\/\/\S+\/api\/paas\/v4)/.exec(output)?.[1];
      const kimi = /(http:\/\/\S+?\/v1)\b/.exec(output)?.[1];
      if (glm && kimi) {
        clearTimeout(timer);
        resolve({ glm, kimi });
      }
    });
  });
  return {
    glmBaseURL: urls.glm,
    kimiBaseURL: urls.kimi,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
