import type { AssistantMessage, ChatMessage, ImagePart, UserContentPart } from '@exai/router/spec';
import { invalidRequest } from './invalid-request.js';
import type { KimiModelTraits } from './kimi-model-traits.js';
import type { KimiWireContentPart, KimiWireMessage, KimiWireToolCall } from './kimi-wire.js';

/** Inputs of `convertMessages`. */
export interface ConvertMessagesOptions {
  modelId: string;
  traits: KimiModelTraits;
  /** Receives a note for every change made to satisfy the vendor. */
  warnings: string[];
}

/**
 * Converts exai chat messages to Kimi's wire messages (provider-wire.md §2.2, §2.4), refusing
 * what Kimi would reject with a clear `InvalidRequestError` before anything is sent: empty
 * content, http(s) image URLs, `partial` anywhere but on the last message.
 */
export function convertMessages(messages: readonly ChatMessage[], options: ConvertMessagesOptions): KimiWireMessage[] {
  if (messages.length === 0) throw invalidRequest('The request has no messages; Kimi needs at least one.');
  // `$web_search` echoes need `name` (§2.5); callers who echo builtin calls themselves may omit it.
  const toolNames = new Map<string, string>();
  const result: KimiWireMessage[] = [];
  messages.forEach((message, index) => {
    const where = `messages[${index}] (${message.role})`;
    switch (message.role) {
      case 'system':
        result.push({ role: 'system', content: nonEmpty(message.content, where) });
        break;
      case 'user':
        result.push({
          role: 'user',
          content: typeof message.content === 'string' ? nonEmpty(message.content, where) : convertParts(message.content, where),
          ...(message.name ? { name: message.name } : {}),
        });
        break;
      case 'assistant':
        if (message.partial && index !== messages.length - 1) {
          throw invalidRequest(`${where} has partial: true but is not the last message; Kimi partial mode continues only the last message.`);
        }
        for (const call of message.toolCalls ?? []) toolNames.set(call.id, call.name);
        result.push(convertAssistant(message, where, options));
        break;
      case 'tool': {
        const name = message.name ?? toolNames.get(message.toolCallId);
        result.push({
          role: 'tool',
          tool_call_id: message.toolCallId,
          ...(name ? { name } : {}),
          content: nonEmpty(message.content, where),
        });
        break;
      }
    }
  });
  return result;
}

function convertAssistant(message: AssistantMessage, where: string, options: ConvertMessagesOptions): KimiWireMessage {
  const toolCalls = message.toolCalls ?? [];
  if (toolCalls.length === 0) nonEmpty(message.content, where);
  const wire: Extract<KimiWireMessage, { role: 'assistant' }> = { role: 'assistant', content: message.content };
  if (message.name) wire.name = message.name;
  if (message.partial) wire.partial = true;
  if (toolCalls.length > 0) {
    wire.tool_calls = toolCalls.map(
      (call): KimiWireToolCall => ({ id: call.id, type: call.type, function: { name: call.name, arguments: call.arguments } }),
    );
    const thinks = options.traits.alwaysThinks || options.traits.acceptsThinkingSwitch;
    if (thinks && message.reasoning) {
      wire.reasoning_content = message.reasoning;
    } else if (options.traits.requiresReasoningOnToolTurns) {
      // Without it Kimi answers 400 "thinking is enabled but reasoning_content is missing" (§2.4);
      // LiteLLM sends a single space, and so do we.
      wire.reasoning_content = ' ';
      const warning = `${options.modelId} needs reasoning_content on assistant tool-call turns; a placeholder was sent where AssistantMessage.reasoning was missing. Keep the reasoning from the result for better answers.`;
      if (!options.warnings.includes(warning)) options.warnings.push(warning);
    }
  }
  return wire;
}

function convertParts(parts: readonly UserContentPart[], where: string): KimiWireContentPart[] {
  if (parts.length === 0) throw invalidRequest(`${where} has an empty content array; Kimi rejects empty content.`);
  return parts.map((part): KimiWireContentPart => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: nonEmpty(part.text, `${where} text part`) };
      case 'image':
        return { type: 'image_url', image_url: { url: imageUrl(part, where) } };
      case 'video':
        return { type: 'video_url', video_url: { url: videoUrl(part.video, where) } };
    }
  });
}

const remoteUrl = /^https?:\/\//i;

/** Kimi takes `data:` base64 or `ms://<file id>` only; http(s) URLs are unsupported (§2.2). */
function imageUrl(part: ImagePart, where: string): string {
  const image = part.image.trim();
  if (image.startsWith('data:') || image.startsWith('ms://')) return image;
  if (remoteUrl.test(image)) {
    throw invalidRequest(
      `${where}: Kimi does not accept http(s) image URLs (${image.slice(0, 80)}). Pass the image as a data: URL (base64), or upload it with files.upload({ purpose: 'image' }) and pass ms://<file id>.`,
    );
  }
  const base64 = image.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
    throw invalidRequest(`${where}: the image is neither a data: URL, an ms://<file id> nor base64.`);
  }
  const mediaType = part.mediaType ?? sniffImageType(base64);
  if (!mediaType) throw invalidRequest(`${where}: cannot tell the type of the base64 image; set mediaType (image/png, image/jpeg, …).`);
  return `data:${mediaType};base64,${base64}`;
}

function videoUrl(video: string, where: string): string {
  const url = video.trim();
  if (url.startsWith('data:') || url.startsWith('ms://')) return url;
  throw invalidRequest(
    `${where}: Kimi accepts videos only as data: URLs or ms://<file id> (${url.slice(0, 80)}). Upload it with files.upload({ purpose: 'video' }) and pass ms://<file id>.`,
  );
}

/** The base64 openings of PNG, JPEG, GIF and WebP files. */
function sniffImageType(base64: string): string | undefined {
  if (base64.startsWith('iVBORw0KGgo')) return 'image/png';
  if (base64.startsWith('/9j/')) return 'image/jpeg';
  if (base64.startsWith('R0lGOD')) return 'image/gif';
  if (base64.startsWith('UklGR')) return 'image/webp';
  return undefined;
}

/** Kimi rejects empty `content` (§2.2). */
function nonEmpty(content: string, where: string): string {
  if (content.length === 0) throw invalidRequest(`${where} has empty content; Kimi rejects empty messages.`);
  return content;
}
