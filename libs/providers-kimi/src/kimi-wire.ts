import { z } from 'zod';

// Wire shapes of the Kimi (Moonshot) API, provider-wire.md §2. Response schemas are lenient
// (`.nullish()`, loose objects): the vendor adds fields over time and sometimes omits others.

/** A content part of a Kimi user message (§2.2). */
export type KimiWireContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } }
  | { type: 'video_url'; video_url: { url: string } };

/** A tool call as Kimi sends and expects it back. `index` appears on streamed and echoed calls. */
export interface KimiWireToolCall {
  index?: number;
  id: string;
  type: string;
  function: { name: string; arguments: string };
}

/** A request message. `cache` is the legacy context-cache reference (§2.8). */
export type KimiWireMessage =
  | { role: 'system'; content: string }
  | { role: 'cache'; content: string }
  | { role: 'user'; content: string | KimiWireContentPart[]; name?: string }
  | {
      role: 'assistant';
      content: string;
      name?: string;
      partial?: boolean;
      reasoning_content?: string;
      tool_calls?: KimiWireToolCall[];
    }
  | { role: 'tool'; tool_call_id: string; name?: string; content: string };

/** An assistant message as Kimi sent it, echoed back unchanged in the `$web_search` loop (§2.5). */
export type KimiWireAssistantMessage = Extract<KimiWireMessage, { role: 'assistant' }> & Record<string, unknown>;

/** A tool definition (§2.2, §2.5). */
export type KimiWireTool =
  | { type: 'function'; function: { name: string; description?: string; parameters: Record<string, unknown> } }
  | { type: 'builtin_function'; function: { name: '$web_search' } };

/** The chat request body. Kimi-only fields (`partial`, `thinking`, builtin tools) are why the SDK's type is widened. */
export interface KimiChatBody {
  model: string;
  messages: KimiWireMessage[];
  max_tokens: number;
  temperature?: number;
  top_p?: number;
  n?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  stop?: string[];
  response_format?: { type: 'json_object' };
  tools?: KimiWireTool[];
  tool_choice?: 'auto' | 'none';
  thinking?: { type: 'enabled' | 'disabled' };
  prompt_cache_key?: string;
  safety_identifier?: string;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

/** `usage`; `cached_tokens` sits at the top level, later also in `prompt_tokens_details` (§2.3). */
export const kimiUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  cached_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});

/** Wire usage as parsed. */
export type KimiWireUsage = z.infer<typeof kimiUsageSchema>;

const toolCallSchema = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

/** Non-streamed chat response (§2.3). */
export const kimiChatResponseSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: z.looseObject({
        role: z.string().nullish(),
        content: z.string().nullish(),
        reasoning_content: z.string().nullish(),
        tool_calls: z.array(toolCallSchema).nullish(),
      }),
      finish_reason: z.string().nullish(),
    }),
  ),
  usage: kimiUsageSchema.nullish(),
});

/** A parsed non-streamed chat response. */
export type KimiChatResponse = z.infer<typeof kimiChatResponseSchema>;

/**
 * One stream chunk. Not validated with zod: chunks are the hot path (house-style §9), so the stream
 * reader checks only the fields it reads. `usage` sits inside the choice on the last chunk, or at the
 * top level of an extra `choices: []` chunk with `stream_options.include_usage` (§2.3).
 */
export interface KimiChunk {
  id?: string | null;
  model?: string | null;
  choices?: KimiChunkChoice[] | null;
  usage?: KimiWireUsage | null;
}

/** A choice of a stream chunk. */
export interface KimiChunkChoice {
  index?: number | null;
  delta?: {
    role?: string | null;
    content?: string | null;
    reasoning_content?: string | null;
    tool_calls?: KimiChunkToolCall[] | null;
  } | null;
  finish_reason?: string | null;
  usage?: KimiWireUsage | null;
}

/** A tool-call fragment of a stream chunk; `arguments` arrives in pieces keyed by `index`. */
export interface KimiChunkToolCall {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: string | null } | null;
}

/** A stored file (§2.6). Older docs say `status: "ok"`, newer `"ready"`. */
export const kimiFileObjectSchema = z.looseObject({
  id: z.string(),
  object: z.string().nullish(),
  bytes: z.number().nullish(),
  created_at: z.number().nullish(),
  filename: z.string().nullish(),
  purpose: z.string().nullish(),
  status: z.string().nullish(),
  status_details: z.string().nullish(),
});

/** `GET /files`: no `has_more` (§2.6). */
export const kimiFileListSchema = z.looseObject({ data: z.array(kimiFileObjectSchema).nullish() });

/** `GET /files/{id}/content`: the extracted text as a JSON string body (§2.6). */
export const kimiFileContentSchema = z.looseObject({
  content: z.string(),
  file_type: z.string().nullish(),
  filename: z.string().nullish(),
  title: z.string().nullish(),
  type: z.string().nullish(),
});

/** `DELETE /files/{id}`. */
export const kimiFileDeletedSchema = z.looseObject({ id: z.string().nullish(), deleted: z.boolean().nullish() });

/** `POST /tokenizers/estimate-token-count` (§2.7). */
export const kimiTokenEstimateSchema = z.looseObject({ data: z.looseObject({ total_tokens: z.number() }) });

/** `GET /users/me/balance` (§2.7). */
export const kimiBalanceSchema = z.looseObject({
  data: z.looseObject({
    available_balance: z.number(),
    voucher_balance: z.number().nullish(),
    cash_balance: z.number().nullish(),
  }),
});

/** `GET /models` (§2.7). */
export const kimiModelListSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string(),
      object: z.string().nullish(),
      created: z.number().nullish(),
      owned_by: z.string().nullish(),
    }),
  ),
});

/** `POST /caching` (§2.8). */
export const kimiCacheSchema = z.looseObject({
  id: z.string(),
  object: z.string().nullish(),
  status: z.string().nullish(),
  tokens: z.number().nullish(),
  expired_at: z.number().nullish(),
  name: z.string().nullish(),
  model: z.string().nullish(),
});

/** The error body: `{ "error": { "type", "message" } }`, no `code` (§2.9). */
export const kimiErrorBodySchema = z.looseObject({
  type: z.string().nullish(),
  message: z.string().nullish(),
});
