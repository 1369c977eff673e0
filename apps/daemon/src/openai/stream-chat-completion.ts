import type { ServerResponse } from 'node:http';
import type { RoutedStream, RoutedStreamSummary } from '@exai/router';
import type { FinishPart, StreamPart } from '@exai/router/spec';
import { exaiHeaders, exaiMetadata, finishReasonOf, overheadMs, toolCallOf, usageOf, type CallFacts } from './chat-completion-response.js';
import { openAiErrorFrom, type OpenAiError } from './openai-error.js';

/** How a stream that reached the client ended. */
export interface StreamedCompletion {
  /** Set when the `finish` part passed (usage, cost, attempts). */
  summary: RoutedStreamSummary | undefined;
  /** The failure after the first token, already sent to the client as an SSE error event. */
  error?: OpenAiError;
  facts: CallFacts;
}

/**
 * Writes a routed stream as OpenAI `chat.completion.chunk` server-sent events: a role chunk, content,
 * `reasoning_content` and `tool_calls` deltas, the finish chunk, a usage chunk (`choices: []`) when
 * `stream_options.include_usage` asked for it, then `data: [DONE]`; the `exai` routing metadata rides
 * on the last chunk. Nothing is written until the router has a first part: a failure before it
 * (routing, every retry and fallback failed) is thrown for the caller to answer as a normal HTTP
 * error. After it, a failure becomes an `error` event and the stream ends without `[DONE]`.
 * Backpressure: a slow reader pauses the upstream stream rather than growing the daemon's buffers.
 */
export async function streamChatCompletion(options: { response: ServerResponse; routed: RoutedStream; includeUsage: boolean; id: string; created: number; startedAt: number; signal: AbortSignal }): Promise<StreamedCompletion> {
  const { response, routed, includeUsage, id, created, signal } = options;
  const iterator = routed.parts[Symbol.asyncIterator]();
  const first = await iterator.next();

  const facts = (): CallFacts => ({ model: routed.model, decision: routed.decision, attemptLog: routed.attemptLog, attempts: routed.attemptLog.filter((attempt) => attempt.outcome !== 'skipped').length });
  const atStart = facts();
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    'x-request-id': id,
    ...exaiHeaders(atStart, overheadMs(performance.now() - options.startedAt, atStart.attemptLog)),
  });
  const model = atStart.model.id;
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: null,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const send = (payload: unknown, event?: string): Promise<void> => write(response, `${event ? `event: ${event}\n` : ''}data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}\n\n`);

  let finish: FinishPart | undefined;
  let toolIndex = 0;
  try {
    await send(chunk({ role: 'assistant', content: '' }));
    for (let next: IteratorResult<StreamPart> = first; !next.done; next = await iterator.next()) {
      const part = next.value;
      switch (part.type) {
        case 'text-delta':
          if (part.delta) await send(chunk({ content: part.delta }));
          break;
        case 'reasoning-delta':
          if (part.delta) await send(chunk({ reasoning_content: part.delta }));
          break;
        case 'tool-call':
          // Providers emit a tool call once its arguments are complete: one delta carries all of it.
          await send(chunk({ tool_calls: [{ index: toolIndex++, ...toolCallOf(part.toolCall) }] }));
          break;
        case 'finish':
          finish = part;
          break;
        case 'error':
          throw part.error;
        default:
          break;
      }
    }
  } catch (caught) {
    const error = openAiErrorFrom(caught);
    if (!signal.aborted && !response.destroyed) {
      await send(error.toBody(), 'error').catch(() => undefined);
      response.end();
    }
    return { summary: routed.summary, error, facts: facts() };
  } finally {
    // Left early (the client went away, a write failed): the router's stream must still release its slots.
    void iterator.return?.(undefined)?.catch(() => undefined);
  }

  const summary = routed.summary;
  const final = facts();
  const exai = exaiMetadata(summary ? { ...final, attempts: summary.attempts } : final, {
    overheadMs: overheadMs(performance.now() - options.startedAt, final.attemptLog),
    ...(summary ? { costUsd: summary.costUsd } : {}),
    ...(finish?.warnings.length ? { warnings: finish.warnings } : {}),
  });
  const last = chunk({}, finish ? finishReasonOf(finish.finishReason) : 'stop');
  if (includeUsage) {
    await send(last);
    await send({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage: usageOf(summary?.usage ?? finish?.usage ?? emptyUsage), exai });
  } else {
    await send({ ...last, exai });
  }
  await send('[DONE]');
  response.end();
  return { summary, facts: final };
}

const emptyUsage = { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, reasoningTokens: 0, totalTokens: 0 };

/** Writes and, when the socket's buffer is full, waits for it to drain (or for the client to leave). */
function write(response: ServerResponse, text: string): Promise<void> {
  if (response.destroyed || response.writableEnded) return Promise.reject(new Error('the client closed the connection'));
  if (response.write(text)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
  });
}
