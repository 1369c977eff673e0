import { toFile } from 'openai';
import type { FileCreateParams } from 'openai/resources/files';
import { InvalidRequestError, ProviderUnavailableError, type CallOptions } from '@exai/router/spec';
import type { z } from 'zod';
import { GLM_PROVIDER_ID, type GlmClient } from './glm-client.js';
import { glmFileDeletedSchema, glmFileListSchema, glmFileSchema } from './glm-wire.js';
import { mapGlmError } from './map-glm-error.js';

/** Purposes GLM's files API takes (provider-wire.md §1.8). */
export type GlmFilePurpose = 'batch' | 'file-extract' | 'code-interpreter' | 'agent' | 'voice-clone-input' | 'fine-tune' | 'retrieval';

/** A file to upload. */
export interface GlmFileUpload {
  data: Uint8Array;
  filename: string;
  purpose: GlmFilePurpose;
  /** Sent as the part's content type, such as `application/pdf`. */
  mimeType?: string;
}

/** A stored file. */
export interface GlmFile {
  id: string;
  bytes: number;
  /** Unix seconds. */
  createdAt: number;
  filename: string;
  purpose: string;
}

/** Filters and paging of `list`. */
export interface GlmFileListRequest {
  purpose?: GlmFilePurpose;
  limit?: number;
  /** Id of the last file of the previous page. */
  after?: string;
  order?: 'asc' | 'desc';
}

/** One page of files. */
export interface GlmFileList {
  data: GlmFile[];
  hasMore: boolean;
}

/** Result of `delete`. */
export interface GlmFileDeleted {
  id: string;
  deleted: boolean;
}

/** A file's content. */
export interface GlmFileContent {
  bytes: Uint8Array;
  /** The response's content type, when GLM sent one. */
  contentType?: string;
  /** The content decoded as UTF-8. */
  text(): string;
}

/** Largest file GLM stores (435 above it, §1.8). */
export const GLM_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** GLM's files API (`/files`): upload, list, delete, content. Every method rejects with a `ProviderError`. */
export class GlmFiles {
  readonly #client: GlmClient;

  constructor(client: GlmClient) {
    this.#client = client;
  }

  /** Uploads a file (multipart `file` + `purpose`). Files over 100 MB are refused before sending. */
  async upload(upload: GlmFileUpload, options?: CallOptions): Promise<GlmFile> {
    if (!(upload.data instanceof Uint8Array)) throw invalid('file upload needs data as a Uint8Array');
    if (!upload.filename) throw invalid('file upload needs a filename');
    if (!upload.purpose) throw invalid('file upload needs a purpose, such as "file-extract" or "batch"');
    if (upload.data.byteLength > GLM_MAX_FILE_BYTES) {
      throw invalid(`${upload.filename} is ${upload.data.byteLength} bytes; GLM stores files up to 100 MB: split or shrink it`);
    }
    return this.#call(async (sdk, requestOptions) => {
      const file = await toFile(upload.data, upload.filename, upload.mimeType ? { type: upload.mimeType } : undefined);
      // The SDK's purpose type lists OpenAI's purposes only (§4.6).
      const raw = await sdk.files.create({ file, purpose: upload.purpose as FileCreateParams['purpose'] }, requestOptions);
      return toGlmFile(parse(glmFileSchema, raw, 'file upload'), { filename: upload.filename, purpose: upload.purpose, bytes: upload.data.byteLength });
    }, options);
  }

  /** Lists files, newest first unless `order` says otherwise. */
  async list(request: GlmFileListRequest = {}, options?: CallOptions): Promise<GlmFileList> {
    if (request.limit !== undefined && (!Number.isInteger(request.limit) || request.limit < 1)) throw invalid(`file list limit must be a positive integer; got ${request.limit}`);
    const query: Record<string, string | number> = {};
    if (request.purpose) query['purpose'] = request.purpose;
    if (request.limit !== undefined) query['limit'] = request.limit;
    if (request.after) query['after'] = request.after;
    if (request.order) query['order'] = request.order;
    return this.#call(async (sdk, requestOptions) => {
      const raw = await sdk.get('/files', { query, ...requestOptions });
      const page = parse(glmFileListSchema, raw, 'file list');
      return { data: (page.data ?? []).map((file) => toGlmFile(file)), hasMore: page.has_more };
    }, options);
  }

  /** Deletes a file. */
  async delete(id: string, options?: CallOptions): Promise<GlmFileDeleted> {
    checkId(id);
    return this.#call(async (sdk, requestOptions) => {
      const raw = await sdk.files.delete(id, requestOptions);
      const deleted = parse(glmFileDeletedSchema, raw, 'file delete');
      // A 2xx answer without a `deleted` flag still means the file is gone.
      return { id: deleted.id ?? id, deleted: deleted.deleted ?? true };
    }, options);
  }

  /** Downloads a file's content. */
  async content(id: string, options?: CallOptions): Promise<GlmFileContent> {
    checkId(id);
    return this.#call(async (sdk, requestOptions) => {
      const response = await sdk.files.content(id, requestOptions);
      const bytes = new Uint8Array(await response.arrayBuffer());
      const contentType = response.headers.get('content-type') ?? undefined;
      const content: GlmFileContent = { bytes, text: () => new TextDecoder().decode(bytes) };
      if (contentType) content.contentType = contentType;
      return content;
    }, options);
  }

  async #call<T>(run: (sdk: ReturnType<GlmClient['sdk']>, requestOptions: ReturnType<GlmClient['requestOptions']>) => Promise<T>, options: CallOptions | undefined): Promise<T> {
    try {
      return await run(this.#client.sdk(), this.#client.requestOptions(options));
    } catch (error) {
      throw mapGlmError(error, { operation: 'files', signal: options?.signal, timeoutMs: this.#client.timeoutMs });
    }
  }
}

function toGlmFile(file: z.infer<typeof glmFileSchema>, fallback: { filename?: string; purpose?: string; bytes?: number } = {}): GlmFile {
  return {
    id: file.id,
    bytes: file.bytes ?? fallback.bytes ?? 0,
    createdAt: file.created_at ?? 0,
    filename: file.filename ?? fallback.filename ?? '',
    purpose: file.purpose ?? fallback.purpose ?? '',
  };
}

function parse<Schema extends z.ZodType>(schema: Schema, raw: unknown, what: string): z.infer<Schema> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new ProviderUnavailableError({ provider: GLM_PROVIDER_ID, cause: parsed.error, message: `GLM returned a ${what} response exai could not read: retry the call` });
  }
  return parsed.data;
}

function checkId(id: string): void {
  if (typeof id !== 'string' || id.trim() === '') throw invalid('a file id is required');
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError({ provider: GLM_PROVIDER_ID, message });
}
