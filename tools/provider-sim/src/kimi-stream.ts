import { pieces } from './answer.js';
import type { KimiCompletion } from './kimi-completion.js';

/**
 * The SSE chunks (JSON texts) of a Kimi stream (provider-wire.md §2.3): `role` only in the first
 * chunk, `finish_reason: null` until the last chunk of a choice, usage inside that last choice; with
 * `include_usage`, `usage: null` on every chunk and an extra `choices: []` chunk with the usage.
 * With `n > 1` the choices' chunks are interleaved by index.
 */
export function kimiStreamChunks(completion: KimiCompletion, includeUsage: boolean): string[] {
  const head = `{"id":"${completion.id}","object":"chat.completion.chunk","created":${completion.created},"model":${JSON.stringify(completion.model)},"choices":[`;
  const tail = includeUsage ? '],"usage":null}' : ']}';
  const steps: string[] = [JSON.stringify({ role: 'assistant', content: '' })];
  for (const piece of pieces(completion.reasoning)) steps.push(JSON.stringify({ reasoning_content: piece }));
  for (const piece of pieces(completion.content)) steps.push(JSON.stringify({ content: piece }));
  if (completion.toolCall) {
    const { id, type, name, arguments: args } = completion.toolCall;
    steps.push(JSON.stringify({ tool_calls: [{ index: 0, id, type, function: { name, arguments: '' } }] }));
    for (const piece of pieces(args)) steps.push(JSON.stringify({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  }
  const usage = JSON.stringify(completion.usage);
  const chunks: string[] = [];
  for (const delta of steps) {
    for (let index = 0; index < completion.n; index++) chunks.push(`${head}{"index":${index},"delta":${delta},"finish_reason":null}${tail}`);
  }
  for (let index = 0; index < completion.n; index++) {
    chunks.push(`${head}{"index":${index},"delta":{},"finish_reason":"${completion.finishReason}","usage":${usage}}${tail}`);
  }
  if (includeUsage) chunks.push(`${head}],"usage":${usage}}`);
  return chunks;
}
