import { readFile, stat } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { MAX_OBJECT_BYTES, type ProviderName, type ProviderUpload, type StoredFile, type UserStorage } from '@exai/storage';
import { z } from 'zod';
import { fileAccessPolicyOf, resolveAllowedPath } from '../files/file-access.js';
import type { ToolDependencies } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import type { KimiVendor, VendorFiles } from './vendor-clients.js';

/** One file of an upload call: what became of it. Failed files are listed with their reason, never dropped. */
export const uploadedFileSchema = z.object({
  path: z.string(),
  status: z.enum(['uploaded', 'reused', 'failed']),
  file_id: z.string().optional(),
  stored_file_id: z.string().optional(),
  filename: z.string().optional(),
  sha256: z.string().optional(),
  reason: z.string().optional(),
});

export type UploadedFile = z.infer<typeof uploadedFileSchema>;

/** A local file read for upload, and its copy in the user's storage. */
export interface LocalFile {
  path: string;
  bytes: Uint8Array;
  stored: StoredFile;
}

/** A provider upload ready to use. */
export interface ProviderFileRef {
  upload: ProviderUpload;
  /** True when an earlier upload of the same content was reused (no upload request). */
  reused: boolean;
}

const contentTypes: Record<string, string> = {
  '.txt': 'text/plain',
  '.md': 'text/markdown',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.html': 'text/html',
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

/** Reads an allowed file (≤ 100 MB, the buckets' and both vendors' limit) and stores it, dedup by sha256. */
export async function storeLocalFile(deps: Pick<ToolDependencies, 'limits' | 'storage'>, path: string, field: string, signal: AbortSignal | undefined): Promise<LocalFile> {
  const resolved = await resolveAllowedPath(path, fileAccessPolicyOf(deps), { mustExist: true, kind: 'file', field });
  const { size } = await stat(resolved);
  if (size === 0) throw new ToolInputError(field, `${path}: empty file; providers reject empty files`);
  if (size > MAX_OBJECT_BYTES) throw new ToolInputError(field, `${path}: ${size} bytes is over the ${MAX_OBJECT_BYTES}-byte (100 MB) limit`);
  const bytes = new Uint8Array(await readFile(resolved, signal ? { signal } : {}));
  const filename = basename(resolved);
  const { file } = await deps.storage.files.put({ filename, bytes, contentType: contentTypes[extname(filename).toLowerCase()] ?? 'application/octet-stream', tags: ['upload'] });
  return { path, bytes, stored: file };
}

/**
 * The provider's copy of a stored file: a live upload of the same sha256 is reused (no request);
 * otherwise the bytes are uploaded and recorded. Both are recorded as file operations.
 */
export async function ensureProviderUpload(options: {
  storage: UserStorage;
  provider: ProviderName;
  files: VendorFiles;
  file: LocalFile;
  purpose: string;
  signal: AbortSignal | undefined;
}): Promise<ProviderFileRef> {
  const { storage, provider, file, purpose } = options;
  const existing = await storage.uploads.find(file.stored.sha256, provider);
  // A live upload made for another purpose (Kimi `image` vs `file-extract`) cannot stand in.
  if (existing && (existing.purpose === undefined || existing.purpose === purpose)) {
    await storage.uploads.markUsed(existing.id);
    await storage.files.recordOperation({ operation: 'provider_reuse', status: 'ok', fileId: file.stored.id, provider, bytes: 0 });
    return { upload: existing, reused: true };
  }
  const started = Date.now();
  let providerFile;
  try {
    providerFile = await options.files.upload({ data: file.bytes, filename: file.stored.filename, purpose, mimeType: file.stored.contentType }, { ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    await storage.files.recordOperation({ operation: 'provider_upload', status: 'failed', fileId: file.stored.id, provider, durationMs: Date.now() - started, error: messageOf(error) });
    throw error;
  }
  const upload = await storage.uploads.record({
    sha256: file.stored.sha256,
    provider,
    providerFileId: providerFile.id,
    fileId: file.stored.id,
    filename: file.stored.filename,
    sizeBytes: file.stored.sizeBytes,
    purpose,
  });
  await storage.files.mapExternalId(providerFile.id, 'provider', file.stored.id);
  await storage.files.recordOperation({ operation: 'provider_upload', status: 'ok', fileId: file.stored.id, provider, bytes: file.stored.sizeBytes, durationMs: Date.now() - started });
  return { upload, reused: false };
}

/**
 * Stores and uploads each path in turn. A file that fails is reported with its reason and the others
 * go on; only cancellation stops the whole call.
 */
export async function uploadPaths(
  deps: Pick<ToolDependencies, 'limits' | 'storage'>,
  paths: readonly string[],
  options: { provider: ProviderName; files: VendorFiles; purpose: string; field: string; signal: AbortSignal | undefined },
): Promise<UploadedFile[]> {
  const results: UploadedFile[] = [];
  for (const path of paths) {
    options.signal?.throwIfAborted();
    let local: LocalFile | undefined;
    try {
      local = await storeLocalFile(deps, path, options.field, options.signal);
      const { upload, reused } = await ensureProviderUpload({ storage: deps.storage, provider: options.provider, files: options.files, file: local, purpose: options.purpose, signal: options.signal });
      results.push({
        path,
        status: reused ? 'reused' : 'uploaded',
        file_id: upload.providerFileId,
        stored_file_id: local.stored.id,
        filename: local.stored.filename,
        sha256: local.stored.sha256,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const failed: UploadedFile = { path, status: 'failed', reason: messageOf(error) };
      if (local) Object.assign(failed, { stored_file_id: local.stored.id, filename: local.stored.filename, sha256: local.stored.sha256 });
      results.push(failed);
    }
  }
  return results;
}

/**
 * Kimi keeps a file until it is deleted there (in its console, or by another client of the same key),
 * so a reused upload may point at a file Kimi no longer has. Each reused upload whose id Kimi does not
 * list is forgotten and its path uploaded again, so every id handed back works: one `GET /files` when
 * anything was reused, none otherwise. When the listing fails the uploads are returned as they are.
 */
export async function replaceLostKimiUploads(
  deps: Pick<ToolDependencies, 'limits' | 'storage'>,
  files: readonly UploadedFile[],
  options: { kimi: KimiVendor; purpose: string; field: string; signal: AbortSignal | undefined },
): Promise<UploadedFile[]> {
  const reused = files.filter((file) => file.status === 'reused');
  if (reused.length === 0) return [...files];
  let live: Set<string>;
  try {
    live = new Set((await options.kimi.files.list(options.signal ? { signal: options.signal } : {})).map((file) => file.id));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return [...files];
  }
  const lost = reused.filter((file) => file.file_id !== undefined && !live.has(file.file_id));
  if (lost.length === 0) return [...files];
  for (const file of lost) {
    const record = file.sha256 === undefined ? undefined : await deps.storage.uploads.find(file.sha256, 'kimi');
    if (record && record.providerFileId === file.file_id) await deps.storage.uploads.setStatus(record.id, 'deleted');
  }
  const again = await uploadPaths(
    deps,
    lost.map((file) => file.path),
    { provider: 'kimi', files: options.kimi.files, purpose: options.purpose, field: options.field, signal: options.signal },
  );
  return files.map((file) => {
    const index = lost.indexOf(file);
    return index === -1 ? file : (again[index] as UploadedFile);
  });
}

/** An error's message without a stack (`[code]` added for exai errors by the caller's renderer). */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One line per file: `✓ path → id (reused)` or `✗ path: reason`. */
export function renderUploads(files: readonly UploadedFile[]): string {
  return files
    .map((file) => (file.status === 'failed' ? `✗ ${file.path}: ${file.reason}` : `✓ ${file.path} → ${file.file_id}${file.status === 'reused' ? ' (reused)' : ''}`))
    .join('\n');
}
