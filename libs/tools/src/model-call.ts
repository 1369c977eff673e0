import type { RoutedCall, RoutedChatResult, RoutedStream } from '@exai/router';
import type { ChatResult, Usage } from '@exai/router/spec';
import type { ProgressReporter } from './progress-reporter.js';
import type { ToolsRouter } from './tools-router.js';

/**
 * Sends one routed model call for a tool: streamed, with its text reported as progress, when the
 * client asked for progress; otherwise in one piece. The signal (the client's cancellation combined
 * with the tool's time limit) reaches the provider's HTTP request either way.
 */
export function runModelCall(router: ToolsRouter, call: RoutedCall, context: { signal?: AbortSignal | undefined; progress?: ProgressReporter | undefined }): Promise<RoutedChatResult> {
  return context.progress
    ? collectStream(router.streamWithMetadata(call, { signal: context.signal }), context.progress)
    : router.generate(call, { signal: context.signal });
}

/** Drains a routed stream, reporting text as progress, and assembles the result `generate` would give. */
export async function collectStream(routed: RoutedStream, progress: ProgressReporter): Promise<RoutedChatResult> {
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
    for await (const part of routed.parts) {
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
  const summary = routed.summary;
  result.text = text;
  if (reasoning) result.reasoning = reasoning;
  return {
    ...result,
    model: summary?.model ?? routed.model,
    key: summary?.key ?? '',
    attempts: summary?.attempts ?? routed.attemptLog.length,
    costUsd: summary?.costUsd ?? 0,
    durationMs: summary?.durationMs ?? 0,
    decision: summary?.decision ?? routed.decision,
    attemptLog: [...(summary?.attemptLog ?? routed.attemptLog)],
    totalUsage: summary?.totalUsage ?? result.usage,
  };
}

function emptyUsage(): Usage {
  return { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };
}

