import type { ChildProcess } from 'node:child_process';

/**
 * Sends SIGTERM and resolves once the process has exited (at once when it already has). With
 * `killAfterMs`, SIGKILL follows when it is still running after that long; without, it waits.
 */
export function stopChild(child: ChildProcess, killAfterMs?: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
