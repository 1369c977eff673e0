import { describe, expect, it } from '@jest/globals';
import { connectClient, fakeServerOptions } from './test-support/tool-harness.js';
import type { ToolProfile } from './tool-definition.js';

/** Tokens as the issue counts them: characters / 4 of the whole `tools/list` answer. */
const tokensOf = (value: unknown): number => Math.ceil(JSON.stringify(value).length / 4);

describe('tools/list size', () => {
  const sizes: Partial<Record<ToolProfile, { tools: number; tokens: number }>> = {};

  it.each(['lean', 'standard', 'full'] as const)('%s profile stays small', async (profile) => {
    const { client, close } = await connectClient(fakeServerOptions({ tools: { profile } }));
    const listed = await client.listTools();
    sizes[profile] = { tools: listed.tools.length, tokens: tokensOf(listed) };
    // Zen's definitions cost 30–40k tokens; the full profile must stay under 10k.
    expect(tokensOf(listed)).toBeLessThan(10_000);
    for (const tool of listed.tools) {
      expect(tool.title).toBeTruthy();
      expect(tool.annotations).toBeDefined();
      expect(tool.description!.length).toBeLessThanOrEqual(240);
    }
    await close();
  });

  it('grows with the profile, and the full profile serves every tool', async () => {
    const { client, close } = await connectClient(fakeServerOptions({ tools: { profile: 'full' } }));
    const names = (await client.listTools()).tools.map((tool) => tool.name);
    expect(new Set(names).size).toBe(names.length);
    expect(sizes.lean!.tools).toBeLessThan(sizes.standard!.tools);
    expect(sizes.standard!.tools).toBeLessThanOrEqual(sizes.full!.tools);
    process.stderr.write(`tools/list size: ${JSON.stringify(sizes)}\n`);
    await close();
  });

  it('resolves names with the suffixes clients add', async () => {
    const { call, close } = await connectClient(fakeServerOptions());
    for (const name of ['version_EXAI-WS', 'version-exai-ws', 'VERSION', 'version_exai']) {
      const result = await call(name);
      expect(result.isError).toBeFalsy();
    }
    await close();
  });
});
