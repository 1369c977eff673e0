import { z } from 'zod';

// Lenient schemas of what GLM sends (provider-wire.md §1.3–§1.9). Every field is optional: GLM
// changes its payloads over time (`object` absent in 2025, present in 2026; usage details added
// later), so a missing field must never fail a call. Unknown keys are dropped.

/** A string, or undefined when the vendor sent null, nothing, or another type. */
const looseString = z.unknown().optional().transform((value) => (typeof value === 'string' ? value : undefined));

/** A finite number, or undefined. */
const looseNumber = z.unknown().optional().transform((value) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined));

/** `usage` of a response or of the final stream chunk (§1.3, §1.4). */
export const glmUsageSchema = z.object({
  prompt_tokens: looseNumber,
  completion_tokens: looseNumber,
  total_tokens: looseNumber,
  prompt_tokens_details: z.object({ cached_tokens: looseNumber }).nullish().catch(undefined),
  completion_tokens_details: z.object({ reasoning_tokens: looseNumber }).nullish().catch(undefined),
});

/** GLM `usage`. */
export type GlmUsage = z.infer<typeof glmUsageSchema>;

/** One search hit: `web_search[]` of chat (§1.6) and `search_result[]` of `POST /web_search` (§1.7). */
export const glmWebSearchItemSchema = z.object({
  title: looseString,
  content: looseString,
  link: looseString,
  media: looseString,
  icon: looseString,
  refer: looseString,
  publish_date: looseString,
});

/** One GLM search hit. */
export type GlmWebSearchItem = z.infer<typeof glmWebSearchItemSchema>;

/** A list of search hits; entries that are not objects are dropped rather than failing the call. */
export const glmWebSearchItemsSchema = z
  .array(z.unknown())
  .transform((items) => items.flatMap((item) => {
    const parsed = glmWebSearchItemSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  }));

/**
 * Tool-call arguments as sent: normally a JSON string; an object (seen from older GLM models) is
 * serialised once, since the contract wants a string.
 */
const toolArgumentsSchema = z.unknown().optional().transform((value) => {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
});

/** `message.tool_calls[]` of a non-streamed response. */
export const glmToolCallSchema = z.object({
  id: looseString,
  type: looseString,
  index: looseNumber,
  function: z.object({ name: looseString, arguments: toolArgumentsSchema }).nullish().catch(undefined),
});

/** Non-streamed chat response (§1.3, recorded shape). */
export const glmChatResponseSchema = z.object({
  id: looseString,
  request_id: looseString,
  created: looseNumber,
  model: looseString,
  choices: z
    .array(
      z.object({
        index: looseNumber,
        finish_reason: looseString,
        message: z
          .object({
            role: looseString,
            content: looseString,
            reasoning_content: looseString,
            tool_calls: z.array(glmToolCallSchema).nullish().catch(undefined),
          })
          .nullish(),
      }),
    )
    .nullish(),
  usage: glmUsageSchema.nullish().catch(undefined),
  web_search: glmWebSearchItemsSchema.nullish().catch(undefined),
});

/** Parsed non-streamed chat response. */
export type GlmChatResponse = z.infer<typeof glmChatResponseSchema>;

/** A tool-call delta: a whole call, or with `tool_stream` an argument fragment (§1.2, §1.4). */
export interface GlmToolCallDelta {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: unknown } | null;
}

/**
 * One SSE chunk (§1.4). Chunks are not validated (hot path, house-style §9): the stream normaliser
 * reads them through this type and checks each field it uses.
 */
export interface GlmChunk {
  id?: string | null;
  request_id?: string | null;
  model?: string | null;
  choices?: Array<{
    index?: number | null;
    finish_reason?: string | null;
    delta?: {
      role?: string | null;
      content?: string | null;
      reasoning_content?: string | null;
      tool_calls?: GlmToolCallDelta[] | null;
    } | null;
  }> | null;
  usage?: unknown;
  web_search?: unknown;
}

/** Response of `POST /web_search` (§1.7); any field may be missing. */
export const glmWebSearchResponseSchema = z.object({
  id: looseString,
  created: looseNumber,
  request_id: looseString,
  search_intent: z
    .array(z.object({ query: looseString, intent: looseString, keywords: looseString }))
    .nullish()
    .catch(undefined),
  search_result: glmWebSearchItemsSchema.nullish().catch(undefined),
});

/** A file object (§1.8). */
export const glmFileSchema = z.object({
  id: z.string(),
  object: looseString,
  bytes: looseNumber,
  created_at: looseNumber,
  filename: looseString,
  purpose: looseString,
});

/** `GET /files` (§1.8); `has_more` may be missing. */
export const glmFileListSchema = z.object({
  object: looseString,
  data: z.array(glmFileSchema).nullish(),
  has_more: z.unknown().optional().transform((value) => value === true),
});

/** `DELETE /files/{id}`; the shape is not documented, so both fields are optional. */
export const glmFileDeletedSchema = z.object({
  id: looseString,
  deleted: z.unknown().optional().transform((value) => (typeof value === 'boolean' ? value : undefined)),
});

// ---- Request side (what exai sends) ----

/** A content part of a GLM user message (§1.2, multimodal parts). */
export type GlmContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'video_url'; video_url: { url: string } };

/** A tool call echoed back on an assistant message. */
export interface GlmRequestToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A message as GLM takes it. Tool and assistant content is always a string (§4.7). */
export type GlmMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | GlmContentPart[] }
  | { role: 'assistant'; content: string; reasoning_content?: string; tool_calls?: GlmRequestToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** GLM's in-chat web search tool (§1.6). */
export interface GlmWebSearchTool {
  type: 'web_search';
  web_search: {
    enable: true;
    search_engine: string;
    search_result: true;
    search_query?: string;
    count?: number;
    search_domain_filter?: string;
    search_recency_filter?: string;
    content_size?: string;
  };
}

/** A function tool as GLM takes it. */
export interface GlmFunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** The chat request body exai sends to `POST /chat/completions` (§1.2). */
export interface GlmChatRequestBody {
  model: string;
  messages: GlmMessage[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string[];
  do_sample?: boolean;
  thinking?: { type: 'enabled' | 'disabled'; clear_thinking?: boolean };
  tools?: Array<GlmFunctionTool | GlmWebSearchTool>;
  tool_choice?: 'auto';
  tool_stream?: boolean;
  response_format?: { type: 'text' | 'json_object' };
  request_id?: string;
  user_id?: string;
}
