import type { ChatMessage, ChatRequest, FunctionTool, ThinkingOptions, UserContentPart } from '@exai/router/spec';
import type { ChatCompletionRequest } from './chat-completion-schema.js';

type OpenAiMessage = ChatCompletionRequest['messages'][number];

const emptyParameters = { type: 'object', properties: {} };
const effortLevels = { minimal: 'minimal', low: 'low', medium: 'medium', high: 'high', xhigh: 'max' } as const;

/**
 * Maps a validated OpenAI chat completion request to the router's `ChatRequest`: messages (system and
 * developer as system, multi-part user content with `image_url` as image parts, assistant tool calls
 * and reasoning, tool results), sampling, output limit (`max_completion_tokens` over `max_tokens`),
 * stop sequences, function tools (a named `tool_choice` becomes that one tool, required), JSON mode,
 * thinking (`reasoning_effort` or the vendors' `thinking` switch) and the end-user id.
 */
export function toChatRequest(body: ChatCompletionRequest): ChatRequest {
  const request: ChatRequest = { messages: body.messages.map(toChatMessage) };
  if (body.temperature != null) request.temperature = body.temperature;
  if (body.top_p != null) request.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens != null) request.maxTokens = maxTokens;
  if (body.stop != null) request.stop = typeof body.stop === 'string' ? [body.stop] : body.stop;
  if (body.user != null) request.user = body.user;

  const tools: FunctionTool[] | undefined = body.tools?.map((tool) => ({
    type: 'function',
    name: tool.function.name,
    ...(tool.function.description === undefined ? {} : { description: tool.function.description }),
    parameters: tool.function.parameters ?? emptyParameters,
  }));
  const choice = body.tool_choice;
  if (tools?.length && choice !== 'none') {
    if (typeof choice === 'object' && choice !== null) {
      // exai's contract has no named choice: offering only that function and requiring a call is the same thing.
      request.tools = tools.filter((tool) => tool.name === choice.function.name);
      request.toolChoice = 'required';
    } else {
      request.tools = tools;
      if (choice) request.toolChoice = choice;
    }
  }

  if (body.response_format?.type === 'json_object') request.responseFormat = { type: 'json_object' };
  const thinking = thinkingOf(body);
  if (thinking) request.thinking = thinking;
  return request;
}

function thinkingOf(body: ChatCompletionRequest): ThinkingOptions | undefined {
  const effort = body.reasoning_effort;
  if (effort === 'none') return { enabled: false };
  if (effort != null) return { enabled: true, level: effortLevels[effort] };
  if (body.thinking) return { enabled: body.thinking.type === 'enabled' };
  return undefined;
}

function textOf(content: string | ReadonlyArray<{ type: string; text?: string; refusal?: string }> | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text ?? part.refusal ?? '').join('');
}

function toChatMessage(message: OpenAiMessage): ChatMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: textOf(message.content) };
    case 'user': {
      const content: string | UserContentPart[] =
        typeof message.content === 'string'
          ? message.content
          : message.content.map((part): UserContentPart => (part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', image: part.image_url.url }));
      return { role: 'user', content, ...(message.name ? { name: message.name } : {}) };
    }
    case 'assistant':
      return {
        role: 'assistant',
        content: textOf(message.content),
        ...(message.reasoning_content ? { reasoning: message.reasoning_content } : {}),
        ...(message.tool_calls?.length ? { toolCalls: message.tool_calls.map((call) => ({ id: call.id, type: 'function' as const, name: call.function.name, arguments: call.function.arguments })) } : {}),
        ...(message.name ? { name: message.name } : {}),
      };
    case 'tool':
      return { role: 'tool', toolCallId: message.tool_call_id, content: textOf(message.content), ...(message.name ? { name: message.name } : {}) };
  }
}
