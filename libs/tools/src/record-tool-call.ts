import { randomUUID } from 'node:crypto';
import type { ToolCallStatus } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ResultMetadata } from './result-metadata.js';
import type { ToolDependencies } from './tool-definition.js';

/** The stable error code a tool error result ends with (`… [quota_exhausted]`). */
export function toolErrorCode(result: CallToolResult): string | undefined {
  const first = result.content[0];
  const text = first?.type === 'text' ? first.text : '';
  return /\[([a-z_]+)\]\s*$/.exec(text)?.[1];
}

/** How a call ended, from its result: the stored status and, for an error, its stable code. */
export function callOutcome(result: CallToolResult, cancelled: boolean): { status: Exclude<ToolCallStatus, 'running'>; code: string | undefined } {
  const code = result.isError ? toolErrorCode(result) : undefined;
  const status = cancelled ? 'cancelled' : !result.isError ? 'success' : code === 'tool_timeout' ? 'timeout' : 'error';
  return { status, code };
}

/**
 * Records a tool call in the user's storage (`tool_calls`, for `activity`) and, when it called a
 * model, its tokens and cost (`usage_events`). Storage trouble never fails the call: it is logged
 * (and, while the database is down, the storage journal keeps the records).
 */
export function recordToolCall(deps: ToolDependencies, tool: string): { finish: (result: CallToolResult, durationMs: number, cancelled: boolean) => Promise<void> } {
  const id = randomUUID();
  const started = deps.storage.toolCalls.start({ id, tool, ...(deps.session === undefined ? {} : { sessionId: deps.session }) }).then(
    () => true,
    (error: unknown) => {
      deps.logger.warn({ tool, err: error }, 'could not record the tool call');
      return false;
    },
  );
  return {
    async finish(result, durationMs, cancelled) {
      if (!(await started)) return;
      const structured = result.structuredContent as { metadata?: unknown; continuation_id?: string } | undefined;
      // Only a model call's metadata counts: a result may carry other metadata (a workflow's
      // `resend_prompt` answer has just `tool_name`), which used to fail the whole record.
      const metadata = isModelMetadata(structured?.metadata) ? structured.metadata : undefined;
      const { status, code } = callOutcome(result, cancelled);
      const continuationId = (typeof structured?.continuation_id === 'string' ? structured.continuation_id : undefined) ?? metadata?.continuation_id;
      try {
        await deps.storage.toolCalls.finish(id, {
          status,
          durationMs: Math.round(durationMs),
          ...(metadata ? { provider: metadata.provider, model: metadata.model } : {}),
          ...(continuationId ? { continuationId } : {}),
          ...(code ? { errorCode: code } : {}),
          ...(result.isError && result.content[0]?.type === 'text' ? { errorMessage: result.content[0].text.slice(0, 2000) } : {}),
        });
        if (metadata) {
          const tokens = metadata.tokens;
          await deps.storage.usage.append({
            provider: metadata.provider,
            model: metadata.model,
            tool,
            ...(continuationId ? { continuationId } : {}),
            usage: {
              inputTokens: tokens.input,
              cachedInputTokens: tokens.cached_input,
              outputTokens: tokens.output,
              reasoningTokens: tokens.reasoning,
              totalTokens: tokens.input + tokens.output,
            },
            webSearchCalls: metadata.web_search_calls,
            costUsd: metadata.cost_usd,
          });
        }
      } catch (error) {
        deps.logger.warn({ tool, err: error }, 'could not record the tool call');
      }
    },
  };
}

/** Metadata of a call that reached a model: model, provider and token counts. */
function isModelMetadata(value: unknown): value is ResultMetadata {
  if (typeof value !== 'object' || value === null) return false;
  const metadata = value as Partial<ResultMetadata>;
  return typeof metadata.model === 'string' && typeof metadata.provider === 'string' && typeof metadata.tokens === 'object' && metadata.tokens !== null;
}
