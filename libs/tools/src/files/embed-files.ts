import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { ToolInputError } from '../tool-input-error.js';

/** Default largest file the chat tool embeds: 1 MB. */
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** A file read for embedding into a prompt. */
export interface EmbeddedFile {
  path: string;
  lines: number;
  bytes: number;
  /** The file's text with right-aligned line numbers, framed by BEGIN/END markers. */
  block: string;
}

/**
 * Reads text files for a prompt, numbering their lines so the model can cite them.
 * Every problem (relative, missing, not a file, unreadable, binary, too large) is collected and
 * reported at once, naming each path, so the caller can fix them in one go.
 */
export async function embedFiles(
  paths: readonly string[],
  options: { maxFileBytes?: number; signal?: AbortSignal } = {},
): Promise<EmbeddedFile[]> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const problems: string[] = [];
  const files: EmbeddedFile[] = [];
  for (const path of paths) {
    options.signal?.throwIfAborted();
    try {
      files.push(await embedFile(path, maxFileBytes));
    } catch (error) {
      problems.push(error instanceof ToolInputError ? error.message : `${path}: ${(error as Error).message}`);
    }
  }
  if (problems.length > 0) {
    throw new ToolInputError('files', `Cannot use ${problems.length === 1 ? 'a file' : `${problems.length} files`}:\n- ${problems.join('\n- ')}`);
  }
  return files;
}

async function embedFile(path: string, maxFileBytes: number): Promise<EmbeddedFile> {
  if (!isAbsolute(path)) {
    throw new ToolInputError('files', `${path}: not an absolute path; pass the full path (for example ${process.cwd()}/${path})`);
  }
  let resolved: string;
  try {
    resolved = await realpath(path);
  } catch {
    throw new ToolInputError('files', `${path}: no such file`);
  }
  const info = await stat(resolved);
  if (!info.isFile()) throw new ToolInputError('files', `${path}: not a regular file`);
  if (info.size > maxFileBytes) {
    throw new ToolInputError('files', `${path}: ${info.size} bytes is over the ${maxFileBytes}-byte limit; pass a smaller file or the relevant part of it`);
  }
  let buffer: Buffer;
  try {
    const handle = await open(resolved, 'r');
    try {
      buffer = await handle.readFile();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ToolInputError('files', `${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (looksBinary(buffer)) throw new ToolInputError('files', `${path}: binary file; only text files can be embedded`);
  const text = buffer.toString('utf8');
  const lines = text.length === 0 ? [] : text.replace(/\r?\n$/, '').split(/\r?\n/);
  const width = String(Math.max(lines.length, 1)).length;
  const numbered = lines.map((line, index) => `${String(index + 1).padStart(width)}│ ${line}`).join('\n');
  const block = `--- BEGIN FILE: ${path} (${lines.length} lines) ---\n${numbered}\n--- END FILE: ${path} ---`;
  return { path, lines: lines.length, bytes: buffer.length, block };
}

/** A NUL byte in the first 8 KB is how git and grep tell binary from text. */
function looksBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}
