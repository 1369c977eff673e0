/** A text part of a user message. */
export interface TextPart {
  type: 'text';
  text: string;
}

/**
 * An image part. `image` is a `data:` URL, raw base64, an `http(s)` URL (GLM only) or a Kimi
 * `ms://<file-id>` reference. Providers convert it to what their vendor accepts.
 */
export interface ImagePart {
  type: 'image';
  image: string;
  /** MIME type, needed when `image` is raw base64 (`image/png`, `image/jpeg`, …). */
  mediaType?: string;
}

/** A video part (`data:` URL, URL, or `ms://<file-id>`); GLM-4.5V and Kimi vision models. */
export interface VideoPart {
  type: 'video';
  video: string;
}

/** Parts a user message may hold. */
export type UserContentPart = TextPart | ImagePart | VideoPart;

/** A call of a function (or vendor builtin) requested by the model. */
export interface ToolCall {
  /** The vendor's id for this call; echo it back in the `tool` message. */
  id: string;
  /** `builtin_function` for Kimi's `$web_search`. */
  type: 'function' | 'builtin_function';
  name: string;
  /** The arguments exactly as the vendor sent them (a JSON string); never re-serialised. */
  arguments: string;
}

export interface SystemMessage {
  role: 'system';
  content: string;
}

export interface UserMessage {
  role: 'user';
  content: string | UserContentPart[];
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content: string;
  /** The model's reasoning on this turn; sent back where the vendor needs it (Kimi thinking tool turns, GLM interleaved thinking). */
  reasoning?: string;
  toolCalls?: ToolCall[];
  /** Kimi partial mode: this message is a prefix the model continues. Must be the last message. */
  partial?: boolean;
  name?: string;
}

export interface ToolMessage {
  role: 'tool';
  toolCallId: string;
  /** Function name; Kimi wants it on `$web_search` echoes. */
  name?: string;
  content: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

/** A function the model may call. `parameters` is a JSON Schema object. */
export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
}

/** How hard the model should think. Vendors that take no level still get thinking on or off. */
export type ThinkingLevel = 'minimal' | 'low' | 'medium' | 'high' | 'max';

export interface ThinkingOptions {
  enabled: boolean;
  level?: ThinkingLevel;
}

/** Web search recency windows (GLM's names). */
export type SearchRecency = 'oneDay' | 'oneWeek' | 'oneMonth' | 'oneYear' | 'noLimit';

/** Web search inside chat: GLM's `web_search` tool or Kimi's `$web_search` builtin. */
export interface WebSearchOptions {
  enabled: boolean;
  /** GLM: force this query instead of letting the model choose. */
  query?: string;
  /** GLM: number of results, 1–50. */
  count?: number;
  recency?: SearchRecency;
  /** GLM: restrict results to this domain. */
  domainFilter?: string;
  /** GLM: `medium` (≈500 chars per result) or `high` (≈2,500). */
  contentSize?: 'medium' | 'high';
  /** Kimi: most `$web_search` rounds before giving up (default 5). */
  maxRounds?: number;
}

export type ResponseFormat = { type: 'text' } | { type: 'json_object' };

/**
 * One chat call. Options a vendor cannot honour are either converted (temperature clamped,
 * `tool_choice` dropped) with a warning in the result, or refused with an `InvalidRequestError`
 * before anything is sent.
 */
export interface ChatRequest {
  messages: ChatMessage[];
  temperature?: number;
  topP?: number;
  /** Output token limit. Kimi defaults to 1024 when it is not sent, so providers always send one. */
  maxTokens?: number;
  stop?: string[];
  thinking?: ThinkingOptions;
  tools?: FunctionTool[];
  toolChoice?: 'auto' | 'none' | 'required';
  webSearch?: WebSearchOptions;
  responseFormat?: ResponseFormat;
  /** End-user id forwarded to the vendor (GLM `user_id`). */
  user?: string;
  /** Options only one vendor understands, keyed by provider id. */
  providerOptions?: Record<string, Record<string, unknown>>;
}
