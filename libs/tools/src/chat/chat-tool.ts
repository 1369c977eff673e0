import type { RoutedCall, RoutedChatResult } from '@exai/router';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { replayTurns } from '../conversation/conversation-memory.js';
import type { ConversationStore } from '../conversation/conversation-store.js';
import { embedFiles } from '../files/embed-files.js';
import { runModelCall } from '../model-call.js';
import { resultMetadata } from '../result-metadata.js';
import { loadImages } from '../files/load-images.js';
import type { ProgressReporter } from '../progress-reporter.js';
import type { ToolLogger } from '../tool-logger.js';
import { ToolInputError } from '../tool-input-error.js';
import { ToolTimeoutError } from '../tool-timeout-error.js';
import type { ToolsRouter } from '../tools-router.js';
import { toolErrorResult } from '../tool-result.js';
import { buildChatRequest, userTurnText } from './build-chat-request.js';
import { DEFAULT_PROMPT_MAX_CHARS, type ChatInput, type ChatOutput } from './chat-schema.js';

/** What the chat tool needs from its host. */
export interface ChatToolDependencies {
  router: ToolsRouter;
  /** Where threads live (`continuation_id`). */
  memory: ConversationStore;
  logger: ToolLogger;
  promptMaxChars?: number;
  maxFileBytes?: number;
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

/** Share of the context window that replayed history may take. */
const HISTORY_SHARE = 0.5;

/**
 * Runs one `chat` call: validates files and images, replays the conversation, calls the routed model
 * (streamed when the client wants progress) and stores the turn. Failures become tool errors.
 */
export async function runChat(input: ChatInput, dependencies: ChatToolDependencies, context: ChatCallContext = {}): Promise<CallToolResult> {
  const { router, memory, logger } = dependencies;
  const started = Date.now();
  const callerSignal = context.signal;
  const deadline = dependencies.toolTimeoutMs === undefined ? undefined : AbortSignal.timeout(dependencies.toolTimeoutMs);
  if (deadline) context = { ...context, signal: callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline };
  try {
    const promptMaxChars = dependencies.promptMaxChars ?? DEFAULT_PROMPT_MAX_CHARS;
    if (input.prompt.length > promptMaxChars) return resendPrompt(input.prompt.length, promptMaxChars);

    const history = input.continuation_id === undefined ? undefined : await memory.load(input.continuation_id);
    if (input.continuation_id !== undefined && history === undefined) {
      throw new ToolInputError(
        'continuation_id',
        `continuation_id ${input.continuation_id} was not found or has expired (threads are kept ${memory.retention}); start a new chat without it`,
      );
    }
    const { info } = router.resolve(input.model);
    const files = input.files?.length ? await embedFiles(input.files, { maxFileBytes: dependencies.maxFileBytes, signal: context.signal }) : [];
    const images = input.images?.length ? await loadImages(input.images) : [];
    const userText = userTurnText(input.prompt, files);
    const historyBudgetChars = Math.max(0, (info.contextWindow - info.maxOutputTokens) * HISTORY_SHARE * 4 - userText.length);
    const request = buildChatRequest({
      input,
      model: info,
      history: history ? replayTurns(history, historyBudgetChars) : [],
      userText,
      images,
      now: (dependencies.now ?? (() => new Date()))(),
    });

    // The requested name (or auto) goes to the router, which may choose or fall back to another model.
    const call: RoutedCall = { request, task: { tool: 'chat' } };
    if (input.model !== undefined) call.model = input.model;
    if (dependencies.session !== undefined) call.session = dependencies.session;
    const result = await runModelCall(router, call, context);

    const continuationId = input.continuation_id ?? (await memory.create('chat'));
    const at = Date.now();
    await memory.append(
      continuationId,
      { role: 'user', content: userText + (images.length ? `\n\n[${images.length} image(s) attached]` : ''), tool: 'chat', at },
      { role: 'assistant', content: result.text, tool: 'chat', model: result.model.id, at },
    );
    const output = chatOutput(result, { continuationId, durationMs: Date.now() - started, streamed: context.progress !== undefined });
    logger.info(
      { tool: 'chat', model: result.model.id, attempts: result.attempts, tokens: output.metadata?.tokens, costUsd: result.costUsd, durationMs: output.metadata?.duration_ms },
      'chat answered',
    );
    return { content: [{ type: 'text', text: renderAnswer(output) }], structuredContent: output };
  } catch (error) {
    if (deadline?.aborted && !callerSignal?.aborted) {
      return toolErrorResult(new ToolTimeoutError('chat', dependencies.toolTimeoutMs as number, error), logger, 'chat');
    }
    return toolErrorResult(error, logger, 'chat');
  }
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

/** The text content: the answer, sources when the model searched, and a one-line footer. */
function renderAnswer(output: ChatOutput): string {
  const lines = [output.content];
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
