import { mkdir, open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { decodeJournalValue, encodeJournalValue } from './journal-codec.js';
import type { StorageLogger } from './storage-logger.js';

/** One journaled write, as stored on one line of the journal. */
export interface JournalEntry {
  /** Position in the journal: strictly increasing, replayed in this order. */
  seq: number;
  /** When the write was journaled (ISO 8601). */
  at: string;
  /** The user id whose repositories the write targets, or `service`. */
  scope: string;
  /** The repository method, such as `conversations.appendMessage`. */
  op: string;
  /** The method's arguments, defaults filled in (`Date`s survive the round trip). */
  args: unknown[];
  /** What the caller was answered with that the arguments do not determine (provisional ids). */
  context?: Record<string, unknown>;
}

/** What {@link WriteJournal.append} takes: the journal numbers and dates it. */
export type NewJournalEntry = Omit<JournalEntry, 'seq' | 'at'>;

/**
 * An append-only JSONL file of writes waiting for the database (`<dataDir>/journal/storage.jsonl`).
 * Each append is on disk (fdatasync) before it resolves; acknowledged entries are marked with an
 * `{"ack": seq}` line and dropped when the file is compacted.
 */
export interface WriteJournal {
  /** The journal file. */
  readonly file: string;
  /** Entries appended and not yet acknowledged, oldest first (do not change them). */
  readonly pending: readonly JournalEntry[];
  /** How many entries wait: `pending.length`. */
  readonly backlog: number;
  /** Numbers and writes one entry; resolves once it is on disk. Concurrent appends share one write and sync. */
  append(entry: NewJournalEntry): Promise<JournalEntry>;
  /** Reads the file again: its unacknowledged entries, ignoring (and logging) a torn last line. */
  entries(): Promise<JournalEntry[]>;
  /** Marks the oldest `count` pending entries as done; compacts when nothing is left or many are done. */
  acknowledge(count: number): Promise<void>;
  /** Rewrites the file with only the pending entries (temp file, fsync, rename, fsync of the folder). */
  compact(): Promise<void>;
  /** Keeps an entry the database refused for good in `rejected.jsonl` beside the journal, for an operator. */
  reject(entry: JournalEntry, reason: string): Promise<void>;
  /** Waits for pending file work and closes the file; later appends reject. */
  close(): Promise<void>;
}

/** Options of {@link openWriteJournal}. */
export interface WriteJournalOptions {
  /** The data directory; the journal lives in its `journal` folder. */
  dataDir: string;
  logger?: StorageLogger;
  /** Compact once this many entries were acknowledged since the last compaction (default 1000). */
  compactAfter?: number;
}

const entrySchema = z.object({
  seq: z.number().int().positive(),
  at: z.string(),
  scope: z.string().min(1),
  op: z.string().min(1),
  args: z.array(z.unknown()),
  context: z.record(z.string(), z.unknown()).optional(),
});
const ackSchema = z.object({ ack: z.number().int().nonnegative() });
const lineSchema = z.union([entrySchema, ackSchema]);
type JournalLine = z.infer<typeof lineSchema>;

interface ParsedJournal {
  pending: JournalEntry[];
  lastSeq: number;
  /** Bytes up to the end of the last complete line. */
  completeBytes: number;
  /** An incomplete last line: its bytes, and the entry when it parses anyway (cut just before its newline). */
  tail: { bytes: number; entry: JournalEntry | undefined } | undefined;
}

const parseLine = (text: string): JournalLine | undefined => {
  try {
    const result = lineSchema.safeParse(decodeJournalValue(text));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
};

/** Reads a journal file (missing: empty), tolerating a torn last line and logging unreadable lines. */
async function parseJournalFile(file: string, logger: StorageLogger | undefined): Promise<ParsedJournal> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { pending: [], lastSeq: 0, completeBytes: 0, tail: undefined };
    throw error;
  }
  const completeBytes = buffer.lastIndexOf(0x0a) + 1;
  const entries: JournalEntry[] = [];
  let acked = 0;
  let lastSeq = 0;
  const lines = buffer.subarray(0, completeBytes).toString('utf8').split('\n');
  lines.forEach((text, index) => {
    if (text.trim() === '') return;
    const line = parseLine(text);
    if (!line) {
      logger?.error({ file, line: index + 1, text: text.slice(0, 200) }, 'storage journal: unreadable line skipped');
      return;
    }
    if ('ack' in line) acked = Math.max(acked, line.ack);
    else entries.push(line);
    lastSeq = Math.max(lastSeq, 'ack' in line ? line.ack : line.seq);
  });
  let tail: ParsedJournal['tail'];
  if (completeBytes < buffer.length) {
    const line = parseLine(buffer.subarray(completeBytes).toString('utf8'));
    const entry = line && !('ack' in line) ? line : undefined;
    tail = { bytes: buffer.length - completeBytes, entry };
    if (entry) {
      entries.push(entry);
      lastSeq = Math.max(lastSeq, entry.seq);
    } else {
      logger?.warn({ file, bytes: tail.bytes }, 'storage journal: ignored a torn last line (the process stopped while writing it)');
    }
  }
  return { pending: entries.filter((entry) => entry.seq > acked), lastSeq, completeBytes, tail };
}

/** Makes a rename or a new file in `dir` durable (a no-op where folders cannot be opened, such as Windows). */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // Not supported on this platform; the rename is still atomic.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}

interface Waiter {
  entry: JournalEntry;
  line: string;
  resolve: (entry: JournalEntry) => void;
  reject: (error: unknown) => void;
}

class FileWriteJournal implements WriteJournal {
  private readonly queue: Waiter[] = [];
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private ackedSinceCompaction = 0;

  constructor(
    readonly file: string,
    private readonly dir: string,
    private handle: FileHandle,
    private bytes: number,
    readonly pending: JournalEntry[],
    private nextSeq: number,
    private readonly compactAfter: number,
    private readonly logger: StorageLogger | undefined,
  ) {}

  get backlog(): number {
    return this.pending.length;
  }

  append(input: NewJournalEntry): Promise<JournalEntry> {
    if (this.closed) return Promise.reject(new Error(`storage journal ${this.file} is closed`));
    const entry: JournalEntry = { seq: this.nextSeq++, at: new Date().toISOString(), scope: input.scope, op: input.op, args: input.args };
    if (input.context !== undefined) entry.context = input.context;
    const line = `${encodeJournalValue(entry)}\n`;
    return new Promise<JournalEntry>((resolve, reject) => {
      this.queue.push({ entry, line, resolve, reject });
      // Group commit: the first waiter schedules a flush that takes every line queued by then.
      if (this.queue.length === 1) void this.exclusive(() => this.flush());
    });
  }

  entries(): Promise<JournalEntry[]> {
    return this.exclusive(async () => (await parseJournalFile(this.file, this.logger)).pending);
  }

  acknowledge(count: number): Promise<void> {
    return this.exclusive(async () => {
      const done = Math.min(Math.max(0, Math.floor(count)), this.pending.length);
      if (done === 0) return;
      const last = (this.pending[done - 1] as JournalEntry).seq;
      this.pending.splice(0, done);
      this.ackedSinceCompaction += done;
      if (this.pending.length === 0 || this.ackedSinceCompaction >= this.compactAfter) {
        await this.rewrite();
        return;
      }
      await this.writeAndSync(`${JSON.stringify({ ack: last })}\n`);
    });
  }

  compact(): Promise<void> {
    return this.exclusive(() => this.rewrite());
  }

  reject(entry: JournalEntry, reason: string): Promise<void> {
    return this.exclusive(async () => {
      const handle = await open(join(this.dir, 'rejected.jsonl'), 'a');
      try {
        await writeAll(handle, Buffer.from(`${encodeJournalValue({ ...entry, rejectedAt: new Date().toISOString(), reason })}\n`));
        await handle.datasync();
      } finally {
        await handle.close();
      }
    });
  }

  close(): Promise<void> {
    if (this.closed) return this.chain;
    this.closed = true;
    return this.exclusive(() => this.handle.close());
  }

  /** Runs file work one task at a time, in call order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.chain.then(task);
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0, this.queue.length);
    try {
      await this.writeAndSync(batch.map((waiter) => waiter.line).join(''));
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
      return;
    }
    for (const waiter of batch) {
      this.pending.push(waiter.entry);
      waiter.resolve(waiter.entry);
    }
  }

  private async writeAndSync(text: string): Promise<void> {
    const data = Buffer.from(text, 'utf8');
    const before = this.bytes;
    try {
      await writeAll(this.handle, data);
      // fdatasync(2) also flushes the metadata needed to read the data back (the file size), which is
      // all an append needs; a full fsync would also flush timestamps.
      await this.handle.datasync();
      this.bytes += data.length;
    } catch (error) {
      // Leave no half-written line for the next append to extend.
      await this.handle.truncate(before).catch(() => undefined);
      throw error;
    }
  }

  private async rewrite(): Promise<void> {
    const temp = `${this.file}.tmp`;
    const data = Buffer.from(this.pending.map((entry) => `${encodeJournalValue(entry)}\n`).join(''), 'utf8');
    const handle = await open(temp, 'w');
    try {
      await writeAll(handle, data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await this.handle.close();
    await rename(temp, this.file);
    await syncDirectory(this.dir);
    this.handle = await open(this.file, 'a');
    this.bytes = data.length;
    this.ackedSinceCompaction = 0;
  }
}

/**
 * Opens (creating it if needed) the journal in `<dataDir>/journal/storage.jsonl` and loads its
 * unacknowledged entries into `pending`. A torn last line (the process stopped mid-write) is cut
 * off and logged; one that parses (cut just before its newline) is kept.
 */
export async function openWriteJournal(options: WriteJournalOptions): Promise<WriteJournal> {
  const dir = join(options.dataDir, 'journal');
  const file = join(dir, 'storage.jsonl');
  await mkdir(dir, { recursive: true });
  const parsed = await parseJournalFile(file, options.logger);
  const handle = await open(file, 'a');
  let bytes = parsed.completeBytes;
  try {
    if (parsed.tail) {
      if (parsed.tail.entry) {
        await writeAll(handle, Buffer.from('\n'));
        bytes += parsed.tail.bytes + 1;
      } else {
        await handle.truncate(parsed.completeBytes);
      }
      await handle.datasync();
    }
    await syncDirectory(dir);
  } catch (error) {
    await handle.close();
    throw error;
  }
  return new FileWriteJournal(file, dir, handle, bytes, parsed.pending, parsed.lastSeq + 1, options.compactAfter ?? 1000, options.logger);
}
