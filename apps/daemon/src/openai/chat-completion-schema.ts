import { z } from 'zod';
import { OpenAiError } from './openai-error.js';

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1, 'an image needs a data: or http(s) URL'), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
/** Text given as a string or as text parts (system, developer and tool messages). */
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() });
const userMessage = z.object({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, imagePart])).min(1)]),
  name: z.string().optional(),
});
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(z.discriminatedUnion('type', [textPart, refusalPart])), z.null()]).optional(),
  /** The reasoning of a thinking model's earlier turn (DeepSeek / Kimi / GLM convention); sent back where the vendor needs it. */
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(toolCall).nullish(),
  refusal: z.string().nullish(),
  name: z.string().optional(),
});
const toolMessage = z.object({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1), name: z.string().optional() });

const functionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a function name is 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const responseFormat = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z.object({ type: z.literal('json_schema'), json_schema: z.unknown() }),
]);

/**
 * `POST /v1/chat/completions` as the OpenAI API defines it, for what exai can honour. Unknown fields
 * (`seed`, `logit_bias`, `metadata`, `parallel_tool_calls`, …) are accepted and ignored, as OpenAI
 * clients send them routinely; fields exai cannot honour in a way the caller relies on (`n > 1`,
 * `response_format: json_schema`) are refused naming the field.
 */
export const chatCompletionRequestSchema = z
  .looseObject({
    model: z.string().trim().min(1, 'name a model, or "auto" to let exai choose'),
    messages: z.array(z.discriminatedUnion('role', [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage])).min(1, 'send at least one message'),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    n: z.number().int().min(1).max(1, 'only n = 1 is supported').nullish(),
    tools: z.array(functionTool).nullish(),
    tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) })]).nullish(),
    response_format: responseFormat.nullish(),
    /** OpenAI's reasoning effort, mapped to exai's thinking level (`none` turns thinking off). */
    reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
    /** GLM and Kimi's own switch (`{ "type": "enabled" | "disabled" }`), accepted as they accept it. */
    thinking: z.object({ type: z.enum(['enabled', 'disabled']) }).nullish(),
    user: z.string().nullish(),
  })
  .superRefine((body, context) => {
    if (body.response_format?.type === 'json_schema') {
      context.addIssue({ code: 'custom', path: ['response_format', 'type'], message: 'json_schema is not supported by GLM or Kimi; use { "type": "json_object" } and describe the schema in the prompt' });
    }
    const choice = body.tool_choice;
    if (choice !== undefined && choice !== null && choice !== 'none' && !body.tools?.length) {
      context.addIssue({ code: 'custom', path: ['tool_choice'], message: 'tool_choice needs tools' });
    }
    if (typeof choice === 'object' && choice !== null && !body.tools?.some((tool) => tool.function.name === choice.function.name)) {
      context.addIssue({ code: 'custom', path: ['tool_choice', 'function', 'name'], message: `no tool named "${choice.function.name}" is in tools` });
    }
    body.messages.forEach((message, index) => {
      if (message.role === 'assistant' && !message.tool_calls?.length && (message.content === undefined || message.content === null)) {
        context.addIssue({ code: 'custom', path: ['messages', index, 'content'], message: 'an assistant message needs content or tool_calls' });
      }
    });
  });

/** A validated chat completion request. */
export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;

/** Validates a request body; throws a 400 {@link OpenAiError} naming the first invalid field. */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OpenAiError({ status: 400, message: 'the request body must be a JSON object', type: 'invalid_request_error', code: 'invalid_request_body' });
  }
  const parsed = chatCompletionRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const param = formatPath(issue.path);
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid value for '${param}': ${issue.message}.`;
  return throwInvalid(message, param, missing ? 'missing_required_parameter' : 'invalid_value');
}

function throwInvalid(message: string, param: string, code: string): never {
  throw new OpenAiError({ status: 400, message, type: 'invalid_request_error', param, code });
}

/** `messages[0].content` for `['messages', 0, 'content']` (OpenAI names nested fields this way). */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text ? '.' : ''}${String(key)}`;
  return text || '(body)';
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value: unknown = body;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
