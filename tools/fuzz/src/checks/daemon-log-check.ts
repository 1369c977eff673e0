import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { CategoryTally } from '../category-tally.js';
import type { FuzzRun } from '../fuzz-run.js';

/** JavaScript errors that only a bug throws: hostile input must be refused before it can cause one. */
const RUNTIME_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'InternalError']);

/**
 * The daemon's own account of the run (EXAI_LOG_FILE, LOG_LEVEL=debug): every warning and error entry
 * is a case; it fails when it is at level error or fatal, or carries a runtime error (a TypeError, a
 * RangeError such as a blown stack): the traces of a bug that the answers themselves may hide (a
 * failed activity record, an unhandled rejection). Call after the daemon stopped.
 */
export async function checkDaemonLog(run: FuzzRun): Promise<CategoryTally> {
  const tally = new CategoryTally('daemon log: no internal errors');
  if (!existsSync(run.fixtures.logFile)) {
    tally.fail('the daemon wrote no log file (EXAI_LOG_FILE)');
    return tally;
  }
  const lines = createInterface({ input: createReadStream(run.fixtures.logFile), crlfDelay: Infinity });
  for await (const line of lines) {
    let entry: { level?: number; msg?: string; tool?: string; err?: { type?: string; message?: string } };
    try {
      entry = JSON.parse(line) as typeof entry;
    } catch {
      continue;
    }
    if ((entry.level ?? 0) < 40) continue;
    const runtime = entry.err?.type !== undefined && RUNTIME_ERRORS.has(entry.err.type);
    const problem = (entry.level ?? 0) >= 50 ? `level ${entry.level}` : runtime ? `${entry.err?.type}` : undefined;
    tally.check(problem && `${problem}: ${entry.msg ?? ''}${entry.tool ? ` (${entry.tool})` : ''}: ${entry.err?.message ?? ''}`, 'daemon log', `warning: ${(entry.msg ?? '').slice(0, 60)}`);
  }
  return tally;
}
