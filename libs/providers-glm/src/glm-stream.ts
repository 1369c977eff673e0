import { AbortedError, ProviderUnavailableError, type StreamPart, type ToolCall } from '@exai/router/spec';
import { GLM_PROVIDER_ID } from './glm-client.js';
import { glmUsageSchema, glmWebSearchItemsSchema, type GlmChunk, type GlmToolCallDelta } from './glm-wire.js';
import { glmSensitiveOutputError, mapGlmError } from './map-glm-error.js';
import { mapGlmFinishReason } from './map-finish-reason.js';
import { mapGlmUsage } from './map-glm-usage.js';
import { mapWebSearchResults } from './map-web-search-results.js';

/** What the stream normaliser needs besides the chunks. */
export interface NormalizeGlmStreamOptions {
  modelId: string;
  /** Warnings of request building, reported on the `finish` part. */
  warnings: string[];
  /** The caller's signal; the SDK ends a stream quietly when it fires, so the normaliser reports it. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A tool call being put together from deltas. */
interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Turns GLM SSE chunks (provider-wire.md §1.4) into exai stream parts, in the contract's order:
 * `response-metadata`, `reasoning-delta`/`text-delta`, whole `tool-call`s, `web-search-results`,
 * `finish`. GLM quirks handled here:
 * - `role` on every delta and empty `content`/`reasoning_content` strings (ignored);
 * - tool calls as one whole delta, or as argument fragments with `tool_stream`, accumulated by
 *   index; `finish_reason` repeated on the closing chunk (the last value wins, nothing is doubled);
 * - `usage` and `web_search` only on the final chunk;
 * - `finish_reason: "sensitive"` and mid-stream `data: {"error":…}` are thrown as `ProviderError`s.
 * Breaking out of the consuming loop returns the SDK iterator, which aborts the HTTP request.
 */
export async function* normalizeGlmStream(chunks: AsyncIterable<unknown>, options: NormalizeGlmStreamOptions): AsyncGenerator<StreamPart, void, undefined> {
  const { modelId, signal } = options;
  let requestId: string | undefined;
  let started = false;
  let finishReason: string | undefined;
  let usage: unknown;
  let webSearch: unknown;
  const toolCalls = new Map<number, PendingToolCall>();

  try {
    for await (const raw of chunks) {
      const chunk = raw as GlmChunk;
      if (!started) {
        started = true;
        requestId = nonEmpty(chunk.request_id) ?? nonEmpty(chunk.id);
        yield requestId === undefined
          ? { type: 'response-metadata', provider: GLM_PROVIDER_ID, modelId }
          : { type: 'response-metadata', provider: GLM_PROVIDER_ID, modelId, requestId };
      }
      if (chunk.usage) usage = chunk.usage;
      if (chunk.web_search) webSearch = chunk.web_search;
      const choice = chunk.choices?.[0];
      if (!choice) continue;
      const delta = choice.delta;
      if (delta) {
        if (delta.reasoning_content) yield { type: 'reasoning-delta', delta: delta.reasoning_content };
        if (delta.content) yield { type: 'text-delta', delta: delta.content };
        if (delta.tool_calls) accumulateToolCalls(toolCalls, delta.tool_calls);
      }
      if (choice.finish_reason) {
        finishReason = choice.finish_reason;
        if (finishReason === 'sensitive') throw glmSensitiveOutputError(requestId);
      }
    }
  } catch (error) {
    throw mapGlmError(error, { operation: 'chat', signal, requestId, modelId, timeoutMs: options.timeoutMs });
  }
  if (signal?.aborted) {
    throw new AbortedError({ provider: GLM_PROVIDER_ID, requestId, cause: signal.reason, message: 'The GLM call was cancelled by the caller' });
  }
  if (finishReason === undefined) {
    throw new ProviderUnavailableError({ provider: GLM_PROVIDER_ID, requestId, message: 'The GLM stream ended before it finished (no finish_reason): retry the call' });
  }

  for (const [index, call] of [...toolCalls].sort(([left], [right]) => left - right)) {
    const toolCall: ToolCall = { id: call.id || `glm-call-${index}`, type: 'function', name: call.name, arguments: call.arguments };
    yield { type: 'tool-call', toolCall };
  }
  const parsedResults = webSearch === undefined ? undefined : glmWebSearchItemsSchema.safeParse(webSearch);
  const results = parsedResults?.success ? mapWebSearchResults(parsedResults.data) : [];
  if (results.length) yield { type: 'web-search-results', results };
  const parsedUsage = glmUsageSchema.safeParse(usage ?? {});
  yield {
    type: 'finish',
    finishReason: mapGlmFinishReason(finishReason),
    usage: mapGlmUsage(parsedUsage.success ? parsedUsage.data : undefined),
    webSearchCalls: results.length ? 1 : 0,
    warnings: options.warnings,
  };
}

/** Merges tool-call deltas by index, idempotently: a repeated whole call does not double its arguments. */
function accumulateToolCalls(calls: Map<number, PendingToolCall>, deltas: readonly GlmToolCallDelta[]): void {
  for (const delta of deltas) {
    const index = typeof delta.index === 'number' ? delta.index : indexById(calls, delta.id) ?? calls.size;
    const rawArguments = delta.function?.arguments;
    const fragment = typeof rawArguments === 'string' ? rawArguments : rawArguments == null ? '' : JSON.stringify(rawArguments);
    const existing = calls.get(index);
    if (!existing) {
      calls.set(index, { id: delta.id ?? '', name: delta.function?.name ?? '', arguments: fragment });
      continue;
    }
    if (delta.id && existing.id === delta.id && fragment !== '' && fragment === existing.arguments) continue;
    if (!existing.id && delta.id) existing.id = delta.id;
    if (!existing.name && delta.function?.name) existing.name = delta.function.name;
    existing.arguments += fragment;
  }
}

function indexById(calls: Map<number, PendingToolCall>, id: string | null | undefined): number | undefined {
  if (!id) return undefined;
  for (const [index, call] of calls) if (call.id === id) return index;
  return undefined;
}

function nonEmpty(value: string | null | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
