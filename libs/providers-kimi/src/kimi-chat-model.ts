import { type CallOptions, type ChatModel, type ChatRequest, type ChatResult, type StreamPart } from '@exai/router/spec';
import type { OpenAI } from 'openai';
import { callTimeoutMs, startDeadline, type Deadline } from './deadline.js';
import { sdkRequestOptions, type KimiContext } from './kimi-context.js';
import type { KimiFiles } from './kimi-files.js';
import { KimiRoundDriver } from './kimi-round-driver.js';
import { KimiStreamRound } from './kimi-stream.js';
import type { KimiChatBody, KimiChunk } from './kimi-wire.js';
import { mapKimiError } from './map-kimi-error.js';
import { prepareKimiRequest } from './prepare-kimi-request.js';
import { readKimiResponse } from './read-kimi-response.js';

// The SDK's parameter types lack Kimi's fields (`partial`, `thinking`, builtin tools, `role: "cache"`);
// the body is Kimi's own type, widened here for the call (provider-wire.md §4.2).
type NonStreamingParams = Parameters<OpenAI['chat']['completions']['create']>[0] & { stream?: false };
type StreamingParams = Parameters<OpenAI['chat']['completions']['create']>[0] & { stream: true };

/** A Kimi chat model: the router's `ChatModel` contract over `POST /chat/completions`. */
export class KimiChatModel implements ChatModel {
  readonly provider = 'kimi';
  readonly modelId: string;
  readonly #context: KimiContext;
  readonly #files: KimiFiles;

  constructor(modelId: string, context: KimiContext, files: KimiFiles) {
    this.modelId = modelId;
    this.#context = context;
    this.#files = files;
  }

  /** Sends the request (and the rounds of the `$web_search` loop or auto-continue) and returns the summed answer. */
  async generate(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
    const signal = options?.signal;
    const timeoutMs = callTimeoutMs(this.#context.timeoutMs, options);
    // A call time limit without a signal is kept by the SDK's own timer: no signal for the SDK to
    // compose per request (about 10 µs each), and the timeout is recognised by the time it took.
    const sdkTimer = signal === undefined && options?.timeoutMs !== undefined ? timeoutMs : undefined;
    let deadline: Deadline | undefined;
    let started = 0;
    try {
      const driver = await this.#driver(request, options);
      const client = this.#context.client();
      let more = true;
      while (more) {
        signal?.throwIfAborted();
        started = performance.now();
        deadline = sdkTimer === undefined ? startDeadline(signal, timeoutMs) : undefined;
        const response = await client.chat.completions.create(driver.body as unknown as NonStreamingParams, sdkRequestOptions(options, deadline?.signal, sdkTimer));
        deadline?.clear();
        more = driver.next(readKimiResponse(response));
      }
      return driver.result(this.modelId);
    } catch (error) {
      const timedOut = deadline ? deadline.expired() : sdkTimer !== undefined && started > 0 && performance.now() - started >= sdkTimer;
      throw mapKimiError(error, { modelId: this.modelId, signal, timedOut, timeoutMs });
    } finally {
      deadline?.clear();
    }
  }

  /**
   * Streams the answer: `response-metadata` once, then reasoning and text deltas of every round (the
   * partial-mode prefix first), the tool calls handed to the caller, and one `finish` with the
   * summed usage. Breaking out of the loop aborts the HTTP request.
   */
  async *stream(request: ChatRequest, options?: CallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const signal = options?.signal;
    const timeoutMs = callTimeoutMs(this.#context.timeoutMs, options);
    const fail = (error: unknown, requestId?: string, timedOut?: boolean) =>
      mapKimiError(error, { modelId: this.modelId, signal, timeoutMs, requestId, timedOut });
    let driver: KimiRoundDriver;
    let client: OpenAI;
    try {
      driver = await this.#driver(request, options);
      client = this.#context.client();
    } catch (error) {
      throw fail(error);
    }
    let started = false;
    let more = true;
    while (more) {
      const round = new KimiStreamRound();
      const body: KimiChatBody = { ...driver.body, stream: true, stream_options: { include_usage: true } };
      let chunks: AsyncIterable<unknown> & { controller: AbortController };
      // The time limit covers the wait for the response head; a stream may then run as long as it needs.
      const deadline = startDeadline(signal, timeoutMs);
      try {
        signal?.throwIfAborted();
        chunks = await client.chat.completions.create(body as unknown as StreamingParams, sdkRequestOptions(options, deadline.signal));
      } catch (error) {
        throw fail(error, driver.requestId, deadline.expired());
      } finally {
        deadline.clear();
      }
      let finished = false;
      try {
        for await (const chunk of chunks) {
          const parts = round.push(chunk as KimiChunk);
          if (!started) {
            started = true;
            yield { type: 'response-metadata', provider: 'kimi', modelId: round.model ?? this.modelId, ...(round.id ? { requestId: round.id } : {}) };
            if (driver.text) yield { type: 'text-delta', delta: driver.text };
          }
          for (const part of parts) yield part;
        }
        finished = true;
      } catch (error) {
        throw fail(error, round.id ?? driver.requestId);
      } finally {
        // A consumer that stops early (break, return) must not leave the HTTP request open.
        if (!finished) chunks.controller.abort();
      }
      // The SDK ends the iteration quietly when the request is aborted mid-stream.
      if (signal?.aborted) throw fail(signal.reason);
      try {
        more = driver.next(round.outcome());
      } catch (error) {
        throw fail(error);
      }
    }
    for (const toolCall of driver.toolCalls()) yield { type: 'tool-call', toolCall };
    yield driver.finishPart();
  }

  #driver(request: ChatRequest, options: CallOptions | undefined): Promise<KimiRoundDriver> {
    return prepareKimiRequest({
      modelId: this.modelId,
      request,
      defaultMaxTokens: this.#context.defaultMaxTokens,
      files: this.#files,
      callOptions: options,
    }).then((setup) => new KimiRoundDriver(setup));
  }
}
