import type { CallOptions } from '@exai/router/spec';
import { invalidRequest } from './invalid-request.js';
import type { KimiFiles } from './kimi-files.js';
import type { KimiWireMessage } from './kimi-wire.js';

/** Default bound of extracted file text put into one conversation (characters, all files together). */
export const defaultFileContentMaxChars = 400_000;

/** Inputs of `insertFileMessages`. */
export interface InsertFileMessagesOptions {
  files: KimiFiles;
  fileIds: readonly string[];
  maxChars: number;
  callOptions?: CallOptions | undefined;
}

/**
 * Chat with files: fetches each file's extracted text and inserts it as system messages after the
 * caller's leading system messages, before the first other message. Each message is the
 * `/files/{id}/content` JSON document, as Moonshot's guide does (provider-wire.md §2.6), so the model
 * also sees the file name. Over the budget the call fails naming every file and its size: a file
 * is never dropped silently (the original system's bug, original-system.md §6).
 */
export async function insertFileMessages(
  messages: readonly KimiWireMessage[],
  options: InsertFileMessagesOptions,
): Promise<KimiWireMessage[]> {
  const contents = await Promise.all(options.fileIds.map((id) => options.files.content(id, options.callOptions)));
  const total = contents.reduce((sum, file) => sum + file.content.length, 0);
  if (total > options.maxChars) {
    const sizes = contents
      .map((file, index) => `${options.fileIds[index]}${file.filename ? ` (${file.filename})` : ''}: ${file.content.length.toLocaleString('en-US')} chars`)
      .join(', ');
    throw invalidRequest(
      `The files' extracted text is ${total.toLocaleString('en-US')} chars, over providerOptions.kimi.fileContentMaxChars (${options.maxChars.toLocaleString('en-US')}): ${sizes}. Pass fewer or smaller files, or raise fileContentMaxChars if the model's context allows.`,
    );
  }
  const fileMessages = contents.map(
    (file): KimiWireMessage => ({
      role: 'system',
      content: JSON.stringify({
        content: file.content,
        file_type: file.fileType ?? '',
        filename: file.filename ?? '',
        title: file.title ?? '',
        type: file.type ?? 'file',
      }),
    }),
  );
  let at = 0;
  while (at < messages.length && messages[at]?.role === 'system') at++;
  return [...messages.slice(0, at), ...fileMessages, ...messages.slice(at)];
}
