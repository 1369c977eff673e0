import type { CallOptions } from '@exai/router/spec';
import { toFile, type OpenAI } from 'openai';
import type { z } from 'zod';
import { callKimi } from './call-kimi.js';
import { invalidRequest } from './invalid-request.js';
import { sdkRequestOptions, type KimiContext } from './kimi-context.js';
import {
  kimiFileContentSchema,
  kimiFileDeletedSchema,
  kimiFileListSchema,
  kimiFileObjectSchema,
} from './kimi-wire.js';
import { parseJsonText, parseWire } from './parse-wire.js';

/** Upload purposes: text extraction, or vision input referenced as `ms://<id>` (provider-wire.md §2.6). */
export type KimiFilePurpose = 'file-extract' | 'image' | 'video';

/** A file stored at Kimi. */
export interface KimiFile {
  id: string;
  bytes: number;
  /** Unix seconds. */
  createdAt: number | undefined;
  filename: string;
  purpose: string;
  /** `ok` (older API) or `ready`; anything else means extraction is pending or failed. */
  status: string | undefined;
  statusDetails: string | undefined;
}

/** Extracted text of a `file-extract` file. */
export interface KimiFileContent {
  content: string;
  fileType: string | undefined;
  filename: string | undefined;
  title: string | undefined;
  type: string | undefined;
}

/** A file to upload. */
export interface KimiFileUpload {
  data: Uint8Array;
  filename: string;
  purpose: KimiFilePurpose;
  mimeType?: string;
}

/** Kimi's storage limits per account (§2.6). */
export const kimiFileLimits = {
  maxFileBytes: 100 * 1024 * 1024,
  maxFiles: 1000,
  maxTotalBytes: 10 * 1024 * 1024 * 1024,
} as const;

type SdkFilePurpose = Parameters<OpenAI['files']['create']>[0]['purpose'];

/** Kimi's files API. Every method takes the caller's `AbortSignal` and rejects with a `ProviderError`. */
export class KimiFiles {
  readonly #context: KimiContext;

  constructor(context: KimiContext) {
    this.#context = context;
  }

  /**
   * Uploads a file. Checks Kimi's limits first (size, zero size, 1,000 files, 10 GB in total, by
   * listing the account's files) so a doomed upload is never sent.
   */
  async upload(file: KimiFileUpload, options?: CallOptions): Promise<KimiFile> {
    const size = file.data.byteLength;
    if (size === 0) throw invalidRequest(`File "${file.filename}" is empty (0 bytes); Kimi rejects empty files.`);
    if (size > kimiFileLimits.maxFileBytes) {
      throw invalidRequest(
        `File "${file.filename}" is ${formatBytes(size)}; Kimi accepts at most ${formatBytes(kimiFileLimits.maxFileBytes)} per file. Split or compress it.`,
      );
    }
    const existing = await this.list(options);
    if (existing.length >= kimiFileLimits.maxFiles) {
      throw invalidRequest(
        `The Kimi account already holds ${existing.length} files, the most it allows (${kimiFileLimits.maxFiles}); "${file.filename}" was not uploaded. Delete files you no longer need with files.delete(id).`,
      );
    }
    const used = existing.reduce((sum, stored) => sum + stored.bytes, 0);
    if (used + size > kimiFileLimits.maxTotalBytes) {
      throw invalidRequest(
        `Uploading "${file.filename}" (${formatBytes(size)}) would bring the Kimi account to ${formatBytes(used + size)}, over its ${formatBytes(kimiFileLimits.maxTotalBytes)} total (${formatBytes(used)} used by ${existing.length} files). Delete files you no longer need with files.delete(id).`,
      );
    }
    return callKimi(this.#context, { operation: 'file upload' }, options, async (client, signal) => {
      const uploadable = await toFile(file.data, file.filename, file.mimeType ? { type: file.mimeType } : undefined);
      // The SDK's purpose type lacks Kimi's values (§4.6).
      const purpose = file.purpose as SdkFilePurpose;
      const created = await client.files.create({ file: uploadable, purpose }, sdkRequestOptions(options, signal));
      return toKimiFile(parseWire(kimiFileObjectSchema, created, 'file upload'));
    });
  }

  /** Lists the account's files (Kimi returns them all at once, without `has_more`). */
  list(options?: CallOptions): Promise<KimiFile[]> {
    return callKimi(this.#context, { operation: 'file list' }, options, async (client, signal) => {
      const body = await client.get('/files', sdkRequestOptions(options, signal));
      return (parseWire(kimiFileListSchema, body, 'file list').data ?? []).map(toKimiFile);
    });
  }

  /** Metadata of one file. */
  retrieve(id: string, options?: CallOptions): Promise<KimiFile> {
    return callKimi(this.#context, { operation: 'file retrieve', resource: `file ${id}` }, options, async (client, signal) =>
      toKimiFile(parseWire(kimiFileObjectSchema, await client.files.retrieve(id, sdkRequestOptions(options, signal)), 'file')),
    );
  }

  /** The extracted text of a `file-extract` file. */
  content(id: string, options?: CallOptions): Promise<KimiFileContent> {
    return callKimi(this.#context, { operation: 'file content', resource: `file ${id}` }, options, async (client, signal) => {
      const response = await client.files.content(id, sdkRequestOptions(options, signal));
      // The body is the extracted text as a JSON document (§2.6, §4.6).
      const body = parseJsonText(await response.text(), 'file content');
      const parsed: z.infer<typeof kimiFileContentSchema> = parseWire(kimiFileContentSchema, body, 'file content');
      return {
        content: parsed.content,
        fileType: parsed.file_type ?? undefined,
        filename: parsed.filename ?? undefined,
        title: parsed.title ?? undefined,
        type: parsed.type ?? undefined,
      };
    });
  }

  /** Deletes a file. */
  delete(id: string, options?: CallOptions): Promise<{ id: string; deleted: boolean }> {
    return callKimi(this.#context, { operation: 'file delete', resource: `file ${id}` }, options, async (client, signal) => {
      const body = parseWire(kimiFileDeletedSchema, await client.files.delete(id, sdkRequestOptions(options, signal)), 'file delete');
      return { id: body.id ?? id, deleted: body.deleted ?? false };
    });
  }
}

function toKimiFile(file: z.infer<typeof kimiFileObjectSchema>): KimiFile {
  return {
    id: file.id,
    bytes: file.bytes ?? 0,
    createdAt: file.created_at ?? undefined,
    filename: file.filename ?? '',
    purpose: file.purpose ?? '',
    status: file.status ?? undefined,
    statusDetails: file.status_details ?? undefined,
  };
}

/** `104,857,600 bytes (100 MB)`: exact numbers plus a readable size. */
function formatBytes(bytes: number): string {
  const units = ['KB', 'MB', 'GB'] as const;
  let value = bytes;
  let unit = '';
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const readable = unit ? ` (${Number(value.toFixed(2))} ${unit})` : '';
  return `${bytes.toLocaleString('en-US')} bytes${readable}`;
}
