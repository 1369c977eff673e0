import type { ChatMessage, ChatRequest } from '@exai/router/spec';

/** Rough token cost of an image or video part [unverified: vendors bill by resolution]. */
const MEDIA_TOKENS = 1_000;
/** Role markers and separators per message. */
const MESSAGE_OVERHEAD_TOKENS = 4;

/**
 * A deliberately rough, allocation-free token estimate: CJK characters count one token each (GLM and
 * Kimi tokenise Chinese at about one token per character), other text one token per 4 characters.
 * Used only to keep a defaulted `maxTokens` inside the context window; the vendor has the final word.
 */
export function estimateTextTokens(text: string): number {
  let cjk = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if ((code >= 0x2e80 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff) || (code >= 0xff00 && code <= 0xffef)) cjk++;
  }
  return cjk + Math.ceil((text.length - cjk) / 4);
}

/** Estimated tokens of one message: content, media parts, and an assistant's reasoning and tool calls. */
export function estimateMessageTokens(message: ChatMessage): number {
  let tokens = MESSAGE_OVERHEAD_TOKENS;
  if (typeof message.content === 'string') tokens += estimateTextTokens(message.content);
  else for (const part of message.content) tokens += part.type === 'text' ? estimateTextTokens(part.text) : MEDIA_TOKENS;
  if (message.role === 'assistant') {
    if (message.reasoning) tokens += estimateTextTokens(message.reasoning);
    if (message.toolCalls) for (const call of message.toolCalls) tokens += estimateTextTokens(call.name) + estimateTextTokens(call.arguments);
  }
  return tokens;
}

/** Estimated tokens of a request's function tool definitions. */
export function estimateToolTokens(request: ChatRequest): number {
  let tokens = 0;
  if (request.tools) {
    for (const tool of request.tools) {
      tokens += estimateTextTokens(tool.name) + estimateTextTokens(tool.description ?? '') + estimateTextTokens(JSON.stringify(tool.parameters));
    }
  }
  return tokens;
}

/** Estimated prompt tokens of a request: messages, tool definitions and media parts. */
export function estimatePromptTokens(request: ChatRequest): number {
  let tokens = 0;
  for (const message of request.messages) tokens += estimateMessageTokens(message);
  return tokens + estimateToolTokens(request);
}
