import type { ChatMessage, ChatRequest, ImagePart, ModelInfo } from '@exai/router/spec';
import type { EmbeddedFile } from '../files/embed-files.js';
import type { ChatInput } from './chat-schema.js';

/** The system prompt of the chat tool: the caller is another AI assistant asking for a second opinion. */
export function chatSystemPrompt(now: Date): string {
  return [
    'You are a senior engineer giving a second opinion to an AI coding assistant that consults you.',
    'Answer precisely and concretely; say when you are unsure; cite file paths and line numbers when files are given.',
    `Current date: ${now.toISOString().slice(0, 10)}.`,
  ].join('\n');
}

/** The text of the user turn: the prompt followed by the embedded files (blocks, or the text `embedFilesWithinBudget` made). */
export function userTurnText(prompt: string, files: readonly EmbeddedFile[] | string): string {
  const text = typeof files === 'string' ? files : files.map((file) => file.block).join('\n\n');
  return text ? `${prompt}\n\nFiles:\n\n${text}` : prompt;
}

/** Builds the chat request: system prompt, replayed history, then the new user turn. */
export function buildChatRequest(options: {
  input: ChatInput;
  model: ModelInfo;
  history: ChatMessage[];
  userText: string;
  images: ImagePart[];
  now: Date;
}): ChatRequest {
  const { input, history, userText, images } = options;
  const user: ChatMessage =
    images.length > 0
      ? { role: 'user', content: [{ type: 'text', text: userText }, ...images] }
      : { role: 'user', content: userText };
  const request: ChatRequest = {
    messages: [{ role: 'system', content: chatSystemPrompt(options.now) }, ...history, user],
  };
  if (input.temperature !== undefined) request.temperature = input.temperature;
  if (input.thinking_mode === 'off') request.thinking = { enabled: false };
  else if (input.thinking_mode !== undefined) request.thinking = { enabled: true, level: input.thinking_mode };
  if (input.use_websearch) request.webSearch = { enabled: true };
  return request;
}
