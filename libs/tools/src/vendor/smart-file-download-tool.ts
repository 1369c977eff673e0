import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ExaiError } from '@exai/router/spec';
import type { StoredFile, UserStorage } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { fileAccessPolicyOf, resolveAllowedPath } from '../files/file-access.js';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';

const TOOL = 'smart_file_download';
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const smartFileDownloadInputShape = {
  file_id: z.string().min(1).describe('stored_file_id, or a provider file id.'),
  destination: z.string().min(1).describe('Absolute folder or file path.'),
  overwrite: z.boolean().optional(),
};

export const smartFileDownloadOutputShape = {
  path: z.string(),
  file_id: z.string(),
  filename: z.string(),
  size_bytes: z.number(),
  sha256: z.string(),
  verified: z.boolean(),
  overwritten: z.boolean(),
};

type Input = z.infer<z.ZodObject<typeof smartFileDownloadInputShape>>;
export type SmartFileDownloadOutput = z.infer<z.ZodObject<typeof smartFileDownloadOutputShape>>;

/** `smart_file_download`: a stored or generated file into an allowed folder, sha256 verified. */
export const smartFileDownloadTool = defineTool({
  name: TOOL,
  title: 'Download a stored file',
  description: 'Save a stored or generated file by id into an allowed folder, verifying its sha256; never overwrites unless asked.',
  inputShape: smartFileDownloadInputShape,
  outputShape: smartFileDownloadOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
  profile: 'standard',
  run: (input, context) => download(input, context),
});

async function download(input: Input, context: ToolContext): Promise<CallToolResult> {
  const { deps, signal } = context;
  const stored = await findStoredFile(deps.storage, input.file_id);
  const bytes = await deps.storage.files.read(stored.id);
  if (sha256(bytes) !== stored.sha256) {
    throw new ExaiError('integrity_error', { message: `Stored file ${stored.id} (${stored.filename}) does not match its sha256; it was not written. Upload it again.` });
  }
  const target = await targetPath(context, input.destination, stored.filename);
  await mkdir(dirname(target), { recursive: true });
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new ToolInputError('destination', `${target} is a folder; name a file or a folder to put ${stored.filename} in`);
  if (existing && !input.overwrite) throw new ToolInputError('destination', `${target} exists; pass overwrite: true to replace it`);

  // Written beside the target and checked there, then moved into place in one step: a reader never
  // sees a half-written or unverified file.
  const temporary = join(dirname(target), `.${basename(target)}.${randomUUID()}.part`);
  try {
    await writeFile(temporary, bytes, { flag: 'wx', mode: 0o600, ...(signal ? { signal } : {}) });
    const written = sha256(await readFile(temporary));
    if (written !== stored.sha256) throw new ExaiError('integrity_error', { message: `Writing ${target} produced sha256 ${written}, not ${stored.sha256}; nothing was saved.` });
    signal?.throwIfAborted();
    await place(temporary, target, input.overwrite === true);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  await deps.storage.files.recordOperation({ operation: 'download', status: 'ok', fileId: stored.id, bytes: stored.sizeBytes });
  const output: SmartFileDownloadOutput = {
    path: target,
    file_id: stored.id,
    filename: stored.filename,
    size_bytes: stored.sizeBytes,
    sha256: stored.sha256,
    verified: true,
    overwritten: existing !== undefined,
  };
  const text = `Saved ${stored.filename} (${stored.sizeBytes} bytes) to ${target}${output.overwritten ? ', replacing the file there' : ''}; sha256 ${stored.sha256} verified.`;
  return { content: [{ type: 'text', text }], structuredContent: output };
}

/** The user's stored file by its id, or by a provider file id exai recorded for it. */
async function findStoredFile(storage: UserStorage, id: string): Promise<StoredFile> {
  const stored = (uuidPattern.test(id) ? await storage.files.get(id) : undefined) ?? (await storage.files.resolveExternalId(id, 'provider'));
  if (stored) return stored;
  const upload = (await storage.uploads.list({ limit: 500 })).find((candidate) => candidate.providerFileId === id);
  const viaUpload = upload?.fileId === undefined ? undefined : await storage.files.get(upload.fileId);
  if (viaUpload) return viaUpload;
  throw new ToolInputError('file_id', `No stored file has id ${id}; pass a stored_file_id (from kimi_upload_files or smart_file_query) or a provider file id exai uploaded`);
}

/** The file to write: `destination` itself, or the stored name inside it when it is a folder (or ends with a slash). */
async function targetPath(context: ToolContext, destination: string, filename: string): Promise<string> {
  const policy = fileAccessPolicyOf(context.deps);
  const resolved = await resolveAllowedPath(destination, policy, { forWrite: true, field: 'destination' });
  const info = await stat(resolved).catch(() => undefined);
  const intoFolder = info?.isDirectory() === true || /[\\/]$/.test(destination);
  return intoFolder ? resolveAllowedPath(join(resolved, filename), policy, { forWrite: true, kind: 'file', field: 'destination' }) : resolved;
}

/** Moves the verified file into place; without `overwrite` a hard link makes "only if absent" atomic. */
async function place(temporary: string, target: string, overwrite: boolean): Promise<void> {
  if (overwrite) return rename(temporary, target);
  try {
    await link(temporary, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ToolInputError('destination', `${target} exists; pass overwrite: true to replace it`);
    // File systems without hard links: check, then rename (a narrow race, reported if lost).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw error;
    if (await stat(target).catch(() => undefined)) throw new ToolInputError('destination', `${target} exists; pass overwrite: true to replace it`);
    await rename(temporary, target);
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
