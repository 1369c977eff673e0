import type { LoadThreadOptions, Message } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';

/** `loadThread`'s default message budget. */
export const DEFAULT_THREAD_MESSAGES = 50;

/**
 * The newest messages of `messages` (oldest first) that fit the budget, oldest first: at most
 * `maxMessages` (default 50) and `maxChars` characters of content, the newest message always
 * included. `truncated` is true when older messages were left out.
 */
export function selectThreadWindow(messages: readonly Message[], options: LoadThreadOptions = {}): { messages: Message[]; truncated: boolean } {
  const maxMessages = options.maxMessages ?? DEFAULT_THREAD_MESSAGES;
  if (!Number.isInteger(maxMessages) || maxMessages < 1) {
    throw new InvalidStorageInputError({ field: 'maxMessages', message: `must be a positive integer, got ${maxMessages}.` });
  }
  const maxChars = options.maxChars ?? Number.POSITIVE_INFINITY;
  const picked: Message[] = [];
  let chars = 0;
  for (let index = messages.length - 1; index >= 0 && picked.length < maxMessages; index--) {
    const message = messages[index] as Message;
    if (picked.length > 0 && chars + message.content.length > maxChars) break;
    chars += message.content.length;
    picked.push(message);
  }
  return { messages: picked.reverse(), truncated: picked.length < messages.length };
}
