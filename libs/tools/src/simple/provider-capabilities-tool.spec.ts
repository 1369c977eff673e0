import { describe, expect, it } from '@jest/globals';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { ProviderCapabilitiesOutput } from './provider-capabilities-tool.js';
import { glmAndKimi, SECRET_KEY, TroubledRouter } from './test-support/troubled-router.js';

describe('provider_capabilities', () => {
  it('reports providers, base URLs, key counts, features, usable models and active tools', async () => {
    const options = fakeServerOptions({ router: new TroubledRouter(), providers: glmAndKimi, vendors: { glm: [{ apiKey: SECRET_KEY }] } });
    const { call, client, close } = await connectClient(options);
    const result = await call('provider_capabilities');
    expect(result.isError).toBeFalsy();
    const output = result.structuredContent as ProviderCapabilitiesOutput;
    const [glm, kimi] = output.providers;
    expect(glm).toMatchObject({ provider: 'glm', configured: true, base_url: 'https://api.z.ai/api/paas/v4', keys: 2, available_models: ['glm-4.6', 'glm-4.5-air'], unavailable: [] });
    expect(glm?.features.map((feature) => feature.split(':')[0])).toEqual(['chat', 'thinking', 'vision', 'web search in chat', 'web search standalone', 'files']);
    expect(kimi).toMatchObject({ provider: 'kimi', keys: 1, available_models: ['kimi-k2'], unavailable: ['kimi-latest: not in KIMI_ALLOWED_MODELS'] });
    expect(kimi?.features).toContain('file extraction: /files, /files/{id}/content');
    expect(kimi?.features.map((feature) => feature.split(':')[0])).toEqual(['chat', 'thinking', '$web_search', 'file extraction', 'context caching', 'partial mode']);
    expect(output.tools).toEqual((await client.listTools()).tools.map((tool) => tool.name));
    const text = textOf(result);
    expect(text).toContain('GLM: configured (2 keys) — https://api.z.ai/api/paas/v4');
    expect(text).toContain('- context caching: /caching');
    expect(text).toContain('Unavailable: kimi-latest: not in KIMI_ALLOWED_MODELS');
    expect(JSON.stringify(result)).not.toContain(SECRET_KEY);
    await close();
  });

  it('derives the features of a provider it has no table for from its models', async () => {
    const { call, close } = await connectClient(fakeServerOptions());
    const output = (await call('provider_capabilities')).structuredContent as ProviderCapabilitiesOutput;
    expect(output.providers).toEqual([
      {
        provider: 'fake',
        configured: true,
        base_url: 'http://fake',
        keys: 0,
        features: ['chat: /chat/completions', 'thinking: /chat/completions', 'vision: /chat/completions', 'web search in chat: /chat/completions'],
        available_models: ['fake-model', 'fake-vision'],
        unavailable: [],
      },
    ]);
    await close();
  });

  it('says an unconfigured provider is not configured', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ router: new TroubledRouter(), providers: [{ provider: 'glm', configured: false, baseUrl: 'https://api.z.ai/api/paas/v4' }] }));
    const output = (await call('provider_capabilities')).structuredContent as ProviderCapabilitiesOutput;
    expect(output.providers.map((provider) => [provider.provider, provider.configured])).toEqual([
      ['glm', false],
      ['kimi', true],
    ]);
    await close();
  });
});
