import type { RoutedCall } from '@exai/router';
import type { ChatMessage, ChatRequest } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { runModelCall } from '../model-call.js';
import { resultMetadata, type ResultMetadata } from '../result-metadata.js';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';
import { checkPromptLength } from './ask-with-files.js';
import { DEFAULT_KIMI_CHAT_MODELS } from './kimi-chat-with-files-tool.js';
import { metadataFooter, metadataOutputSchema, providerModel } from './vendor-models.js';

const TOOL = 'kimi_chat_with_tools';

const toolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string(), type: z.enum(['function', 'builtin_function']).optional() });

const messageSchema = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.string().optional(),
  tool_call_id: z.string().optional(),
  tool_calls: z.array(toolCallSchema).optional(),
  reasoning: z.string().optional(),
});

export const kimiChatWithToolsInputShape = {
  messages: z.union([z.string().min(1), z.array(messageSchema).min(1).max(200)]).describe('A prompt, or the conversation with tool results.'),
  tools: z
    .array(z.object({ name: z.string(), description: z.string().optional(), parameters: z.looseObject({}) }))
    .max(128)
    .optional()
    .describe('Functions you run.'),
  tool_choice: z.enum(['auto', 'none']).optional(),
  use_websearch: z.boolean().optional().describe("Kimi's $web_search."),
  model: z.string().optional().describe('Default kimi-k2-0905-preview.'),
  temperature: z.number().min(0).max(1).optional(),
  max_tokens: z.number().int().min(1).max(262_144).optional(),
};

export const kimiChatWithToolsOutputShape = {
  content: z.string(),
  reasoning: z.string().optional(),
  tool_calls: z.array(toolCallSchema).describe('Run each; reply with tool messages.'),
  finish_reason: z.string(),
  metadata: metadataOutputSchema,
};

type Input = z.infer<z.ZodObject<typeof kimiChatWithToolsInputShape>>;
export type KimiChatWithToolsOutput = Omit<z.infer<z.ZodObject<typeof kimiChatWithToolsOutputShape>>, 'metadata'> & { metadata: ResultMetadata };

/** `kimi_chat_with_tools`: a raw Kimi chat with function tools and Kimi's `$web_search`. */
export const kimiChatWithToolsTool = defineTool({
  name: TOOL,
  title: 'Kimi chat with tools',
  description: "Raw Kimi chat: your messages and function tools, optionally Kimi's built-in web search; returns the answer or the calls to run.",
  inputShape: kimiChatWithToolsInputShape,
  outputShape: kimiChatWithToolsOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  profile: 'full',
  run: (input, context) => chat(input, context),
});

async function chat(input: Input, context: ToolContext): Promise<CallToolResult> {
  const started = Date.now();
  const { deps } = context;
  const model = providerModel(deps.router, { provider: 'kimi', requested: input.model, tool: TOOL, preferred: DEFAULT_KIMI_CHAT_MODELS, tier: 'balanced' });
  const messages = toMessages(input.messages);
  checkPromptLength(messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join(''), context, 'messages');
  const request: ChatRequest = { messages };
  if (input.tools?.length) request.tools = input.tools.map((tool) => ({ type: 'function', name: tool.name, parameters: tool.parameters, ...(tool.description ? { description: tool.description } : {}) }));
  if (input.tool_choice) request.toolChoice = input.tool_choice;
  // Kimi runs `$web_search` itself; the provider echoes each search back (provider-wire.md §2.5).
  if (input.use_websearch) request.webSearch = { enabled: true };
  if (input.temperature !== undefined) request.temperature = input.temperature;
  if (input.max_tokens !== undefined) request.maxTokens = input.max_tokens;
  const call: RoutedCall = { model: model.id, request, task: { tool: TOOL } };
  if (deps.session !== undefined) call.session = deps.session;
  const result = await runModelCall(deps.router, call, context);

  const output: KimiChatWithToolsOutput = {
    content: result.text,
    // Searches still pending after the round limit are Kimi's to run, not the caller's.
    tool_calls: result.toolCalls.filter((toolCall) => toolCall.type === 'function').map((toolCall) => ({ id: toolCall.id, name: toolCall.name, arguments: toolCall.arguments, type: toolCall.type })),
    finish_reason: result.finishReason.raw ?? result.finishReason.unified,
    metadata: resultMetadata(result, { durationMs: Date.now() - started, streamed: context.progress !== undefined }),
  };
  if (result.reasoning) output.reasoning = result.reasoning;
  const calls = output.tool_calls.map((toolCall) => `→ ${toolCall.name}(${toolCall.arguments}) [id ${toolCall.id}]`);
  const searches = output.metadata.web_search_calls ? [`(${output.metadata.web_search_calls} web search${output.metadata.web_search_calls > 1 ? 'es' : ''})`] : [];
  const text = [output.content, ...(calls.length ? ['', 'Tool calls to run, then answer each with a tool message:', ...calls] : []), ...searches, '', metadataFooter(output.metadata)].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: output };
}

/** The conversation in the contract's shape; a tool message must name the call it answers. */
function toMessages(messages: Input['messages']): ChatMessage[] {
  if (typeof messages === 'string') return [{ role: 'user', content: messages }];
  return messages.map((message, index): ChatMessage => {
    const content = message.content ?? '';
    switch (message.role) {
      case 'system':
        return { role: 'system', content };
      case 'user':
        return { role: 'user', content };
      case 'assistant':
        return {
          role: 'assistant',
          content,
          ...(message.reasoning ? { reasoning: message.reasoning } : {}),
          ...(message.tool_calls?.length
            ? { toolCalls: message.tool_calls.map((toolCall) => ({ id: toolCall.id, name: toolCall.name, arguments: toolCall.arguments, type: toolCall.type ?? (toolCall.name === '$web_search' ? 'builtin_function' : 'function') })) }
            : {}),
        };
      case 'tool':
        if (!message.tool_call_id) throw new ToolInputError('messages', `messages[${index}] is a tool message without tool_call_id: name the call it answers`);
        return { role: 'tool', toolCallId: message.tool_call_id, content };
    }
  });
}
