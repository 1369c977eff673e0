import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import {
  ProviderUnavailableError,
  type CallOptions,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  type StreamPart,
  type ToolCall,
} from '@exai/router/spec';
import { buildGlmRequest } from './build-glm-request.js';
import { GLM_PROVIDER_ID, type GlmClient } from './glm-client.js';
import { normalizeGlmStream } from './glm-stream.js';
import { glmChatResponseSchema, type GlmChatRequestBody } from './glm-wire.js';
import { glmSensitiveOutputError, mapGlmError } from './map-glm-error.js';
import { mapGlmFinishReason } from './map-finish-reason.js';
import { mapGlmUsage } from './map-glm-usage.js';
import { mapWebSearchResults } from './map-web-search-results.js';

/**
 * A GLM chat model (`glm-4.6`, `glm-4.5`, `glm-4.5-air`, `glm-4.5-flash`, `glm-4.5v`, …) on the
 * contract's `ChatModel`: chat and streaming through the openai SDK, with GLM's own fields
 * (`thinking`, `reasoning_content`, `web_search`, `tool_stream`, `request_id`, `user_id`).
 */
export class GlmChatModel implements ChatModel {
  readonly provider = GLM_PROVIDER_ID;
  readonly modelId: string;
  readonly #client: GlmClient;

  constructor(options: { modelId: string; client: GlmClient }) {
    this.modelId = options.modelId;
    this.#client = options.client;
  }

  /** Sends the request and resolves with the whole answer; rejects with a `ProviderError`. */
  async generate(request: ChatRequest, options?: CallOptions): Promise<ChatResult> {
    const { body, warnings } = buildGlmRequest({ modelId: this.modelId, request, stream: false });
    let raw: unknown;
    try {
      // GLM fields the SDK does not type ride in the params object as they are (provider-wire.md §4.2).
      raw = await this.#client.sdk().chat.completions.create(asSdkParams<ChatCompletionCreateParamsNonStreaming>(body), this.#client.requestOptions(options));
    } catch (error) {
      throw mapGlmError(error, this.#errorContext(options));
    }
    return this.#toResult(raw, warnings);
  }

  /**
   * Streams the answer as contract parts. Request errors are thrown before the first part, vendor
   * failures mid-stream; breaking out of the loop aborts the HTTP request.
   */
  async *stream(request: ChatRequest, options?: CallOptions): AsyncGenerator<StreamPart, void, undefined> {
    const { body, warnings } = buildGlmRequest({ modelId: this.modelId, request, stream: true });
    let chunks: AsyncIterable<unknown>;
    try {
      chunks = await this.#client.sdk().chat.completions.create(asSdkParams<ChatCompletionCreateParamsStreaming>(body), this.#client.requestOptions(options));
    } catch (error) {
      throw mapGlmError(error, this.#errorContext(options));
    }
    yield* normalizeGlmStream(chunks, { modelId: this.modelId, warnings, signal: options?.signal, timeoutMs: this.#client.effectiveTimeoutMs(options) });
  }

  #toResult(raw: unknown, warnings: string[]): ChatResult {
    const parsed = glmChatResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new ProviderUnavailableError({ provider: GLM_PROVIDER_ID, cause: parsed.error, message: 'GLM returned a chat response exai could not read: retry the call' });
    }
    const response = parsed.data;
    const requestId = response.request_id || response.id || undefined;
    const choice = response.choices?.[0];
    if (!choice) {
      throw new ProviderUnavailableError({ provider: GLM_PROVIDER_ID, requestId, message: 'GLM returned a chat response without choices: retry the call' });
    }
    if (choice.finish_reason === 'sensitive') throw glmSensitiveOutputError(requestId);

    const message = choice.message;
    const toolCalls: ToolCall[] = (message?.tool_calls ?? []).map((call, index) => ({
      id: call.id || `glm-call-${index}`,
      type: 'function',
      name: call.function?.name ?? '',
      arguments: call.function?.arguments ?? '',
    }));
    const webSearchResults = mapWebSearchResults(response.web_search);
    const result: ChatResult = {
      text: message?.content ?? '',
      toolCalls,
      webSearchResults,
      webSearchCalls: webSearchResults.length ? 1 : 0,
      usage: mapGlmUsage(response.usage),
      finishReason: mapGlmFinishReason(choice.finish_reason),
      provider: GLM_PROVIDER_ID,
      modelId: this.modelId,
      warnings,
    };
    if (message?.reasoning_content) result.reasoning = message.reasoning_content;
    if (requestId) result.requestId = requestId;
    return result;
  }

  #errorContext(options: CallOptions | undefined) {
    return { operation: 'chat' as const, signal: options?.signal, modelId: this.modelId, timeoutMs: this.#client.effectiveTimeoutMs(options) };
  }
}

/** The GLM body under the SDK's params type: the SDK sends unknown keys unchanged. */
function asSdkParams<Params>(body: GlmChatRequestBody): Params {
  return body as unknown as Params;
}
