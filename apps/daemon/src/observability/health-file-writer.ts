import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';

/** What {@link HealthFileWriter} needs. */
export interface HealthFileWriterOptions {
  /** Absolute path of the file (`EXAI_HEALTH_FILE`). */
  file: string;
  /** Time between writes (`EXAI_HEALTH_INTERVAL_MS`). */
  intervalMs: number;
  /** The content to write; read at each write. */
  snapshot: () => unknown;
  logger: Pick<Logger, 'warn' | 'error' | 'info'>;
  /** Failures after this long without a successful write are logged at error level (default 30 s, as the original's CRITICAL). */
  errorAfterMs?: number;
  now?: () => number;
}

/**
 * Rewrites a JSON health file every interval, atomically (a temporary file in the same folder,
 * then `rename`), so a reader never sees half a file. The folder is created when missing. A failed
 * write is logged — at error level once no write has succeeded for `errorAfterMs` — and never thrown.
 */
export class HealthFileWriter {
  readonly #options: HealthFileWriterOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #first: NodeJS.Timeout | undefined;
  /** The write under way, if any: ticks skip while one is, and `stop()` waits for it. */
  #pending: Promise<boolean> | undefined;
  #lastSuccess: number;
  #failing = false;
  #sequence = 0;
  #stopped = false;

  constructor(options: HealthFileWriterOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#lastSuccess = this.#now();
  }

  /** Writes soon (once the server is listening, so the bound port is known), then every interval. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#lastSuccess = this.#now();
    this.#first = setTimeout(() => void this.#tick(), 0);
    this.#timer = setInterval(() => void this.#tick(), this.#options.intervalMs);
    this.#first.unref();
    this.#timer.unref();
  }

  /** Writes now (after any write under way). Resolves true when the file was written. */
  async write(): Promise<boolean> {
    while (this.#pending) await this.#pending;
    const pending = this.#write();
    this.#pending = pending;
    try {
      return await pending;
    } finally {
      if (this.#pending === pending) this.#pending = undefined;
    }
  }

  /** Stops the timer and writes a last time (the snapshot then says what the daemon is doing: draining). */
  async stop(): Promise<boolean> {
    this.#stopped = true;
    clearTimeout(this.#first);
    clearInterval(this.#timer);
    this.#timer = undefined;
    return this.write();
  }

  async #tick(): Promise<void> {
    // A slow disk must not pile writes up: skip the tick while the last write is still running.
    if (this.#pending || this.#stopped) return;
    await this.write();
  }

  async #write(): Promise<boolean> {
    const { file, logger } = this.#options;
    const temp = `${file}.${process.pid}.${++this.#sequence}.tmp`;
    try {
      const body = `${JSON.stringify(this.#options.snapshot(), null, 2)}\n`;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(temp, body, { mode: 0o644 });
      await rename(temp, file);
      this.#lastSuccess = this.#now();
      if (this.#failing) logger.info({ file }, 'health file written again');
      this.#failing = false;
      return true;
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      const sinceMs = this.#now() - this.#lastSuccess;
      const errorAfterMs = this.#options.errorAfterMs ?? 30_000;
      this.#failing = true;
      if (sinceMs >= errorAfterMs) logger.error({ err: error, file, sinceMs }, `health file: no successful write for ${Math.round(sinceMs / 1000)} s`);
      else logger.warn({ err: error, file }, 'health file could not be written');
      return false;
    }
  }
}
