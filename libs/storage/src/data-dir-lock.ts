import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ExaiError } from '@exai/router/spec';

/** Another live process holds the data folder (its embedded database and journal are single-process). */
export class DataDirLockedError extends ExaiError {
  readonly dataDir: string;
  readonly pid: number;
  constructor(options: { dataDir: string; pid: number }) {
    super('storage_locked', {
      message:
        `${options.dataDir} is in use by another exai process (pid ${options.pid}); its embedded database and journal serve one process at a time. ` +
        'Give this process its own EXAI_DATA_DIR, or share threads between processes with EXAI_STORAGE=postgres or supabase.',
    });
    this.name = 'DataDirLockedError';
    this.dataDir = options.dataDir;
    this.pid = options.pid;
    Object.defineProperty(this, Symbol.for('exai.error.DataDirLockedError'), { value: true });
  }

  static override isInstance(error: unknown): error is DataDirLockedError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[Symbol.for('exai.error.DataDirLockedError')] === true;
  }
}

/** Folders this process holds (a pid check cannot tell two holders in one process apart). */
const held = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `<dataDir>/exai.lock` for this process (its pid inside), or throws {@link DataDirLockedError}
 * when a live process holds it; a lock left by a process that died is taken over. Resolves with the
 * function that releases it.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const folder = resolve(dataDir);
  if (held.has(folder)) throw new DataDirLockedError({ dataDir, pid: process.pid });
  await mkdir(folder, { recursive: true });
  const path = join(folder, 'exai.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(folder);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        held.delete(folder);
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) throw new DataDirLockedError({ dataDir, pid: holder });
      // Stale (its process is gone) or unreadable: take it over.
      await rm(path, { force: true });
    }
  }
  throw new DataDirLockedError({ dataDir, pid: -1 });
}
