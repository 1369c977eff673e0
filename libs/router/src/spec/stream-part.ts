import type { ToolCall } from './chat-request.js';
import type { FinishReason, Usage, WebSearchResult } from './chat-result.js';
import type { ExaiError } from './exai-error.js';

/** First part of every stream: who answers. */
export interface ResponseMetadataPart {
  type: 'response-metadata';
  provider: string;
  modelId: string;
  requestId?: string;
}

export interface TextDeltaPart {
  type: 'text-delta';
  delta: string;
}

export interface ReasoningDeltaPart {
  type: 'reasoning-delta';
  delta: string;
}

/** A complete tool call (providers accumulate streamed arguments before emitting it). */
export interface ToolCallPart {
  type: 'tool-call';
  toolCall: ToolCall;
}

export interface WebSearchResultsPart {
  type: 'web-search-results';
  results: WebSearchResult[];
}

/** Last part of a successful stream. */
export interface FinishPart {
  type: 'finish';
  finishReason: FinishReason;
  usage: Usage;
  webSearchCalls: number;
  warnings: string[];
}

/**
 * An error turned into a part. Providers throw instead (so retry and fallback can act); layers that
 * hand a stream to a transport may convert a thrown error into this part.
 */
export interface ErrorPart {
  type: 'error';
  error: ExaiError;
}

/** The parts of a streamed call, in order: metadata, deltas and tool calls, search results, finish. */
export type StreamPart =
  | ResponseMetadataPart
  | TextDeltaPart
  | ReasoningDeltaPart
  | ToolCallPart
  | WebSearchResultsPart
  | FinishPart
  | ErrorPart;
