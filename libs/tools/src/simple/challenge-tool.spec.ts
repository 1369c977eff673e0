import { describe, expect, it } from '@jest/globals';
import { FakeRouter } from '../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';

describe('challenge', () => {
  it('wraps the statement in a critical reassessment without calling a model', async () => {
    const router = new FakeRouter();
    const { call, close } = await connectClient(fakeServerOptions({ router }));
    const result = await call('challenge', { prompt: '  You are wrong, the cache is never invalidated.  ' });
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as Record<string, string>;
    expect(output.status).toBe('challenge_accepted');
    expect(output.original_statement).toBe('You are wrong, the cache is never invalidated.');
    expect(output.challenge_prompt).toMatch(/^CRITICAL REASSESSMENT – Do not automatically agree:\n\n"You are wrong, the cache is never invalidated\."\n\n/);
    expect(output.challenge_prompt).toContain('avoid reflexive agreement');
    expect(output.instructions).toContain('Reassess the statement carefully');
    expect(textOf(result)).toContain(output.challenge_prompt);
    expect(router.calls).toHaveLength(0);
    await close();
  });

  it('refuses an empty, missing or oversized prompt with a clear error', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ limits: { promptMaxChars: 50 } }));
    const empty = await call('challenge', { prompt: '   ' });
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toBe('prompt is empty: pass the statement to reassess [invalid_argument]');
    const long = await call('challenge', { prompt: 'x'.repeat(51) });
    expect(long.isError).toBe(true);
    expect(textOf(long)).toContain('prompt has 51 characters; the limit is 50 (EXAI_PROMPT_MAX_CHARS)');
    const missing = await call('challenge', {});
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/prompt/);
    await close();
  });

  it('is served from the standard profile on, read-only', async () => {
    const lean = await connectClient(fakeServerOptions({ tools: { profile: 'lean' } }));
    expect((await lean.client.listTools()).tools.map((tool) => tool.name)).not.toContain('challenge');
    await lean.close();
    const standard = await connectClient(fakeServerOptions());
    const tool = (await standard.client.listTools()).tools.find((candidate) => candidate.name === 'challenge');
    expect(tool?.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false, openWorldHint: false });
    await standard.close();
  });
});
