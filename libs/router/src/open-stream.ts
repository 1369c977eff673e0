import type { ChatModel, ChatRequest, StreamPart } from '@exai/router/spec';

/** A provider stream whose first content part has arrived, so it is past the point of retrying. */
export interface OpenedStream {
  iterator: AsyncIterator<StreamPart>;
  /** Parts already read: leading `response-metadata` parts and the first content part. */
  buffered: StreamPart[];
  /** The provider's stream ended while the first parts were read. */
  done: boolean;
  /** Aborts the upstream request (idle timeout). */
  abort(reason?: unknown): void;
  /** Releases the stream: returns the iterator if unfinished, aborts upstream, detaches from the caller's signal. */
  close(): void;
}

const ignore = (): void => undefined;

/**
 * Opens a provider stream for one attempt and reads up to its first content part. The upstream
 * request gets its own controller, aborted by the caller's signal for the whole stream but by the
 * attempt's signal (the per-attempt timeout) only until this function returns: after the first part,
 * the stream belongs to the caller and no retry or attempt timeout may cut it.
 *
 * Leading `response-metadata` parts carry no content, so a failure after them is still retryable. An
 * `error` part before any content is thrown, so retry policies can act on it.
 */
export async function openStream(
  model: ChatModel,
  request: ChatRequest,
  options: { attemptSignal: AbortSignal; callerSignal: AbortSignal | undefined; headers: Record<string, string> | undefined },
): Promise<OpenedStream> {
  const { attemptSignal, callerSignal } = options;
  const controller = new AbortController();
  const abortFromCaller = (): void => controller.abort(callerSignal?.reason);
  const abortFromAttempt = (): void => controller.abort(attemptSignal.reason);
  if (callerSignal?.aborted) controller.abort(callerSignal.reason);
  else callerSignal?.addEventListener('abort', abortFromCaller, { once: true });
  if (attemptSignal.aborted) controller.abort(attemptSignal.reason);
  else attemptSignal.addEventListener('abort', abortFromAttempt, { once: true });

  const iterator = model.stream(request, { signal: controller.signal, ...(options.headers ? { headers: options.headers } : {}) })[Symbol.asyncIterator]();
  const buffered: StreamPart[] = [];
  let done = false;
  const close = (): void => {
    callerSignal?.removeEventListener('abort', abortFromCaller);
    if (!done) {
      done = true;
      iterator.return?.().catch(ignore);
    }
    controller.abort();
  };

  try {
    for (;;) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      if (next.value.type === 'error') throw next.value.error;
      buffered.push(next.value);
      if (next.value.type !== 'response-metadata') break;
    }
    // The attempt ran out of time (or was cancelled) just as the first part arrived: the policy has
    // already given up on this attempt, so nobody will read this stream.
    if (attemptSignal.aborted) throw attemptSignal.reason;
  } catch (error) {
    close();
    throw error;
  } finally {
    attemptSignal.removeEventListener('abort', abortFromAttempt);
  }
  return { iterator, buffered, done, abort: (reason) => controller.abort(reason), close };
}
