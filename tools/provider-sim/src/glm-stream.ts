import { pieces } from './answer.js';
import type { GlmCompletion } from './glm-completion.js';

/**
 * The SSE chunks (JSON texts, without `data: ` framing) of a GLM stream, as recorded (provider-wire.md
 * §1.4): `role` on every delta, no `finish_reason: null`, reasoning first, usage (and `web_search`)
 * only on the final chunk, a tool call as one whole delta followed by a closing chunk repeating the
 * finish reason.
 */
export function glmStreamChunks(completion: GlmCompletion): string[] {
  const head = `{"id":${JSON.stringify(completion.id)},"created":${completion.created},"model":${JSON.stringify(completion.model)},"choices":[`;
  const chunks: string[] = [];
  const delta = (value: Record<string, unknown>, finish?: string): string =>
    `${head}{"index":0,${finish ? `"finish_reason":"${finish}",` : ''}"delta":${JSON.stringify(value)}}]}`;
  for (const piece of pieces(completion.reasoning)) chunks.push(delta({ role: 'assistant', reasoning_content: piece }));
  for (const piece of pieces(completion.content)) chunks.push(delta({ role: 'assistant', content: piece }));
  if (completion.toolCall) {
    const { id, name, arguments: args } = completion.toolCall;
    chunks.push(delta({ role: 'assistant', tool_calls: [{ id, index: 0, type: 'function', function: { name, arguments: args } }] }, 'tool_calls'));
  }
  const usage = {
    prompt_tokens: completion.promptTokens,
    completion_tokens: completion.completionTokens,
    total_tokens: completion.promptTokens + completion.completionTokens,
    prompt_tokens_details: { cached_tokens: completion.cachedTokens },
  };
  const final = `${head}{"index":0,"finish_reason":"${completion.finishReason}","delta":{"role":"assistant","content":""}}],"usage":${JSON.stringify(usage)}`;
  chunks.push(completion.webSearch ? `${final},"web_search":${JSON.stringify(completion.webSearch)}}` : `${final}}`);
  return chunks;
}
