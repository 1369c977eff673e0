import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A provider simulator running in its own process, so it does not share the benchmark's event loop. */
export interface SimulatorProcess {
  glmBaseURL: string;
  kimiBaseURL: string;
  stop: () => Promise<void>;
}

const cli = fileURLToPath(new URL('../../provider-sim/dist/cli.js', import.meta.url));

/** Starts `provider-sim` (built) on a free port and waits for it to print its base URLs. */
export async function spawnSimulator(): Promise<SimulatorProcess> {
  const child: ChildProcess = spawn(process.execPath, [cli, '--port', '0', '--latency', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const urls = await new Promise<{ glm: string; kimi: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start; it printed: ${output}`)), 10_000);
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
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
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
