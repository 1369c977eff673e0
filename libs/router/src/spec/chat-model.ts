import type { ChatRequest } from './chat-request.js';
import type { ChatResult } from './chat-result.js';
import type { StreamPart } from './stream-part.js';

/** Per-call options. */
export interface CallOptions {
  /** Aborts the upstream HTTP request; the call then fails with `AbortedError`. */
  signal?: AbortSignal;
  /** Extra HTTP headers for this call. */
  headers?: Record<string, string>;
  /**
   * Time limit for each HTTP request of this call, in ms, kept by the provider's HTTP client without
   * an AbortSignal of its own (cheaper than a signal: the openai SDK composes every caller signal
   * per request): a request with no response by then is aborted and the call fails with
   * `ProviderTimeoutError`. Applies to the wait for the response, not to reading its body; for a hard
   * limit on the whole call, give a `signal` (the router does both). Shorter of this and the
   * provider's own `timeoutMs` applies.
   */
  timeoutMs?: number;
}

/** One model of one provider, able to answer chat requests. */
export interface ChatModel {
  readonly provider: string;
  readonly modelId: string;
  /** Sends the request and resolves with the whole answer. Rejects with a `ProviderError`. */
  generate(request: ChatRequest, options?: CallOptions): Promise<ChatResult>;
  /**
   * Sends the request with streaming and yields parts as they arrive. The iterator throws a
   * `ProviderError` on failure, before the first part (HTTP errors) or mid-stream.
   * Breaking out of the loop aborts the upstream request.
   */
  stream(request: ChatRequest, options?: CallOptions): AsyncIterable<StreamPart>;
}

/** A provider: a factory of chat models for its vendor's model ids. */
export interface Provider {
  /** `glm` or `kimi`. */
  readonly id: string;
  /** Returns the chat model for a vendor model id. Does no I/O. */
  chatModel(modelId: string): ChatModel;
}
