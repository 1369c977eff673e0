import type { ProviderUpload, UploadStatus } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { messageOf } from './provider-uploads.js';
import { kimiVendor, type KimiVendor, type VendorFile } from './vendor-clients.js';

const TOOL = 'kimi_manage_files';
const DAY_MS = 86_400_000;
/** Most upload records read per listing (the storage adapters' page limit). */
const RECORDS_LIMIT = 500;

export const kimiManageFilesInputShape = {
  operation: z.enum(['list', 'delete', 'cleanup_orphaned', 'cleanup_expired']),
  file_ids: z.array(z.string()).max(100).optional().describe('For delete.'),
  unused_days: z.number().int().min(0).max(3650).optional().describe('cleanup_expired (default 30).'),
  include_untracked: z.boolean().optional().describe('Also Kimi files exai did not upload for you (own keys only).'),
  dry_run: z.boolean().optional().describe('Report only.'),
  limit: z.number().int().min(1).max(1000).optional().describe('list (default 100).'),
};

const actions = ['listed', 'deleted', 'would_delete', 'forgotten', 'would_forget', 'kept', 'failed'] as const;

export const kimiManageFilesOutputShape = {
  operation: z.string(),
  dry_run: z.boolean(),
  files: z.array(
    z.object({
      file_id: z.string(),
      filename: z.string().optional(),
      bytes: z.number().optional(),
      tracked: z.boolean(),
      last_used: z.string().optional(),
      action: z.enum(actions),
      reason: z.string().optional(),
    }),
  ),
  deleted: z.number(),
  failed: z.number(),
};

type Input = z.infer<z.ZodObject<typeof kimiManageFilesInputShape>>;
export type KimiManageFilesOutput = z.infer<z.ZodObject<typeof kimiManageFilesOutputShape>>;
type Entry = KimiManageFilesOutput['files'][number];

/** `kimi_manage_files`: list Kimi files, delete them, and clean up orphaned or expired uploads. */
export const kimiManageFilesTool = defineTool({
  name: TOOL,
  title: 'Manage Kimi files',
  description: "List or delete Kimi files, or clean up uploads whose stored file is gone (orphaned) or unused (expired); dry_run only reports.",
  inputShape: kimiManageFilesInputShape,
  outputShape: kimiManageFilesOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  profile: 'full',
  run: (input, context) => manage(input, context),
});

/** A cleanup candidate: a Kimi file (absent when Kimi no longer has it) and exai's record of it. */
interface Candidate {
  fileId: string;
  atKimi: VendorFile | undefined;
  record: ProviderUpload | undefined;
  reason: string;
  /** The record's status once handled. */
  status: UploadStatus;
}

async function manage(given: Input, context: ToolContext): Promise<CallToolResult> {
  const kimi = kimiVendor(context.deps, TOOL);
  const dryRun = given.dry_run === true;
  const options = context.signal ? { signal: context.signal } : {};
  const [listed, records] = await Promise.all([kimi.files.list(options), context.deps.storage.uploads.list({ provider: 'kimi', status: 'uploaded', limit: RECORDS_LIMIT })]);
  const recordById = new Map(records.map((record) => [record.providerFileId, record]));
  // On keys shared by a server's users, the files exai did not upload for this user are other
  // people's: they are left out of everything, so they cannot be listed, deleted or even detected.
  const shared = context.deps.providerAccounts === 'shared';
  const atKimi = shared ? listed.filter((file) => recordById.has(file.id)) : listed;
  const input: Input = shared ? { ...given, include_untracked: false } : given;
  const kimiById = new Map(atKimi.map((file) => [file.id, file]));

  let entries: Entry[];
  if (input.operation === 'list') {
    entries = atKimi.slice(0, input.limit ?? 100).map((file) => ({ ...describeFile(file.id, file, recordById.get(file.id)), action: 'listed' as const }));
    for (const record of records) {
      if (!kimiById.has(record.providerFileId)) entries.push({ ...describeFile(record.providerFileId, undefined, record), action: 'listed', reason: 'recorded, but Kimi no longer has it' });
    }
  } else {
    const candidates = await candidatesFor(input, context, kimiById, recordById, records);
    entries = [];
    for (const candidate of candidates) entries.push(await handle(candidate, { kimi, context, dryRun, includeUntracked: input.include_untracked === true, shared, operation: input.operation, options }));
  }
  const output: KimiManageFilesOutput = {
    operation: input.operation,
    dry_run: dryRun,
    files: entries,
    deleted: entries.filter((entry) => entry.action === 'deleted').length,
    failed: entries.filter((entry) => entry.action === 'failed').length,
  };
  return { content: [{ type: 'text', text: render(output) }], structuredContent: output };
}

async function candidatesFor(
  input: Input,
  context: ToolContext,
  kimiById: ReadonlyMap<string, VendorFile>,
  recordById: ReadonlyMap<string, ProviderUpload>,
  records: readonly ProviderUpload[],
): Promise<Candidate[]> {
  const uploads = context.deps.storage.uploads;
  const candidates = new Map<string, Candidate>();
  const add = (fileId: string, record: ProviderUpload | undefined, reason: string, status: UploadStatus): void => {
    if (!candidates.has(fileId)) candidates.set(fileId, { fileId, atKimi: kimiById.get(fileId), record, reason, status });
  };
  switch (input.operation) {
    case 'delete': {
      if (!input.file_ids?.length) throw new ToolInputError('file_ids', 'delete needs file_ids');
      for (const id of input.file_ids) add(id, recordById.get(id), 'requested', 'deleted');
      break;
    }
    case 'cleanup_orphaned': {
      for (const record of await uploads.listOrphaned('kimi')) add(record.providerFileId, record, 'its stored file is gone', 'deleted');
      for (const record of records) if (!kimiById.has(record.providerFileId)) add(record.providerFileId, record, 'Kimi no longer has it', 'deleted');
      if (input.include_untracked) for (const id of kimiById.keys()) if (!recordById.has(id)) add(id, undefined, 'exai has no record of it', 'deleted');
      break;
    }
    case 'cleanup_expired': {
      const unusedDays = input.unused_days ?? 30;
      const now = context.deps.now?.() ?? new Date();
      const expired = await uploads.listExpired({ now, unusedSince: new Date(now.getTime() - unusedDays * DAY_MS), provider: 'kimi' });
      for (const record of expired) add(record.providerFileId, record, `expired or unused for ${unusedDays}+ days`, 'expired');
      break;
    }
  }
  return [...candidates.values()];
}

/** Deletes (or, in a dry run, reports) one candidate, updates exai's record and audits the deletion. */
async function handle(
  candidate: Candidate,
  options: { kimi: KimiVendor; context: ToolContext; dryRun: boolean; includeUntracked: boolean; shared: boolean; operation: string; options: { signal?: AbortSignal } },
): Promise<Entry> {
  const { context, dryRun } = options;
  const storage = context.deps.storage;
  const base = describeFile(candidate.fileId, candidate.atKimi, candidate.record);
  if (!candidate.record && !candidate.atKimi) return { ...base, action: 'failed', reason: options.shared ? 'no such file among your Kimi uploads' : 'Kimi has no such file' };
  if (!candidate.record && !options.includeUntracked) {
    // The key may be shared: a file this user never uploaded through exai is not theirs to delete.
    return { ...base, action: 'kept', reason: 'exai has no record of it; pass include_untracked: true to delete it anyway' };
  }
  if (!candidate.atKimi) {
    // Already gone at Kimi: only the record needs to go.
    if (!dryRun && candidate.record) await storage.uploads.setStatus(candidate.record.id, candidate.status);
    return { ...base, action: dryRun ? 'would_forget' : 'forgotten', reason: candidate.reason };
  }
  if (dryRun) return { ...base, action: 'would_delete', reason: candidate.reason };
  const started = Date.now();
  try {
    await options.kimi.files.delete(candidate.fileId, options.options);
  } catch (error) {
    if (context.signal?.aborted) throw error;
    await audit(context, candidate, options.operation, 'failure', messageOf(error));
    await storage.files.recordOperation({ operation: 'provider_delete', status: 'failed', provider: 'kimi', durationMs: Date.now() - started, error: messageOf(error), ...(candidate.record?.fileId ? { fileId: candidate.record.fileId } : {}) });
    return { ...base, action: 'failed', reason: messageOf(error) };
  }
  if (candidate.record) await storage.uploads.setStatus(candidate.record.id, candidate.status);
  await storage.files.recordOperation({ operation: 'provider_delete', status: 'ok', provider: 'kimi', durationMs: Date.now() - started, ...(candidate.record?.fileId ? { fileId: candidate.record.fileId } : {}) });
  await audit(context, candidate, options.operation, 'success', undefined);
  return { ...base, action: 'deleted', reason: candidate.reason };
}

async function audit(context: ToolContext, candidate: Candidate, operation: string, outcome: 'success' | 'failure', error: string | undefined): Promise<void> {
  await context.deps.storage.audit.append({
    action: 'kimi_files.delete',
    resource: `kimi:file:${candidate.fileId}`,
    outcome,
    details: { tool: TOOL, operation, reason: candidate.reason, filename: candidate.atKimi?.filename ?? candidate.record?.filename, ...(error ? { error } : {}) },
  });
}

function describeFile(fileId: string, atKimi: VendorFile | undefined, record: ProviderUpload | undefined): Omit<Entry, 'action'> {
  const entry: Omit<Entry, 'action'> = { file_id: fileId, tracked: record !== undefined };
  const filename = atKimi?.filename || record?.filename;
  if (filename) entry.filename = filename;
  const bytes = atKimi?.bytes ?? record?.sizeBytes;
  if (bytes !== undefined) entry.bytes = bytes;
  if (record) entry.last_used = record.lastUsedAt.toISOString();
  return entry;
}

function render(output: KimiManageFilesOutput): string {
  if (output.files.length === 0) return `${output.operation}: nothing to do.`;
  const lines = output.files.map((file) => {
    const name = file.filename ? ` ${file.filename}` : '';
    const size = file.bytes !== undefined ? ` (${file.bytes} bytes)` : '';
    const why = file.reason ? ` — ${file.reason}` : '';
    return `${file.action.padEnd(12)} ${file.file_id}${name}${size}${file.tracked ? '' : ' [untracked]'}${why}`;
  });
  const summary = output.operation === 'list' ? `${output.files.length} file(s)` : `${output.deleted} deleted, ${output.failed} failed${output.dry_run ? ' (dry run: nothing changed)' : ''}`;
  return `${lines.join('\n')}\n— ${output.operation}: ${summary}`;
}
