import { z } from 'zod';
import { resultMetadataSchema } from '../result-metadata.js';

/** Prompts longer than this are refused with `resend_prompt` (MCP clients choke on huge arguments). */
export const DEFAULT_PROMPT_MAX_CHARS = 60_000;

/** Input of the `chat` tool. Descriptions stay short: `tools/list` is paid for in every client context. */
export const chatInputShape = {
  prompt: z.string().min(1).describe('Your question or idea, with the context the model needs.'),
  model: z.string().min(1).optional().describe('Model name or alias (see listmodels); "auto" or omitted lets exai choose.'),
  temperature: z.number().min(0).max(1).optional().describe('0 = focused, 1 = creative.'),
  thinking_mode: z
    .enum(['off', 'minimal', 'low', 'medium', 'high', 'max'])
    .optional()
    .describe('Reasoning depth for models that think; "off" disables thinking.'),
  use_websearch: z.boolean().optional().describe('Let the model search the web (default false).'),
  images: z.array(z.string().min(1)).max(5).optional().describe('Up to 5 absolute image paths or data: URLs (vision models).'),
  files: z.array(z.string().min(1)).max(50).optional().describe('Absolute paths of text files or folders to include (≤1 MB each).'),
  continuation_id: z.string().min(1).max(128).optional().describe('Continue an earlier chat: the id a previous call returned.'),
};

/** Structured output of the `chat` tool. */
export const chatOutputShape = {
  status: z.enum(['ok', 'resend_prompt']),
  content: z.string().describe('The answer, or what to do for resend_prompt.'),
  continuation_id: z.string().optional(),
  reasoning: z.string().optional(),
  web_search_results: z
    .array(z.object({ title: z.string(), url: z.string(), publish_date: z.string().optional() }))
    .optional(),
  metadata: resultMetadataSchema.optional(),
};

export type ChatInput = z.infer<z.ZodObject<typeof chatInputShape>>;
export type ChatOutput = z.infer<z.ZodObject<typeof chatOutputShape>>;
