import type { Exchange } from './exchange.js';
import { mimeTypeOf, type StoredFile } from './file-store.js';
import { glmError, glmStatusError, type WireError } from './glm-errors.js';
import { respond, respondJson } from './http-io.js';
import { hex, unixSeconds } from './ids.js';
import type { SimState } from './state.js';

/** Purposes GLM accepts (provider-wire.md §1.8, with the SDK's extra two). */
const purposes = new Set(['batch', 'file-extract', 'code-interpreter', 'agent', 'voice-clone-input', 'fine-tune', 'retrieval']);

function fileObject(file: StoredFile): Record<string, unknown> {
  return { id: file.id, object: 'file', bytes: file.bytes, created_at: file.createdAt, filename: file.filename, purpose: file.purpose };
}

function fail(exchange: Exchange, error: WireError): Promise<void> {
  return respondJson(exchange, error.status, error.body);
}

/** `POST /files`: multipart `file` + `purpose`; 435 above the size limit. */
export function glmUploadFile(exchange: Exchange, state: SimState): Promise<void> {
  const upload = exchange.upload;
  if (!upload?.file) return fail(exchange, glmError('1213', 'The file parameter was not received properly.'));
  if (!upload.purpose) return fail(exchange, glmError('1213', 'The purpose parameter was not received properly.'));
  if (!purposes.has(upload.purpose)) return fail(exchange, glmError('1214', 'Invalid purpose parameter. Please check the documentation.'));
  const { name, type, data } = upload.file;
  if (data.length === 0) return fail(exchange, glmError('1214', 'Invalid file parameter: the file is empty.'));
  if (data.length > state.glmMaxFileBytes) return fail(exchange, glmStatusError(435));
  const file: StoredFile = {
    id: `file-${hex(24)}`,
    filename: name,
    purpose: upload.purpose,
    bytes: data.length,
    createdAt: unixSeconds(),
    contentType: mimeTypeOf(name, type),
    data,
  };
  state.glmFiles.add(file);
  return respondJson(exchange, 200, fileObject(file));
}

/** `GET /files?purpose=&limit=&after=&order=`: a page with `has_more` (§1.8). */
export function glmListFiles(exchange: Exchange, state: SimState): Promise<void> {
  const query = new URLSearchParams(exchange.query);
  const purpose = query.get('purpose');
  const limit = Math.min(Math.max(Number(query.get('limit') ?? 20) || 20, 1), 100);
  let files = state.glmFiles.list().filter((file) => !purpose || file.purpose === purpose);
  if (query.get('order') !== 'asc') files = files.reverse();
  const after = query.get('after');
  if (after) files = files.slice(files.findIndex((file) => file.id === after) + 1);
  return respondJson(exchange, 200, { object: 'list', data: files.slice(0, limit).map(fileObject), has_more: files.length > limit });
}

/** `GET /files/{id}`, `DELETE /files/{id}`, `GET /files/{id}/content`. */
export function glmFileById(exchange: Exchange, state: SimState, id: string, content: boolean): Promise<void> {
  const file = state.glmFiles.get(id);
  if (!file) return fail(exchange, glmStatusError(404, `File ${id} not found`));
  if (exchange.req.method === 'DELETE' && !content) {
    state.glmFiles.delete(id);
    return respondJson(exchange, 200, { id, object: 'file', deleted: true });
  }
  if (content) return respond(exchange, 200, file.data, { 'content-type': file.contentType });
  return respondJson(exchange, 200, fileObject(file));
}
