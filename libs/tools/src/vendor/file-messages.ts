import { decodeText, looksBinary } from '../files/binary-content.js';
import type { ChatMessage } from '@exai/router/spec';
import { ToolInputError } from '../tool-input-error.js';
import { messageOf } from './provider-uploads.js';
import type { VendorFileContent, VendorFiles } from './vendor-clients.js';

/** Default bound of extracted text put into one call (characters, all files together; Kimi's own default). */
export const DEFAULT_FILE_CONTENT_MAX_CHARS = 400_000;

/** A file's text as the provider extracted it. */
export interface ExtractedFile {
  fileId: string;
  filename: string;
  fileType: string;
  content: string;
}

/**
 * Fetches every file's text (Kimi: extracted text; GLM: the stored bytes, text files only). All
 * failures are collected and reported together, naming each file: none is left out silently.
 */
export async function extractFiles(
  files: VendorFiles,
  refs: ReadonlyArray<{ fileId: string; filename?: string | undefined }>,
  options: { signal: AbortSignal | undefined; field: string },
): Promise<ExtractedFile[]> {
  const extracted: ExtractedFile[] = [];
  const problems: string[] = [];
  for (const ref of refs) {
    options.signal?.throwIfAborted();
    try {
      extracted.push(toExtracted(ref, await files.content(ref.fileId, options.signal ? { signal: options.signal } : {})));
    } catch (error) {
      if (options.signal?.aborted) throw error;
      problems.push(`${ref.fileId}${ref.filename ? ` (${ref.filename})` : ''}: ${messageOf(error)}`);
    }
  }
  if (problems.length > 0) {
    const read = extracted.length ? ` Read fine: ${extracted.map((file) => file.fileId).join(', ')}.` : '';
    throw new ToolInputError(options.field, `Cannot read ${problems.length} of ${refs.length} file(s):\n- ${problems.join('\n- ')}${read}`);
  }
  return extracted;
}

function toExtracted(ref: { fileId: string; filename?: string | undefined }, content: VendorFileContent): ExtractedFile {
  if ('content' in content) {
    return { fileId: ref.fileId, filename: content.filename || ref.filename || ref.fileId, fileType: content.fileType ?? '', content: content.content };
  }
  // GLM's files API hands back the stored bytes (provider-wire.md §1.8): usable when they are text.
  const bytes = content.bytes;
  if (looksBinary(bytes)) throw new Error('binary file: GLM does not extract text from it; use Kimi (KIMI_API_KEY) for PDFs, Office files and images');
  const text = decodeText(bytes);
  if (text === undefined) throw new Error('not UTF-8 text: GLM does not extract text from it; use Kimi (KIMI_API_KEY)');
  return { fileId: ref.fileId, filename: ref.filename ?? ref.fileId, fileType: content.contentType ?? '', content: text };
}

/** Refuses texts over the budget, listing every file with its size so the caller can choose. */
export function checkFileBudget(files: readonly ExtractedFile[], maxChars: number, field: string): void {
  const total = files.reduce((sum, file) => sum + file.content.length, 0);
  if (total <= maxChars) return;
  const sizes = files.map((file) => `${file.fileId} (${file.filename}): ${file.content.length.toLocaleString('en-US')} chars`).join(', ');
  throw new ToolInputError(
    field,
    `The files' text is ${total.toLocaleString('en-US')} chars, over the ${maxChars.toLocaleString('en-US')}-char budget: ${sizes}. Pass fewer or smaller files, or raise max_chars if the model's context allows.`,
  );
}

/**
 * One system message per file holding the `/files/{id}/content` JSON document, as Moonshot's guide
 * does (provider-wire.md §2.6), so the model also sees the file name.
 */
export function fileSystemMessages(files: readonly ExtractedFile[]): ChatMessage[] {
  return files.map((file) => ({
    role: 'system',
    content: JSON.stringify({ content: file.content, file_type: file.fileType, filename: file.filename, title: '', type: 'file' }),
  }));
}
