import type { ToolCall } from './chat-request.js';

/** Token counts of one call. */
export interface Usage {
  inputTokens: number;
  /** Input tokens served from the vendor's prompt cache (priced lower). Included in `inputTokens`. */
  cachedInputTokens: number;
  outputTokens: number;
  /** Reasoning tokens, when the vendor reports them. Included in `outputTokens`. */
  reasoningTokens: number;
  totalTokens: number;
}

/** Why generation stopped: exai's name and the vendor's raw value. */
export interface FinishReason {
  unified: 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';
  raw: string | undefined;
}

/** One web search hit returned by the vendor. */
export interface WebSearchResult {
  title: string;
  url: string;
  content?: string;
  publishDate?: string;
  /** GLM's citation key, such as `ref_1`, used in the answer text as `[ref_1]`. */
  refer?: string;
  media?: string;
  icon?: string;
}

/** The outcome of a non-streamed call (and the sum of a streamed one). */
export interface ChatResult {
  text: string;
  /** The model's reasoning (`reasoning_content`), when it thought. */
  reasoning?: string;
  toolCalls: ToolCall[];
  webSearchResults: WebSearchResult[];
  /** Number of web searches the vendor ran and will bill. */
  webSearchCalls: number;
  usage: Usage;
  finishReason: FinishReason;
  /** Upstream request id (GLM `request_id`, Kimi `id`). */
  requestId?: string;
  /** Provider and vendor model id that answered. */
  provider: string;
  modelId: string;
  /** Things the provider changed or dropped to satisfy the vendor (a clamped temperature, …). */
  warnings: string[];
}
