import { isRecord } from './http-io.js';
import { contentText, imageCount, lastUserText, type WireMessage } from './messages.js';

/** What the deterministic answer is built from. */
export interface AnswerInput {
  model: string;
  /** The conversation as the model sees it (Kimi: without a trailing partial message). */
  messages: readonly WireMessage[];
  /** Number of entries in `tools`. */
  toolCount: number;
  /** `[[sim:long:n]]`: pad the answer to about `n` tokens. */
  long?: number;
  /** Names the stored file whose extracted text equals a system message, if any (Kimi files). */
  fileNameFor?: (text: string) => string | undefined;
}

/** Describes a system message that carries extracted file content, or undefined. */
function fileLine(text: string, fileNameFor: AnswerInput['fileNameFor']): string | undefined {
  // Kimi's guide puts the whole `/files/{id}/content` JSON body in a system message (provider-wire.md §2.6).
  if (text.startsWith('{') && text.includes('"type"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (isRecord(parsed) && parsed.type === 'file' && typeof parsed.content === 'string') {
        return `Read file ${String(parsed.filename ?? '')} (${parsed.content.length} chars).`;
      }
    } catch {
      // Not JSON after all: an ordinary system prompt.
    }
  }
  const name = fileNameFor?.(text);
  return name === undefined ? undefined : `Read file ${name} (${text.length} chars).`;
}

/** Deterministic filler of about `tokens` tokens: numbered words, so a continuation can be checked. */
export function filler(tokens: number, alreadyChars: number): string {
  const target = tokens * 4;
  let out = '';
  for (let word = 1; alreadyChars + out.length < target; word++) out += ` w${word}`;
  return out;
}

/**
 * The answer text: `[<model>] You said: "<last user text>" (messages: N, system: N, images: N, tools: N)`,
 * then a line per system message holding extracted file content, then `Tool result: …` when the
 * last message is a tool result (README "Deterministic answers").
 */
export function buildAnswer(input: AnswerInput): string {
  const { messages } = input;
  let system = 0;
  let images = 0;
  const lines: string[] = [];
  for (const message of messages) {
    images += imageCount(message.content);
    if (message.role !== 'system') continue;
    system++;
    const line = fileLine(contentText(message.content), input.fileNameFor);
    if (line) lines.push(line);
  }
  const said = lastUserText(messages).slice(0, 200);
  let answer = `[${input.model}] You said: "${said}" (messages: ${messages.length}, system: ${system}, images: ${images}, tools: ${input.toolCount})`;
  for (const line of lines) answer += `\n${line}`;
  const last = messages[messages.length - 1];
  if (last?.role === 'tool') answer += `\nTool result: ${contentText(last.content)}`;
  if (input.long) answer += filler(input.long, answer.length);
  return answer;
}

/** The reasoning text: `Thinking about: <last user text, first 80 chars>`. */
export function buildReasoning(messages: readonly WireMessage[]): string {
  return `Thinking about: ${lastUserText(messages).slice(0, 80)}`;
}

/** Sample arguments for a JSON schema: strings "sample" (or the first enum value), numbers 1, booleans true, arrays []. */
export function sampleArguments(schema: unknown): unknown {
  if (!isRecord(schema)) return {};
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return 'sample';
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'null':
      return null;
    default: {
      const out: Record<string, unknown> = {};
      if (isRecord(schema.properties)) {
        for (const [key, property] of Object.entries(schema.properties)) out[key] = sampleArguments(property);
      }
      return out;
    }
  }
}

/** The first `{type:"function"}` tool: its name and sample arguments (JSON text). */
export function firstFunctionCall(tools: unknown): { name: string; arguments: string } | undefined {
  if (!Array.isArray(tools)) return undefined;
  for (const tool of tools) {
    if (isRecord(tool) && tool.type === 'function' && isRecord(tool.function) && typeof tool.function.name === 'string') {
      return { name: tool.function.name, arguments: JSON.stringify(sampleArguments(tool.function.parameters)) };
    }
  }
  return undefined;
}

/** Reasoning and content cut to a `max_tokens` budget (reasoning is generated first, so it is spent first). */
export function limitOutput(
  reasoning: string,
  content: string,
  maxTokens: number | undefined,
): { reasoning: string; content: string; truncated: boolean } {
  if (maxTokens === undefined) return { reasoning, content, truncated: false };
  const budget = maxTokens * 4;
  if (reasoning.length + content.length <= budget) return { reasoning, content, truncated: false };
  const keptReasoning = reasoning.slice(0, budget);
  return { reasoning: keptReasoning, content: content.slice(0, budget - keptReasoning.length), truncated: true };
}

/** Splits text into stream pieces of about `size` characters, never inside a surrogate pair. */
export function pieces(text: string, size = 24): string[] {
  if (text.length <= size) return text ? [text] : [];
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + size, text.length);
    const code = text.charCodeAt(end - 1);
    if (end < text.length && code >= 0xd800 && code <= 0xdbff) end++;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}
