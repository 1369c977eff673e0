import { InvalidRequestError, type ChatMessage, type UserContentPart } from '@exai/router/spec';
import { GLM_PROVIDER_ID } from './glm-client.js';
import type { GlmContentPart, GlmMessage } from './glm-wire.js';

/**
 * Converts exai messages to GLM's (provider-wire.md §1.2, §4.7):
 * - at least one user message is required (GLM answers 1214 otherwise), checked before sending;
 * - assistant and tool content is always a string (GLM silently drops list content there);
 * - prior `reasoning` goes back as `reasoning_content` (interleaved thinking, §1.5);
 * - `name` is not sent (GLM rejects or ignores it, §1.2);
 * - images and videos become `image_url` / `video_url` parts, with a `data:…;base64,` prefix
 *   stripped as the official SDK does; text-only part lists are joined into one string.
 */
export function convertToGlmMessages(messages: readonly ChatMessage[]): GlmMessage[] {
  if (!messages.some((message) => message.role === 'user')) {
    throw invalid('GLM needs at least one user message in the conversation (it answers 1214 otherwise): add the question as a user message');
  }
  return messages.map((message, index): GlmMessage => {
    switch (message.role) {
      case 'system':
        return { role: 'system', content: message.content };
      case 'user':
        return { role: 'user', content: convertUserContent(message.content, index) };
      case 'assistant': {
        if (message.partial) {
          throw invalid(`messages[${index}] asks for partial mode, which only Kimi supports: remove "partial" or use a Kimi model`);
        }
        const converted: Extract<GlmMessage, { role: 'assistant' }> = { role: 'assistant', content: message.content ?? '' };
        if (message.reasoning) converted.reasoning_content = message.reasoning;
        if (message.toolCalls?.length) {
          converted.tool_calls = message.toolCalls.map((call) => ({
            id: call.id,
            // GLM has no builtin functions; a foreign `builtin_function` call is echoed as a function call.
            type: 'function' as const,
            function: { name: call.name, arguments: call.arguments },
          }));
        }
        return converted;
      }
      case 'tool':
        return { role: 'tool', tool_call_id: message.toolCallId, content: message.content ?? '' };
    }
  });
}

function convertUserContent(content: string | UserContentPart[], index: number): string | GlmContentPart[] {
  if (typeof content === 'string') return content;
  if (content.length === 0) throw invalid(`messages[${index}] has no content: send text, an image or a video`);
  if (content.every((part) => part.type === 'text')) return content.map((part) => (part as { text: string }).text).join('\n');
  return content.map((part): GlmContentPart => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image':
        return { type: 'image_url', image_url: { url: toGlmMediaUrl(part.image, `messages[${index}] image`) } };
      case 'video':
        return { type: 'video_url', video_url: { url: toGlmMediaUrl(part.video, `messages[${index}] video`) } };
    }
  });
}

const base64DataUrlPrefix = /^data:[^,]*;base64,/i;

/**
 * GLM takes an http(s) URL or bare base64 (§1.2): `data:` URLs lose their prefix, as the official
 * SDK's `drop_prefix_image_data` does; raw base64 and URLs pass unchanged.
 */
export function toGlmMediaUrl(value: string, what: string): string {
  const prefix = base64DataUrlPrefix.exec(value);
  if (prefix) return value.slice(prefix[0].length);
  if (/^data:/i.test(value)) throw invalid(`${what} is a data URL without base64 encoding: send it base64-encoded (data:<type>;base64,…)`);
  if (/^ms:\/\//i.test(value)) throw invalid(`${what} is a Kimi file reference (ms://…), which GLM cannot read: send a URL or base64 data`);
  if (value.trim() === '') throw invalid(`${what} is empty: send a URL or base64 data`);
  return value;
}

function invalid(message: string): InvalidRequestError {
  return new InvalidRequestError({ provider: GLM_PROVIDER_ID, message });
}
