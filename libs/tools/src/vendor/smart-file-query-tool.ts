import { decodeText } from '../files/binary-content.js';
import type { RoutingDecision } from '@exai/router';
import { ExaiError } from '@exai/router/spec';
import type { ProviderName } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { askWithFiles, checkPromptLength, fileAnswerShape, loadThread, renderFileAnswer, type FileAnswer } from './ask-with-files.js';
import { checkFileBudget, DEFAULT_FILE_CONTENT_MAX_CHARS, extractFiles, type ExtractedFile } from './file-messages.js';
import { ensureProviderUpload, messageOf, storeLocalFile, type LocalFile, type ProviderFileRef } from './provider-uploads.js';
import { hasVendor, providerKeyVariables, vendorFiles, VendorNotConfiguredError } from './vendor-clients.js';

const TOOL = 'smart_file_query';
const providers: readonly ProviderName[] = ['kimi', 'glm'];

export const smartFileQueryInputShape = {
  file_path: z.string().min(1).describe('Absolute path.'),
  question: z.string().min(1),
  provider: z.enum(['auto', 'kimi', 'glm']).optional().describe('Who reads the file (default auto).'),
  model: z.string().optional(),
  continuation_id: z.string().max(128).optional(),
};

export const smartFileQueryOutputShape = {
  content: fileAnswerShape.content,
  continuation_id: fileAnswerShape.continuation_id,
  metadata: fileAnswerShape.metadata,
  file: z.object({
    path: z.string(),
    sha256: z.string(),
    stored_file_id: z.string(),
    provider: z.enum(['kimi', 'glm']),
    file_id: z.string(),
    upload: z.enum(['uploaded', 'reused']),
  }),
};

type Input = z.infer<z.ZodObject<typeof smartFileQueryInputShape>>;
export type SmartFileQueryOutput = Omit<FileAnswer, 'files'> & { file: z.infer<typeof smartFileQueryOutputShape.file> };

/** `smart_file_query`: upload a file once per content and provider, then ask about it. */
export const smartFileQueryTool = defineTool({
  name: TOOL,
  title: 'Ask about a file',
  description: 'Ask a question about a file: uploaded once per content and provider (router-chosen, with fallback), then answered from its text.',
  inputShape: smartFileQueryInputShape,
  outputShape: smartFileQueryOutputShape,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'standard',
  run: (input, context) => query(input, context),
});

async function query(input: Input, context: ToolContext): Promise<CallToolResult> {
  const started = Date.now();
  const { deps } = context;
  checkPromptLength(input.question, context, 'question');
  const turns = await loadThread(context, input.continuation_id);
  const file = await storeLocalFile(deps, input.file_path, 'file_path', context.signal);
  const { order, decision, notes } = providerOrder(input, context, file);

  const failures: string[] = [];
  let read: { provider: ProviderName; ref: ProviderFileRef; extracted: ExtractedFile } | undefined;
  for (const provider of order) {
    try {
      read = { provider, ...(await readThrough(provider, file, context)) };
      break;
    } catch (error) {
      if (context.signal?.aborted) throw error;
      failures.push(`${provider}: ${messageOf(error)}`);
    }
  }
  if (!read) throw new ExaiError('file_unreadable', { message: `No provider could read ${input.file_path}:\n- ${failures.join('\n- ')}` });
  checkFileBudget([read.extracted], DEFAULT_FILE_CONTENT_MAX_CHARS, 'file_path');
  if (failures.length) notes.push(`fell back to ${read.provider} to read the file (${failures.join('; ')})`);
  notes.push(`file read by ${read.provider} (${read.ref.reused ? 'earlier upload reused' : 'uploaded'})`);

  // Ask the model the router chose when it belongs to the provider that read the file; otherwise that provider's best-placed model.
  const model = input.model ?? decision.chain.find((entry) => entry.provider === read.provider)?.model ?? 'auto';
  const { output } = await askWithFiles(context, {
    tool: TOOL,
    prompt: input.question,
    files: [read.extracted],
    model,
    thread: input.continuation_id === undefined ? undefined : { continuationId: input.continuation_id, turns },
    started,
  });
  output.metadata.routing.reasons.unshift(...notes);
  const structured: SmartFileQueryOutput = {
    content: output.content,
    continuation_id: output.continuation_id,
    metadata: output.metadata,
    file: {
      path: input.file_path,
      sha256: file.stored.sha256,
      stored_file_id: file.stored.id,
      provider: read.provider,
      file_id: read.ref.upload.providerFileId,
      upload: read.ref.reused ? 'reused' : 'uploaded',
    },
  };
  return { content: [{ type: 'text', text: renderFileAnswer(output, notes.join('; ')) }], structuredContent: structured };
}

/**
 * Which providers read the file, in order. Named: that one, then the other. Auto: the providers of the
 * router's chain for the question, in chain order; Kimi first for binary files (GLM returns stored
 * bytes, Kimi extracts text from PDFs, Office files and images). Only configured providers count.
 */
function providerOrder(input: Input, context: ToolContext, file: LocalFile): { order: ProviderName[]; decision: RoutingDecision; notes: string[] } {
  const { deps } = context;
  const configured = providers.filter((provider) => hasVendor(deps, provider));
  const binary = decodeText(file.bytes) === undefined;
  const named = input.provider === undefined || input.provider === 'auto' ? undefined : input.provider;
  if (named && !configured.includes(named)) throw new VendorNotConfiguredError(named, TOOL);
  if (configured.length === 0) {
    throw new ExaiError('provider_not_configured', {
      message: `Neither ${providerKeyVariables.kimi.envVar} nor ${providerKeyVariables.glm.envVar} is set; ${TOOL} needs a Kimi or GLM API key.`,
    });
  }
  const decision = deps.router.explain({
    model: input.model ?? 'auto',
    request: { messages: [{ role: 'user', content: input.question }] },
    // Text files go in whole; a binary file's extracted text is far smaller than its bytes.
    task: binary ? { tool: TOOL } : { tool: TOOL, estimatedInputTokens: Math.ceil(file.stored.sizeBytes / 4) },
  });
  const notes: string[] = [];
  let order: ProviderName[];
  if (named) {
    order = [named];
    notes.push(`${named} reads the file (requested)`);
  } else {
    order = decision.chain.map((entry) => entry.provider as ProviderName).filter((provider) => configured.includes(provider));
    if (binary && configured.includes('kimi') && order[0] !== 'kimi') {
      order.unshift('kimi');
      notes.push('kimi reads the file first: it is binary, and only Kimi extracts text from binary files');
    } else if (order[0]) {
      notes.push(`${order[0]} reads the file (the router chose ${decision.model})`);
    }
  }
  return { order: [...new Set([...order, ...configured])], decision, notes };
}

/** Uploads (or reuses) the file at `provider` and fetches its text; a reused upload that cannot be read is replaced once. */
async function readThrough(provider: ProviderName, file: LocalFile, context: ToolContext): Promise<{ ref: ProviderFileRef; extracted: ExtractedFile }> {
  const { deps, signal } = context;
  const files = vendorFiles(deps, provider, TOOL);
  const upload = (): Promise<ProviderFileRef> => ensureProviderUpload({ storage: deps.storage, provider, files, file, purpose: 'file-extract', signal });
  const extract = async (ref: ProviderFileRef): Promise<ExtractedFile> => {
    const [extracted] = await extractFiles(files, [{ fileId: ref.upload.providerFileId, filename: file.stored.filename }], { signal, field: 'file_path' });
    return extracted as ExtractedFile;
  };
  const ref = await upload();
  try {
    return { ref, extracted: await extract(ref) };
  } catch (error) {
    if (!ref.reused || signal?.aborted) throw error;
    // The provider lost the earlier upload (deleted or expired there): forget it and upload again.
    await deps.storage.uploads.setStatus(ref.upload.id, 'deleted');
    const fresh = await upload();
    return { ref: fresh, extracted: await extract(fresh) };
  }
}

