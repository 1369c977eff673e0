import { isAutoModelName, type RoutedCall, type RoutedChatResult } from '@exai/router';
import type { ModelInfo } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { allocateContextBudget, buildHistory } from '../conversation/build-history.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import { estimateTokens, tokensToChars } from '../conversation/estimate-tokens.js';
import { continuationModel, loadContinuation, recordExchange } from '../conversation/thread-turns.js';
import { embedFilesWithinBudget, type EmbeddedFiles } from '../files/embed-files.js';
import { defaultFileAccessPolicy, type FileAccessPolicy } from '../files/file-access.js';
import { loadImages, requireVision } from '../files/load-images.js';
import { callDeadline } from '../call-deadline.js';
import { runModelCall } from '../model-call.js';
import { resultMetadata } from '../result-metadata.js';
import type { ProgressReporter } from '../progress-reporter.js';
import type { ToolLogger } from '../tool-logger.js';
import { ToolTimeoutError } from '../tool-timeout-error.js';
import type { ToolsRouter } from '../tools-router.js';
import { toolErrorResult } from '../tool-result.js';
import { buildChatRequest, chatSystemPrompt, userTurnText } from './build-chat-request.js';
import { DEFAULT_PROMPT_MAX_CHARS, type ChatInput, type ChatOutput } from './chat-schema.js';

/** What the chat tool needs from its host. */
export interface ChatToolDependencies {
  router: ToolsRouter;
  /** Where threads live (`continuation_id`). */
  memory: ConversationStore;
  logger: ToolLogger;
  promptMaxChars?: number;
  maxFileBytes?: number;
  /** Which files and images may be read (`EXAI_ALLOWED_ROOTS`; default: home and working directory, minus secret stores). */
  fileAccess?: FileAccessPolicy;
  /** Time limit of one chat call, files and model call included (`EXAI_TOOL_TIMEOUT_MS`); none when undefined. */
  toolTimeoutMs?: number;
  /** Session the calls count against (per-session concurrency limit). */
  session?: string;
  now?: () => Date;
}

/** Per-call context: cancellation and, when the client asked for it, progress. */
export interface ChatCallContext {
  signal?: AbortSignal;
  progress?: ProgressReporter;
}

const noFiles: EmbeddedFiles = { text: '', embedded: [], skipped: [] };

/**
 * Runs one `chat` call: checks the continuation, files and images, replays the thread within the
 * model's budget (files embedded once: the new request's with it, the thread's other files in the
 * history), calls the routed model
 * (streamed when the client wants progress) and records the exchange. Failures become tool errors.
 */
export async function runChat(input: ChatInput, dependencies: ChatToolDependencies, context: ChatCallContext = {}): Promise<CallToolResult> {
  const { router, memory, logger } = dependencies;
  const started = Date.now();
  const callerSignal = context.signal;
  const deadline = callDeadline(callerSignal, dependencies.toolTimeoutMs);
  if (dependencies.toolTimeoutMs !== undefined) context = { ...context, signal: deadline.signal };
  const signal = context.signal;
  try {
    const promptMaxChars = dependencies.promptMaxChars ?? DEFAULT_PROMPT_MAX_CHARS;
    if (input.prompt.length > promptMaxChars) return resendPrompt(input.prompt.length, promptMaxChars);

    const threads = { conversations: memory, ...(dependencies.now ? { now: dependencies.now } : {}) };
    const turns = await loadContinuation(threads, input.continuation_id);
    // A continuation naming no model stays with the model that answered the thread last.
    if (input.model === undefined) {
      const model = continuationModel(turns, (name) => isKnownModel(router, name));
      if (model !== undefined) input = { ...input, model };
    }
    const { info } = router.resolve(input.model);
    const explicit = input.model !== undefined && !isAutoModelName(input.model);
    // A named model must read images; in auto mode the router picks one that can.
    if (input.images?.length && explicit) requireVision(info, router);
    const policy = dependencies.fileAccess ?? defaultFileAccessPolicy();
    const common = { policy, ...(dependencies.maxFileBytes === undefined ? {} : { maxFileBytes: dependencies.maxFileBytes }), ...(signal ? { signal } : {}) };
    const files = input.files?.length
      ? await embedFilesWithinBudget(input.files, { ...common, budgetChars: requestFileBudget(explicit ? info : largestModel(router, info), input.prompt.length) })
      : noFiles;
    const images = input.images?.length ? await loadImages(input.images, { policy, ...(signal ? { signal } : {}) }) : [];
    const now = (dependencies.now ?? (() => new Date()))();
    const userText = userTurnText(input.prompt, files.text);
    // The new request's files are embedded with it; the history embeds the thread's other files once.
    const history = turns?.length
      ? await buildHistory({
          ...common,
          turns,
          model: info,
          requestFiles: files.embedded,
          requestFileChars: files.text.length,
          requestTokens: estimateTokens(chatSystemPrompt(now)) + estimateTokens(userText),
        })
      : undefined;
    const request = buildChatRequest({ input, model: info, history: history?.messages ?? [], userText, images, now });

    // The requested name (or auto) goes to the router, which may choose or fall back to another model.
    const call: RoutedCall = { request, task: { tool: 'chat' } };
    if (input.model !== undefined) call.model = input.model;
    if (dependencies.session !== undefined) call.session = dependencies.session;
    const result = await runModelCall(router, call, context);

    const continuationId = await recordExchange(threads, {
      ...(input.continuation_id === undefined ? {} : { continuationId: input.continuation_id }),
      tool: 'chat',
      userText: input.prompt,
      files: files.embedded,
      images: input.images ?? [],
      answer: result.text,
      model: result.model.id,
      provider: result.model.provider,
    });
    const output = chatOutput(result, { continuationId, durationMs: Date.now() - started, streamed: context.progress !== undefined });
    // The agent should know what the model did not see.
    const skipped = [...files.skipped, ...(history?.skippedFiles ?? [])];
    if (output.metadata && skipped.length > 0) {
      output.metadata.warnings = [...output.metadata.warnings, ...skipped.map((skip) => `file not embedded: ${skip.path}: ${skip.reason}`)];
    }
    logger.info(
      {
        tool: 'chat',
        model: result.model.id,
        attempts: result.attempts,
        tokens: output.metadata?.tokens,
        costUsd: result.costUsd,
        durationMs: output.metadata?.duration_ms,
        files: files.embedded.length,
        ...(history ? { turns: `${history.shownTurns}/${history.totalTurns}`, historyFiles: history.files.length, historyTokens: history.tokens } : {}),
      },
      'chat answered',
    );
    return { content: [{ type: 'text', text: renderAnswer(output, skipped) }], structuredContent: output };
  } catch (error) {
    if (deadline.expired && !callerSignal?.aborted) {
      return toolErrorResult(new ToolTimeoutError('chat', dependencies.toolTimeoutMs as number, error), logger, 'chat');
    }
    return toolErrorResult(error, logger, 'chat');
  } finally {
    deadline.dispose();
  }
}

/**
 * Characters the new request's own files may take: the content share of the model's window, less
 * the prompt. The zen file/history split sizes the replayed history; the caller's files get the whole
 * content share, so the router can still pick a model whose window fits a large file.
 */
function requestFileBudget(model: ModelInfo, promptChars: number): number {
  return Math.max(0, tokensToChars(allocateContextBudget(model).contentTokens) - promptChars);
}

/** Whether the router can serve `name` now (known, and its provider configured and allowed). */
function isKnownModel(router: ToolsRouter, name: string): boolean {
  try {
    router.resolve(name);
    return true;
  } catch {
    return false;
  }
}

/** In auto mode the router may pick any available model: the one with the largest window bounds the request. */
function largestModel(router: ToolsRouter, fallback: ModelInfo): ModelInfo {
  let largest = fallback;
  for (const entry of router.listModels()) {
    if (entry.available && entry.info.contextWindow > largest.contextWindow) largest = entry.info;
  }
  return largest;
}

function resendPrompt(length: number, limit: number): CallToolResult {
  const output: ChatOutput = {
    status: 'resend_prompt',
    content: `The prompt is ${length} characters, over the ${limit}-character limit for tool arguments. Save it to a file and call chat again with a short prompt and the file's absolute path in "files".`,
  };
  return { content: [{ type: 'text', text: output.content }], structuredContent: output };
}

function chatOutput(result: RoutedChatResult, extra: { continuationId: string; durationMs: number; streamed: boolean }): ChatOutput {
  const output: ChatOutput = {
    status: 'ok',
    content: result.text,
    continuation_id: extra.continuationId,
    metadata: resultMetadata(result, extra),
  };
  if (result.reasoning) output.reasoning = result.reasoning;
  if (result.webSearchResults.length > 0) {
    output.web_search_results = result.webSearchResults.map((hit) => ({
      title: hit.title,
      url: hit.url,
      ...(hit.publishDate ? { publish_date: hit.publishDate } : {}),
    }));
  }
  return output;
}

/** The text content: the answer, the files the model did not see, sources when the model searched, and a one-line footer. */
function renderAnswer(output: ChatOutput, skipped: ReadonlyArray<{ path: string; reason: string }> = []): string {
  const lines = [output.content];
  if (skipped.length > 0) lines.push('', 'Files the model did not see:', ...skipped.map((skip) => `- ${skip.path}: ${skip.reason}`));
  if (output.web_search_results?.length) {
    lines.push('', 'Sources:', ...output.web_search_results.map((hit, index) => `[${index + 1}] ${hit.title} — ${hit.url}`));
  }
  const meta = output.metadata;
  if (meta) {
    lines.push(
      '',
      `— ${meta.model} (${meta.provider}, ${meta.routing.mode}${meta.routing.attempts.length > 1 ? `, ${meta.routing.attempts.length} attempts` : ''}) · ${meta.tokens.input} in / ${meta.tokens.output} out tokens · $${meta.cost_usd.toFixed(6)} · ${meta.duration_ms} ms · continuation_id: ${output.continuation_id}`,
    );
  }
  return lines.join('\n');
}
