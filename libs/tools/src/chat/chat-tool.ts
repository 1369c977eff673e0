import type { ChatResult, ModelInfo, StreamPart, Usage } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConversationMemory } from '../conversation/conversation-memory.js';
import { replayTurns } from '../conversation/conversation-memory.js';
import { embedFiles } from '../files/embed-files.js';
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
  memory: ConversationMemory;
  logger: ToolLogger;
  promptMaxChars?: number;
  maxFileBytes?: number;
  /** Time limit of one chat call, files and model call included (`EXAI_TOOL_TIMEOUT_MS`); none when undefined. */
  toolTimeoutMs?: number;
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

    const history = input.continuation_id === undefined ? undefined : memory.get(input.continuation_id);
    if (input.continuation_id !== undefined && history === undefined) {
      throw new ToolInputError(
        'continuation_id',
        `continuation_id ${input.continuation_id} was not found or has expired (threads are kept in memory for ${memory.ttlHours} hours by this server process); start a new chat without it`,
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

    const call = { model: info.id, request };
    const result = context.progress
      ? await collectStream(router.stream(call, { signal: context.signal }), context.progress)
      : await router.generate(call, { signal: context.signal });
    const costUsd = router.estimateCost(info, result.usage, result.webSearchCalls);

    const continuationId = input.continuation_id ?? memory.create();
    const at = Date.now();
    memory.append(
      continuationId,
      { role: 'user', content: userText + (images.length ? `\n\n[${images.length} image(s) attached]` : ''), tool: 'chat', at },
      { role: 'assistant', content: result.text, tool: 'chat', model: info.id, at },
    );
    const output = chatOutput(result, info, { continuationId, costUsd, durationMs: Date.now() - started, streamed: context.progress !== undefined });
    logger.info({ tool: 'chat', model: info.id, tokens: output.metadata?.tokens, costUsd, durationMs: output.metadata?.duration_ms }, 'chat answered');
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

/** Drains a routed stream, reporting text as progress, and assembles the same result `generate` gives. */
async function collectStream(parts: AsyncIterable<StreamPart>, progress: ProgressReporter): Promise<ChatResult> {
  let text = '';
  let reasoning = '';
  const result: ChatResult = {
    text: '',
    toolCalls: [],
    webSearchResults: [],
    webSearchCalls: 0,
    usage: emptyUsage(),
    finishReason: { unified: 'other', raw: undefined },
    provider: '',
    modelId: '',
    warnings: [],
  };
  try {
    for await (const part of parts) {
      switch (part.type) {
        case 'response-metadata':
          result.provider = part.provider;
          result.modelId = part.modelId;
          if (part.requestId !== undefined) result.requestId = part.requestId;
          break;
        case 'text-delta':
          text += part.delta;
          progress.add(part.delta);
          break;
        case 'reasoning-delta':
          reasoning += part.delta;
          break;
        case 'tool-call':
          result.toolCalls.push(part.toolCall);
          break;
        case 'web-search-results':
          result.webSearchResults.push(...part.results);
          break;
        case 'finish':
          result.finishReason = part.finishReason;
          result.usage = part.usage;
          result.webSearchCalls = part.webSearchCalls;
          result.warnings = part.warnings;
          break;
        case 'error':
          throw part.error;
      }
    }
  } finally {
    await progress.close();
  }
  result.text = text;
  if (reasoning) result.reasoning = reasoning;
  return result;
}

function emptyUsage(): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
}

function chatOutput(result: ChatResult, info: ModelInfo, extra: { continuationId: string; costUsd: number; durationMs: number; streamed: boolean }): ChatOutput {
  const output: ChatOutput = {
    status: 'ok',
    content: result.text,
    continuation_id: extra.continuationId,
    metadata: {
      model: info.id,
      provider: info.provider,
      finish_reason: result.finishReason.raw ?? result.finishReason.unified,
      tokens: {
        input: result.usage.inputTokens,
        cached_input: result.usage.cachedInputTokens,
        output: result.usage.outputTokens,
        reasoning: result.usage.reasoningTokens,
      },
      web_search_calls: result.webSearchCalls,
      cost_usd: extra.costUsd,
      duration_ms: extra.durationMs,
      streamed: extra.streamed,
      warnings: result.warnings,
    },
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
      `— ${meta.model} (${meta.provider}) · ${meta.tokens.input} in / ${meta.tokens.output} out tokens · $${meta.cost_usd.toFixed(6)} · ${meta.duration_ms} ms · continuation_id: ${output.continuation_id}`,
    );
  }
  return lines.join('\n');
}
