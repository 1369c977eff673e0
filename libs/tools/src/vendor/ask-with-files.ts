import type { RoutedCall, RoutedChatResult } from '@exai/router';
import type { ChatRequest, ModelInfo } from '@exai/router/spec';
import { z } from 'zod';
import { replayTurns, type ConversationTurn } from '../conversation/conversation-memory.js';
import { loadContinuation, recordExchange } from '../conversation/thread-turns.js';
import { runModelCall } from '../model-call.js';
import { resultMetadata, type ResultMetadata } from '../result-metadata.js';
import type { ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { fileSystemMessages, type ExtractedFile } from './file-messages.js';
import { metadataFooter, metadataOutputSchema } from './vendor-models.js';

/** Files a question was asked about, as the model saw them. */
export const askedFileSchema = z.object({ file_id: z.string(), filename: z.string(), chars: z.number() });

/** Output of a question about files: the answer, the files, the thread and the call's metadata. */
export const fileAnswerShape = {
  content: z.string(),
  files: z.array(askedFileSchema),
  continuation_id: z.string(),
  metadata: metadataOutputSchema,
};

export type FileAnswer = Omit<z.infer<z.ZodObject<typeof fileAnswerShape>>, 'metadata'> & { metadata: ResultMetadata };

/** Share of the context window (less the answer's room) replayed history may take, in characters at 4 per token. */
const HISTORY_SHARE = 0.5;

const SYSTEM_PROMPT = [
  'You answer questions about files. Each file is a system message holding a JSON document: its extracted text ("content") and "filename".',
  'Name the file you draw on; quote exact passages when it helps; say so when the files do not contain the answer.',
].join('\n');

/** Refuses prompts over `EXAI_PROMPT_MAX_CHARS`, saying what to do instead. */
export function checkPromptLength(prompt: string, context: ToolContext, field = 'prompt'): void {
  const limit = context.deps.limits.promptMaxChars;
  if (prompt.length > limit) {
    throw new ToolInputError(field, `The ${field} is ${prompt.length} characters, over the ${limit}-character limit for tool arguments. Save the long part to a file and pass it as a file instead.`);
  }
}

/**
 * The turns of the thread to continue (none for a new one): chat's check, so an unknown, expired or
 * full thread is refused before any file is read or model called.
 */
export async function loadThread(context: ToolContext, continuationId: string | undefined): Promise<readonly ConversationTurn[]> {
  return (await loadContinuation(context.deps, continuationId)) ?? [];
}

/**
 * Asks `model` (the router may fall back to another) the question with every file's text as a system
 * message, replaying the thread when there is one, and stores the turn. Streams progress when asked.
 */
export async function askWithFiles(
  context: ToolContext,
  options: {
    tool: string;
    prompt: string;
    files: readonly ExtractedFile[];
    /** The model to ask first, or a name for the router (`auto`). */
    model: ModelInfo | string;
    /** The thread to continue and its turns (from {@link loadThread}). */
    thread: { continuationId: string; turns: readonly ConversationTurn[] } | undefined;
    temperature?: number | undefined;
    /** When the tool call started (for `duration_ms`). */
    started: number;
  },
): Promise<{ output: FileAnswer; result: RoutedChatResult }> {
  const { deps } = context;
  const fileChars = options.files.reduce((sum, file) => sum + file.content.length, 0);
  const info = typeof options.model === 'string' ? undefined : options.model;
  const window = info ? (info.contextWindow - info.maxOutputTokens) * HISTORY_SHARE * 4 : 0;
  const request: ChatRequest = {
    messages: [
      { role: 'system', content: SYSTEM_PROMPT },
      ...fileSystemMessages(options.files),
      ...replayTurns(options.thread?.turns ?? [], Math.max(0, window - fileChars - options.prompt.length)),
      { role: 'user', content: options.prompt },
    ],
  };
  if (options.temperature !== undefined) request.temperature = options.temperature;
  const call: RoutedCall = { model: info?.id ?? (options.model as string), request, task: { tool: options.tool } };
  if (deps.session !== undefined) call.session = deps.session;
  const result = await runModelCall(deps.router, call, context);

  const names = options.files.map((file) => `${file.fileId} (${file.filename})`).join(', ');
  const continuationId = await recordExchange(deps, {
    ...(options.thread ? { continuationId: options.thread.continuationId } : {}),
    tool: options.tool,
    userText: `${options.prompt}\n\n[files: ${names}]`,
    answer: result.text,
    model: result.model.id,
    provider: result.model.provider,
  });
  const output: FileAnswer = {
    content: result.text,
    files: options.files.map((file) => ({ file_id: file.fileId, filename: file.filename, chars: file.content.length })),
    continuation_id: continuationId,
    metadata: resultMetadata(result, { durationMs: Date.now() - options.started, streamed: context.progress !== undefined, continuationId }),
  };
  return { output, result };
}

/** The answer, the files it was read from, an optional note, and the footer. */
export function renderFileAnswer(output: Pick<FileAnswer, 'content' | 'files' | 'metadata'>, note?: string): string {
  const files = output.files.map((file) => `${file.filename} (${file.file_id}, ${file.chars} chars)`).join(', ');
  return [output.content, '', `Files: ${files}`, ...(note ? [note] : []), metadataFooter(output.metadata)].join('\n');
}
