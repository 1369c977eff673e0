import { describe, expect, it } from '@jest/globals';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import type { ListModelsOutput } from './listmodels-tool.js';
import { breaker, glmAndKimi, TroubledRouter } from './test-support/troubled-router.js';

describe('listmodels', () => {
  it('lists models per provider with aliases, context, prices, capabilities and description', async () => {
    const { call, close } = await connectClient(fakeServerOptions({ router: new TroubledRouter(), providers: glmAndKimi, defaultModel: 'glm-4.6' }));
    const result = await call('listmodels');
    const output = result.structuredContent as ListModelsOutput;
    expect(output.default_model).toBe('glm-4.6');
    expect(output.providers.map((provider) => [provider.provider, provider.configured, provider.models.length])).toEqual([
      ['glm', true, 2],
      ['kimi', true, 2],
    ]);
    const kimi = output.providers[1]!.models;
    expect(kimi[0]).toMatchObject({
      id: 'kimi-k2',
      aliases: ['kimi'],
      available: true,
      description: 'Kimi K2',
      context_window: 262_144,
      usd_per_million: { input: 1, cached_input: 0.5, output: 2 },
      capabilities: ['thinking', 'tools', 'web-search', 'json', 'partial'],
    });
    expect(kimi[1]).toMatchObject({ id: 'kimi-latest', available: false, reason: 'not in KIMI_ALLOWED_MODELS' });
    const text = textOf(result);
    expect(text).toContain('✗ kimi-latest');
    expect(text).toContain('— not in KIMI_ALLOWED_MODELS');
    expect(text).toContain('(default: glm-4.6)');
    await close();
  });

  it('says why a usable model cannot be served right now', async () => {
    const router = new TroubledRouter();
    const { call, close } = await connectClient(fakeServerOptions({ router }));
    let glm = ((await call('listmodels')).structuredContent as ListModelsOutput).providers[0]!;
    // glm-4.6: its own breaker is open; both: every GLM key is out of rotation.
    expect(glm.models[0]!.trouble).toBe('breaker open (retry in 30 s)');
    expect(glm.models[1]!.trouble).toBe('every glm key is out of rotation (glm#1: open (retry in 12 s); glm#2: isolated, out of rotation: quota_exhausted)');
    expect(textOf(await call('listmodels'))).toContain('! glm-4.5-air');

    router.keys = router.keys.map((key) => (key.label === 'glm#1' ? { ...key, breaker: breaker('glm#1') } : key));
    glm = ((await call('listmodels')).structuredContent as ListModelsOutput).providers[0]!;
    expect(glm.models[1]!.trouble).toBeUndefined();
    expect(glm.models[1]!.available).toBe(true);
    await close();
  });

  it('counts a provider with keys as configured even when its allow-list leaves no model', async () => {
    const router = new TroubledRouter();
    router.listModels = () => router.models.map((info) => (info.provider === 'glm' ? { info, available: false, reason: 'not in GLM_ALLOWED_MODELS' } : { info, available: true }));
    const { call, close } = await connectClient(fakeServerOptions({ router }));
    const glm = ((await call('listmodels')).structuredContent as ListModelsOutput).providers[0]!;
    expect(glm).toMatchObject({ provider: 'glm', configured: true });
    expect(glm.reason).toBeUndefined();
    expect(textOf(await call('listmodels'))).toContain('✗ glm-4.6 (glm)');
    await close();
  });

  it('gives the reason a provider is not configured', async () => {
    const router = new TroubledRouter();
    router.keys = router.keys.filter((key) => key.provider !== 'glm');
    router.listModels = () => router.models.map((info) => (info.provider === 'glm' ? { info, available: false, reason: 'GLM_API_KEY is not set' } : { info, available: true }));
    const { call, close } = await connectClient(fakeServerOptions({ router }));
    const result = await call('listmodels');
    expect((result.structuredContent as ListModelsOutput).providers[0]).toMatchObject({ provider: 'glm', configured: false, reason: 'GLM_API_KEY is not set' });
    expect(textOf(result)).toContain('GLM: not configured — GLM_API_KEY is not set');
    await close();
  });
});
