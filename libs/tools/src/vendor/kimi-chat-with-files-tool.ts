import type { ProviderUpload } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { askWithFiles, checkPromptLength, fileAnswerShape, loadThread, renderFileAnswer } from './ask-with-files.js';
import { checkFileBudget, DEFAULT_FILE_CONTENT_MAX_CHARS, extractFiles } from './file-messages.js';
import { renderUploads, replaceLostKimiUploads, uploadPaths } from './provider-uploads.js';
import { kimiVendor } from './vendor-clients.js';
import { providerModel } from './vendor-models.js';

const TOOL = 'kimi_chat_with_files';

/** Kimi's general model, the original system's default (original-system.md §7). */
export const DEFAULT_KIMI_CHAT_MODELS = ['kimi-k2-0905-preview'] as const;

export const kimiChatWithFilesInputShape = {
  prompt: z.string().min(1),
  files: z.array(z.string()).max(50).optional().describe('Absolute paths.'),
  file_ids: z.array(z.string()).max(50).optional().describe('From kimi_upload_files.'),
  model: z.string().optional().describe('Default kimi-k2-0905-preview.'),
  temperature: z.number().min(0).max(1).optional(),
  max_chars: z.number().int().min(1).max(10_000_000).optional().describe('Text budget, all files (default 400000).'),
  continuation_id: z.string().max(128).optional(),
};

type Input = z.infer<z.ZodObject<typeof kimiChatWithFilesInputShape>>;

/** `kimi_chat_with_files`: Kimi reads the files (extracted text as system messages) and answers. */
export const kimiChatWithFilesTool = defineTool({
  name: TOOL,
  title: 'Chat with files (Kimi)',
  description: "Ask Kimi about files: paths are uploaded once per content, their extracted text goes in as system messages within a budget.",
  inputShape: kimiChatWithFilesInputShape,
  outputShape: fileAnswerShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'standard',
  run: (input, context) => chatWithFiles(input, context),
});

async function chatWithFiles(input: Input, context: ToolContext): Promise<CallToolResult> {
  const started = Date.now();
  const { deps } = context;
  checkPromptLength(input.prompt, context);
  if (!input.files?.length && !input.file_ids?.length) throw new ToolInputError('files', 'Pass files (absolute paths) or file_ids (from kimi_upload_files).');
  const kimi = kimiVendor(deps, TOOL);
  const model = providerModel(deps.router, { provider: 'kimi', requested: input.model, tool: TOOL, preferred: DEFAULT_KIMI_CHAT_MODELS, tier: 'balanced' });
  const turns = await loadThread(context, input.continuation_id);

  const uploaded = input.files?.length ? await uploadPaths(deps, input.files, { provider: 'kimi', files: kimi.files, purpose: 'file-extract', field: 'files', signal: context.signal }) : [];
  // A reused upload Kimi no longer has could not be read: it is uploaded again first.
  const uploads = await replaceLostKimiUploads(deps, uploaded, { kimi, purpose: 'file-extract', field: 'files', signal: context.signal });
  if (uploads.some((file) => file.status === 'failed')) {
    // Answering without some of the files would mislead: stop, and say what became of each.
    throw new ToolInputError('files', `Not every file could be uploaded, so nothing was asked:\n${renderUploads(uploads)}`);
  }
  const refs = new Map<string, string | undefined>();
  for (const file of uploads) refs.set(file.file_id as string, file.filename);
  for (const upload of await ownUploads(context, (input.file_ids ?? []).filter((id) => !refs.has(id)))) refs.set(upload.providerFileId, upload.filename);
  const extracted = await extractFiles(kimi.files, [...refs].map(([fileId, filename]) => ({ fileId, filename })), { signal: context.signal, field: 'file_ids' });
  checkFileBudget(extracted, input.max_chars ?? DEFAULT_FILE_CONTENT_MAX_CHARS, 'max_chars');

  const { output } = await askWithFiles(context, {
    tool: TOOL,
    prompt: input.prompt,
    files: extracted,
    model,
    thread: input.continuation_id === undefined ? undefined : { continuationId: input.continuation_id, turns },
    temperature: input.temperature,
    started,
  });
  return { content: [{ type: 'text', text: renderFileAnswer(output) }], structuredContent: output };
}

/**
 * The user's uploads behind `fileIds`, each marked used (so cleanup_expired keeps it). A Kimi key may
 * be shared by several users: an id exai did not upload for this user is refused, not read.
 */
async function ownUploads(context: ToolContext, fileIds: readonly string[]): Promise<ProviderUpload[]> {
  if (fileIds.length === 0) return [];
  const uploads = context.deps.storage.uploads;
  // Storage lists at most 500 records a page; newest first, which is where recent ids are.
  const records = await uploads.list({ provider: 'kimi', status: 'uploaded', limit: 500 });
  const found = fileIds.map((id) => records.find((record) => record.providerFileId === id));
  const foreign = fileIds.filter((_, index) => found[index] === undefined);
  if (foreign.length > 0) {
    throw new ToolInputError('file_ids', `Not uploaded through exai for you (or deleted since): ${foreign.join(', ')}. Pass the files' paths in files instead; each content is uploaded once.`);
  }
  const owned = found as ProviderUpload[];
  for (const record of owned) await uploads.markUsed(record.id);
  return owned;
}
