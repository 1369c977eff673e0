import { readFileSync } from 'node:fs';

/**
 * Resident set size of a process in MiB, read from Linux `/proc/<pid>/status` (`VmRSS`). When the
 * file cannot be read (the process is gone) it returns `fallback` if one was given, else throws.
 */
export function rssMiB(pid: number, fallback?: number): number {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (error) {
    if (fallback === undefined) throw error;
    return fallback;
  }
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN) / 1024;
}
