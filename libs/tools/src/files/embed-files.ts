import { BINARY_SNIFF_BYTES, looksBinary } from './binary-content.js';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ToolInputError } from '../tool-input-error.js';
import { defaultFileAccessPolicy, expandPaths, resolveAllowedPath, type FileAccessPolicy } from './file-access.js';

/** Default largest file embedded: 1 MB (`EXAI_MAX_FILE_BYTES`). */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** A file read for embedding into a prompt, or a file left out with a note. */
export interface EmbeddedFile {
  /** The real (symlink-resolved) path. */
  path: string;
  lines: number;
  bytes: number;
  /** The file's text with right-aligned line numbers, framed by BEGIN/END markers; for a skipped file, its note. */
  block: string;
  /** Why the file was left out (binary, too large, unreadable); absent when embedded. */
  skipped?: string;
}

/** Settings shared by {@link embedFiles} and {@link embedFilesWithinBudget}. */
export interface EmbedOptions {
  /** Which paths may be read (default: home and working directory, minus secret stores). Pass `fileAccessPolicyOf(deps)`. */
  policy?: FileAccessPolicy;
  maxFileBytes?: number;
  signal?: AbortSignal;
  /** The tool argument the paths came from, named in errors (default `files`). */
  field?: string;
}

/** What {@link embedFilesWithinBudget} produced. */
export interface EmbeddedFiles {
  /** The file blocks, then a note listing the files left out (empty when there is nothing). */
  text: string;
  /** Real paths embedded, in order. */
  embedded: string[];
  skipped: Array<{ path: string; reason: string }>;
}

/**
 * Reads text files for a prompt, numbering their lines so the model can cite them (`  45│ code`).
 * Directories are expanded, each file is read once (by real path). Binary, oversized and unreadable
 * files come back with `skipped` and a one-line note instead of failing the call; a path that is
 * relative, missing, outside the allowed folders or a secret fails it, every such path named at once.
 */
export async function embedFiles(paths: readonly string[], options: EmbedOptions = {}): Promise<EmbeddedFile[]> {
  const files = await resolveFiles(paths, options);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const embedded: EmbeddedFile[] = [];
  for (const path of files.paths) {
    options.signal?.throwIfAborted();
    embedded.push(await readEmbeddedFile(path, maxFileBytes));
  }
  for (const skip of files.skipped) embedded.push(skippedFile(skip.path, skip.reason));
  return embedded;
}

/**
 * Embeds files, in the order given, while their blocks fit `budgetChars`; a file that does not fit is
 * skipped (a later, smaller one may still fit). Paths in `exclude` (real paths already embedded
 * elsewhere in the prompt) are left out silently. Bad arguments fail as in {@link embedFiles}.
 */
export async function embedFilesWithinBudget(
  paths: readonly string[],
  options: EmbedOptions & {
    budgetChars: number;
    exclude?: Iterable<string>;
    /** `skip`: a relative, missing or disallowed path is noted among the skipped instead of failing (replays of old turns). */
    badPaths?: 'fail' | 'skip';
  },
): Promise<EmbeddedFiles> {
  const files = options.badPaths === 'skip' ? await resolveEachFile(paths, options) : await resolveFiles(paths, options);
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const exclude = new Set(options.exclude ?? []);
  const blocks: string[] = [];
  const embedded: string[] = [];
  const skipped = [...files.skipped];
  let used = 0;
  for (const path of files.paths) {
    if (exclude.has(path)) continue;
    options.signal?.throwIfAborted();
    const file = await readEmbeddedFile(path, Math.min(maxFileBytes, Math.max(0, options.budgetChars - used)), maxFileBytes);
    if (file.skipped) {
      skipped.push({ path, reason: file.skipped });
      continue;
    }
    // Blocks are joined by a blank line.
    const cost = file.block.length + (blocks.length > 0 ? 2 : 0);
    if (used + cost > options.budgetChars) {
      skipped.push({ path, reason: `${file.block.length} characters do not fit the ${options.budgetChars - used} left of the file budget for this model` });
      continue;
    }
    used += cost;
    blocks.push(file.block);
    embedded.push(path);
  }
  const parts = [...blocks];
  if (skipped.length > 0) parts.push(skipNote(skipped));
  return { text: parts.join('\n\n'), embedded, skipped };
}

/** The note listing files left out of a prompt. */
export function skipNote(skipped: ReadonlyArray<{ path: string; reason: string }>): string {
  return `Files not embedded:\n${skipped.map((skip) => `- ${skip.path}: ${skip.reason}`).join('\n')}`;
}

/** Expands and checks each argument on its own, noting the bad ones as skipped. */
async function resolveEachFile(paths: readonly string[], options: EmbedOptions): Promise<{ paths: string[]; skipped: Array<{ path: string; reason: string }> }> {
  const resolved = new Set<string>();
  const skipped: Array<{ path: string; reason: string }> = [];
  for (const path of paths) {
    try {
      const one = await resolveFiles([path], options);
      for (const real of one.paths) resolved.add(real);
      skipped.push(...one.skipped);
    } catch (error) {
      if (!(error instanceof ToolInputError)) throw error;
      skipped.push({ path, reason: reasonOf(error.message, path) });
    }
  }
  return { paths: [...resolved], skipped };
}

/** The reason part of a "Cannot use a path:\n- /p: reason" message. */
function reasonOf(message: string, path: string): string {
  const line = message.split('\n').find((candidate) => candidate.startsWith(`- ${path}: `));
  return line ? line.slice(path.length + 4) : message;
}

/** Expands and checks the arguments; errors name every bad path, with the files that would be skipped for context. */
async function resolveFiles(paths: readonly string[], options: EmbedOptions): Promise<{ paths: string[]; skipped: Array<{ path: string; reason: string }> }> {
  const policy = options.policy ?? defaultFileAccessPolicy();
  const skipped: Array<{ path: string; reason: string }> = [];
  try {
    const expanded = await expandPaths(paths, policy, {
      field: options.field ?? 'files',
      ...(options.signal ? { signal: options.signal } : {}),
      onSkip: (path, reason) => skipped.push({ path, reason }),
    });
    return { paths: expanded, skipped };
  } catch (error) {
    if (!(error instanceof ToolInputError)) throw error;
    // Say what else is wrong, so the caller fixes everything in one go (binary files among them).
    const notes = await Promise.all(paths.map((path) => quickSkipReason(path, policy, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES)));
    const extra = notes.filter((note): note is string => note !== undefined);
    const message = extra.length > 0 ? `${error.message}\nThese would be skipped:\n- ${extra.join('\n- ')}` : error.message;
    throw new ToolInputError(error.field, message);
  }
}

/** For an error message: why an allowed, existing file argument would be skipped, if it would. */
async function quickSkipReason(path: string, policy: FileAccessPolicy, maxFileBytes: number): Promise<string | undefined> {
  let real: string;
  try {
    real = await resolveAllowedPath(path, policy, { kind: 'file' });
  } catch {
    return undefined;
  }
  const file = await readEmbeddedFile(real, maxFileBytes);
  return file.skipped === undefined ? undefined : `${path}: ${file.skipped}`;
}

/**
 * Reads one file: skipped when it is larger than `limitBytes` (the smaller of the file limit and the
 * budget left), not a regular file, unreadable or binary. `maxFileBytes` names the configured limit.
 */
async function readEmbeddedFile(path: string, limitBytes: number, maxFileBytes = limitBytes): Promise<EmbeddedFile> {
  let buffer: Buffer;
  try {
    // No following a link swapped in after the path was checked.
    const handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
    try {
      const info = await handle.stat();
      if (!info.isFile()) return skippedFile(path, 'not a regular file');
      if (info.size > maxFileBytes) {
        return skippedFile(path, `${info.size} bytes is over the ${maxFileBytes}-byte limit (EXAI_MAX_FILE_BYTES); pass the relevant part of it`);
      }
      if (info.size > limitBytes) {
        return skippedFile(path, `${info.size} bytes do not fit the ${limitBytes} characters left of the file budget for this model`);
      }
      // Sniff the head first: a binary file is not read in full.
      buffer = Buffer.alloc(info.size);
      let read = (await handle.read(buffer, 0, Math.min(info.size, BINARY_SNIFF_BYTES), 0)).bytesRead;
      if (looksBinary(buffer.subarray(0, read))) return skippedFile(path, 'binary file; only text files are embedded', info.size);
      while (read < info.size) {
        const { bytesRead } = await handle.read(buffer, read, info.size - read, read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      buffer = buffer.subarray(0, read);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return skippedFile(path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const text = buffer.toString('utf8');
  const lines = text.length === 0 ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const width = String(Math.max(lines.length, 1)).length;
  const numbered = lines.map((line, index) => `${String(index + 1).padStart(width)}│ ${line}`).join('\n');
  const block = `--- BEGIN FILE: ${path} (${lines.length} lines) ---\n${numbered}\n--- END FILE: ${path} ---`;
  return { path, lines: lines.length, bytes: buffer.length, block };
}

function skippedFile(path: string, reason: string, bytes = 0): EmbeddedFile {
  return { path, lines: 0, bytes, block: `--- SKIPPED FILE: ${path} (${reason}) ---`, skipped: reason };
}

