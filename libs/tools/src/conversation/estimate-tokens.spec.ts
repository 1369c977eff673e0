import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { estimatePromptTokens } from '@exai/router';
import type { ChatMessage } from '@exai/router/spec';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { CHARS_PER_TOKEN, estimateMessagesTokens, estimateTokens, MESSAGE_OVERHEAD_TOKENS, tokensToChars } from './estimate-tokens.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

/** A realistic replay: a system prompt, a code file, prose turns. */
const code = readFileSync(fileURLToPath(new URL('./build-history.ts', import.meta.url)), 'utf8');
const conversation: ChatMessage[] = [
  { role: 'system', content: 'You are a senior engineer giving a second opinion to an AI coding assistant that consults you.' },
  { role: 'user', content: `Review this module for budget mistakes.\n\nFiles:\n\n${code}` },
  { role: 'assistant', content: 'The split follows the table; the history budget is applied newest first, and files are deduplicated.' },
  { role: 'user', content: 'What happens with a 400K-token model?' },
];

async function promptTokens(url: string, key: string, model: string, messages: ChatMessage[]): Promise<number> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ model, messages }),
  });
  const body = (await response.json()) as { usage?: { prompt_tokens: number }; data?: { total_tokens: number } };
  if (!response.ok) throw new Error(`${response.status}: ${JSON.stringify(body)}`);
  return body.usage?.prompt_tokens ?? (body.data?.total_tokens as number);
}

describe('estimateTokens', () => {
  it('is the router’s estimate, so tools and router size prompts alike', () => {
    expect(estimateMessagesTokens(conversation)).toBe(estimatePromptTokens({ messages: conversation }));
    expect(estimateTokens('abcd'.repeat(100))).toBe(100);
    expect(estimateTokens('代码审查')).toBe(4);
    expect(tokensToChars(250)).toBe(250 * CHARS_PER_TOKEN);
  });

  it.each([
    ['GLM chat', 'glm', 'glm-4.6'],
    ['Kimi chat', 'kimi', 'kimi-k2-0905-preview'],
    ['Kimi tokenizer', 'kimi-tokenizer', 'kimi-k2-0905-preview'],
  ] as const)('agrees with the provider count (%s): never lower, at most the per-message overhead higher', async (_name, vendor, model) => {
    const url =
      vendor === 'glm' ? `${sim.glmBaseURL}/chat/completions` : vendor === 'kimi' ? `${sim.kimiBaseURL}/chat/completions` : `${sim.kimiBaseURL}/tokenizers/estimate-token-count`;
    const counted = await promptTokens(url, 'sim-key', model, conversation);
    const estimated = estimateMessagesTokens(conversation);
    // Each message's text is rounded up on its own (+1 at most) and carries the role overhead.
    const slack = conversation.length * (MESSAGE_OVERHEAD_TOKENS + 1);
    expect(counted).toBeGreaterThan(1000);
    expect(estimated).toBeGreaterThanOrEqual(counted);
    expect(estimated - counted).toBeLessThanOrEqual(slack);
    // The ratio the budgets rely on: characters over the provider's tokens.
    const characters = conversation.reduce((sum, message) => sum + (message.content as string).length, 0);
    expect(characters / counted).toBeCloseTo(CHARS_PER_TOKEN, 1);
  });

  it('over-counts CJK text against the simulator’s flat ratio rather than under-counting it', async () => {
    const messages: ChatMessage[] = [{ role: 'user', content: '请审查这段代码的令牌预算。'.repeat(20) }];
    const counted = await promptTokens(`${sim.glmBaseURL}/chat/completions`, 'sim-key', 'glm-4.6', messages);
    expect(estimateMessagesTokens(messages)).toBeGreaterThanOrEqual(counted);
  });
});
