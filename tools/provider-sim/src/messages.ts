import { isRecord } from './http-io.js';

/** A chat message as received (untrusted: every field may be missing or of the wrong type). */
export type WireMessage = Record<string, unknown>;

/** Characters an image part weighs in the token count (256 tokens at 4 characters a token). */
export const imageChars = 1024;

/** The request's `messages` when it is an array of objects, else undefined. */
export function messagesOf(body: unknown): WireMessage[] | undefined {
  if (!isRecord(body) || !Array.isArray(body.messages)) return undefined;
  return body.messages.every(isRecord) ? (body.messages as WireMessage[]) : undefined;
}

/** The text of a message content: the string itself, or the `text` parts joined by newlines. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content) {
    if (isRecord(part) && part.type === 'text' && typeof part.text === 'string') text = text ? `${text}\n${part.text}` : part.text;
  }
  return text;
}

/** Number of `image_url` parts in a content. */
export function imageCount(content: unknown): number {
  if (!Array.isArray(content)) return 0;
  let count = 0;
  for (const part of content) if (isRecord(part) && part.type === 'image_url') count++;
  return count;
}

/** Text of the last message with role `user` (empty when none). */
export function lastUserText(messages: readonly WireMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as WireMessage;
    if (message.role === 'user') return contentText(message.content);
  }
  return '';
}

/** The tool calls of an assistant message (only well-formed objects). */
export function toolCallsOf(message: WireMessage): Record<string, unknown>[] {
  return Array.isArray(message.tool_calls) ? message.tool_calls.filter(isRecord) : [];
}

/** Weight of one message in characters: its text, reasoning, tool calls and images. */
export function messageChars(message: WireMessage): number {
  let chars = contentText(message.content).length + imageCount(message.content) * imageChars;
  if (typeof message.reasoning_content === 'string') chars += message.reasoning_content.length;
  for (const call of toolCallsOf(message)) {
    const fn = call.function;
    if (isRecord(fn)) chars += String(fn.name ?? '').length + String(fn.arguments ?? '').length;
  }
  return chars;
}

/** Tokens for a number of characters: `ceil(chars / 4)` (the simulator's whole tokenizer). */
export function tokensOf(chars: number): number {
  return Math.ceil(chars / 4);
}

/** Characters the `tools` array adds to a prompt (its JSON). */
export function toolsChars(tools: unknown): number {
  return Array.isArray(tools) && tools.length > 0 ? JSON.stringify(tools).length : 0;
}
