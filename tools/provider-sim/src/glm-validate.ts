import { glmError, type WireError } from './glm-errors.js';
import { glmModels, type GlmModel } from './glm-models.js';
import { isRecord } from './http-io.js';
import { messageChars, messagesOf, tokensOf, toolsChars, type WireMessage } from './messages.js';

/** GLM's in-chat web search settings (provider-wire.md §1.6). */
export interface GlmWebSearch {
  enable: boolean;
  query: string | undefined;
  count: number;
  searchResult: boolean;
}

/** A chat request that passed validation. */
export interface GlmChatRequest {
  model: string;
  spec: GlmModel;
  messages: WireMessage[];
  /** Weight of each message in characters (for prompt caching). */
  weights: number[];
  promptTokens: number;
  stream: boolean;
  thinking: boolean;
  maxTokens: number | undefined;
  tools: unknown[];
  webSearch: GlmWebSearch | undefined;
  requestId: string | undefined;
}

const invalid = (message?: string): { error: WireError } => ({ error: glmError('1210', message) });
const illegalMessages = (): { error: WireError } => ({ error: glmError('1214') });
const roles = new Set(['system', 'user', 'assistant', 'tool']);
const functionName = /^[a-zA-Z0-9_-]{1,64}$/;
const maxImageBytes = 5 * 1024 * 1024;

/** Checks an image URL: http(s), a data URL or raw base64 (the SDK strips the data prefix, §1.2). */
function validImageUrl(url: unknown): boolean {
  if (typeof url !== 'string' || url.length === 0) return false;
  if (url.startsWith('http://') || url.startsWith('https://')) return true;
  const base64 = url.startsWith('data:') ? url.slice(url.indexOf(',') + 1) : url;
  if (!url.startsWith('data:') && !/^[A-Za-z0-9+/=\s]+$/.test(url.slice(0, 256))) return false;
  return (base64.length * 3) / 4 <= maxImageBytes;
}

/** Validates the parts of one content array; returns false when it is illegal for the model. */
function validParts(content: unknown[], spec: GlmModel): boolean {
  let media = false;
  let files = false;
  for (const part of content) {
    if (!isRecord(part)) return false;
    switch (part.type) {
      case 'text':
        if (typeof part.text !== 'string') return false;
        break;
      case 'image_url':
        if (!spec.vision || !isRecord(part.image_url) || !validImageUrl(part.image_url.url)) return false;
        media = true;
        break;
      case 'video_url':
        if (!spec.vision || !isRecord(part.video_url) || typeof part.video_url.url !== 'string') return false;
        media = true;
        break;
      case 'file_url':
        if (!spec.vision || !isRecord(part.file_url) || typeof part.file_url.url !== 'string') return false;
        files = true;
        break;
      default:
        return false;
    }
  }
  // file_url parts cannot be mixed with image or video parts (§1.2).
  return !(media && files);
}

function validateTools(tools: unknown): { tools: unknown[]; webSearch: GlmWebSearch | undefined } | undefined {
  if (tools === undefined || tools === null) return { tools: [], webSearch: undefined };
  if (!Array.isArray(tools) || tools.length > 128) return undefined;
  let webSearch: GlmWebSearch | undefined;
  for (const tool of tools) {
    if (!isRecord(tool)) return undefined;
    if (tool.type === 'function') {
      if (!isRecord(tool.function) || typeof tool.function.name !== 'string' || !functionName.test(tool.function.name)) return undefined;
    } else if (tool.type === 'web_search') {
      // A bare {"type":"web_search"} without its object is rejected (§1.6).
      const options = tool.web_search;
      if (!isRecord(options)) return undefined;
      const count = typeof options.count === 'number' ? Math.trunc(options.count) : 10;
      if (count < 1 || count > 50) return undefined;
      webSearch = {
        enable: options.enable === true,
        query: typeof options.search_query === 'string' && options.search_query ? options.search_query : undefined,
        count,
        searchResult: options.search_result === true,
      };
    } else if (tool.type !== 'retrieval') {
      return undefined;
    }
  }
  return { tools, webSearch };
}

function inRange(value: unknown, min: number, max: number): boolean {
  return value === undefined || value === null || (typeof value === 'number' && value >= min && value <= max);
}

/** Validates a GLM chat body as the platform does (provider-wire.md §1.2, §1.9). */
export function validateGlmChat(body: unknown): { request: GlmChatRequest } | { error: WireError } {
  if (!isRecord(body)) return invalid();
  if (typeof body.model !== 'string' || !body.model) return { error: glmError('1213', 'The model parameter was not received properly.') };
  const spec = glmModels.get(body.model);
  if (!spec) return { error: glmError('1211') };
  const messages = messagesOf(body);
  if (!messages || messages.length === 0) return illegalMessages();
  let hasUser = false;
  for (const message of messages) {
    if (typeof message.role !== 'string' || !roles.has(message.role)) return illegalMessages();
    if (message.role === 'user') hasUser = true;
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') return illegalMessages();
    if (Array.isArray(message.content) && !validParts(message.content, spec)) return illegalMessages();
  }
  // Only system/assistant messages: 1214 (observed, opencode#2557).
  if (!hasUser) return illegalMessages();
  const checkedTools = validateTools(body.tools);
  if (!checkedTools) return invalid();
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    if (checkedTools.tools.length === 0) return invalid();
    if (body.tool_choice !== 'auto') return invalid('Tool choice must be auto');
  }
  if (Array.isArray(body.stop) ? body.stop.length > 1 : body.stop !== undefined && body.stop !== null && typeof body.stop !== 'string') return invalid();
  // With do_sample false the platform ignores temperature and top_p (§1.2).
  if (body.do_sample !== false && (!inRange(body.temperature, 0, 1) || !inRange(body.top_p, 0.01, 1))) return invalid();
  const maxTokens = body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null && (!Number.isInteger(maxTokens) || (maxTokens as number) < 1 || (maxTokens as number) > spec.maxOutput)) {
    return invalid();
  }
  const weights = messages.map(messageChars);
  const promptTokens = tokensOf(weights.reduce((sum, weight) => sum + weight, 0) + toolsChars(checkedTools.tools));
  if (promptTokens > spec.context) return { error: glmError('1261') };
  const thinking = !(isRecord(body.thinking) && body.thinking.type === 'disabled');
  return {
    request: {
      model: body.model,
      spec,
      messages,
      weights,
      promptTokens,
      stream: body.stream === true,
      thinking,
      maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
      tools: checkedTools.tools,
      webSearch: checkedTools.webSearch,
      requestId: typeof body.request_id === 'string' && body.request_id ? body.request_id : undefined,
    },
  };
}
