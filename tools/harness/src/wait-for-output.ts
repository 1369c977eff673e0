import type { ChildProcess } from 'node:child_process';

/** Options of {@link waitForOutput}. */
export interface WaitForOutputOptions {
  /** What the process is, for the error messages (`simulator`, `the pass-through proxy`). */
  name: string;
  /** Longest wait (default 10 s). */
  timeoutMs?: number;
}

/**
 * Resolves with what `parse` finds in the child's stdout so far (all of it, as text), as soon as it
 * finds something; rejects when the child exits first or after `timeoutMs`. The child must have been
 * spawned with stdout piped.
 */
export function waitForOutput<T>(child: ChildProcess, parse: (output: string) => T | undefined, options: WaitForOutputOptions): Promise<T> {
  let output = '';
  let found = false;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${options.name} did not start; it printed: ${output}`)), options.timeoutMs ?? 10_000);
    child.once('exit', (code) => reject(new Error(`${options.name} exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      if (found) return;
      output += chunk.toString();
      const value = parse(output);
      if (value !== undefined) {
        found = true;
        clearTimeout(timer);
        resolve(value);
      }
    });
  });
}
