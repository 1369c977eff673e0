import type { Exchange } from './exchange.js';
import { isTextLike, mimeTypeOf, type StoredFile } from './file-store.js';
import type { WireError } from './glm-errors.js';
import { respondJson } from './http-io.js';
import { alnum, unixSeconds } from './ids.js';
import { kimiError, kimiInvalid } from './kimi-errors.js';
import type { SimState } from './state.js';

const purposes = new Set(['file-extract', 'image', 'video']);
const mebibyte = 1024 * 1024;

function size(bytes: number): string {
  if (bytes % (1024 * mebibyte) === 0) return `${bytes / (1024 * mebibyte)}GB`;
  return bytes % mebibyte === 0 ? `${bytes / mebibyte}MB` : `${bytes} bytes`;
}

function fileObject(file: StoredFile): Record<string, unknown> {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'ok',
    status_details: '',
  };
}

function fail(exchange: Exchange, error: WireError): Promise<void> {
  return respondJson(exchange, error.status, error.body);
}

/** The extracted text: text-like files return their text, others a `[binary …]` placeholder. */
export function extractedText(file: StoredFile): string {
  if (isTextLike(file.contentType)) return file.data.toString('utf8');
  return `[binary ${file.contentType} file ${file.filename}, ${file.bytes} bytes]`;
}

/** `POST /files` with the limits and exact error texts of provider-wire.md §2.6. */
export function kimiUploadFile(exchange: Exchange, state: SimState): Promise<void> {
  const upload = exchange.upload;
  if (!upload?.file) return fail(exchange, kimiInvalid('Invalid request: file is required'));
  if (!upload.purpose || !purposes.has(upload.purpose)) return fail(exchange, kimiInvalid("Invalid purpose: only 'file-extract' accepted"));
  const { name, type, data } = upload.file;
  const limits = state.kimiFileLimits;
  if (data.length === 0) return fail(exchange, kimiInvalid('File size is zero, please confirm and re-upload the file'));
  if (data.length > limits.maxFileBytes) {
    return fail(exchange, kimiInvalid(`File size is too large, max file size is ${size(limits.maxFileBytes)}, please confirm and re-upload the file`));
  }
  if (state.kimiFiles.count >= limits.maxFiles) {
    return fail(
      exchange,
      kimiInvalid(`The number of files you have uploaded exceeded the max file count ${limits.maxFiles}, please delete previous uploaded files`),
    );
  }
  if (state.kimiFiles.totalBytes + data.length > limits.maxTotalBytes) {
    return fail(
      exchange,
      kimiInvalid(`The total size of files you have uploaded exceeded the max total size ${size(limits.maxTotalBytes)}, please delete previous uploaded files`),
    );
  }
  const file: StoredFile = {
    id: alnum(20),
    filename: name,
    purpose: upload.purpose,
    bytes: data.length,
    createdAt: unixSeconds(),
    contentType: mimeTypeOf(name, type),
    data,
  };
  state.kimiFiles.add(file);
  if (isTextLike(file.contentType)) state.kimiFileTexts.set(extractedText(file), file.filename);
  return respondJson(exchange, 200, fileObject(file));
}

/** `GET /files`: `{object:"list", data}` and no `has_more` (§2.6). */
export function kimiListFiles(exchange: Exchange, state: SimState): Promise<void> {
  return respondJson(exchange, 200, { object: 'list', data: state.kimiFiles.list().map(fileObject) });
}

/** `GET /files/{id}`, `DELETE /files/{id}`, `GET /files/{id}/content` (the JSON body of §2.6). */
export function kimiFileById(exchange: Exchange, state: SimState, id: string, content: boolean): Promise<void> {
  const file = state.kimiFiles.get(id);
  if (!file) return fail(exchange, kimiError('resource_not_found_error', `Not found the file ${id}`));
  if (content) {
    return respondJson(exchange, 200, { content: extractedText(file), file_type: file.contentType, filename: file.filename, title: '', type: 'file' });
  }
  if (exchange.req.method === 'DELETE') {
    state.kimiFiles.delete(id);
    if (isTextLike(file.contentType)) state.kimiFileTexts.delete(extractedText(file));
    return respondJson(exchange, 200, { id, object: 'file', deleted: true });
  }
  return respondJson(exchange, 200, fileObject(file));
}
