import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ProviderError } from '@exai/router/spec';
import { kimiModels, startSimulator, type Simulator } from '@exai/provider-sim';
import { createKimi, type KimiProvider } from './kimi-provider.js';

let sim: Simulator;
let kimi: KimiProvider;

beforeAll(async () => {
  sim = await startSimulator({ kimiBalance: 42.5 });
  kimi = createKimi({ apiKey: 'sk-sim', baseURL: sim.kimiBaseURL });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const longDocument = 'Chapter one. The quick brown fox jumps over the lazy dog. '.repeat(30);

describe('Kimi account and context cache against the simulator', () => {
  it('estimates prompt tokens exactly as the chat call then counts them', async () => {
    const messages = [
      { role: 'system' as const, content: 'Be brief.' },
      { role: 'user' as const, content: 'How many tokens is this?' },
    ];
    const estimate = await kimi.estimateTokens({ modelId: 'kimi-k2-0905-preview', messages });
    expect(sim.requests[0]).toMatchObject({ method: 'POST', path: '/v1/tokenizers/estimate-token-count' });
    expect(sim.requests[0]?.body).toEqual({ model: 'kimi-k2-0905-preview', messages });
    const result = await kimi.chatModel('kimi-k2-0905-preview').generate({ messages });
    expect(estimate).toBe(result.usage.inputTokens);
  });

  it('reads the balance, and an empty balance fails chat with QuotaExhaustedError', async () => {
    expect(await kimi.balance()).toEqual({ available: 42.5, voucher: 0, cash: 42.5 });
    sim.setKimiBalance(0);
    expect((await kimi.balance()).available).toBe(0);
    let caught: unknown;
    try {
      await kimi.chatModel('kimi-k2-0905-preview').generate({ messages: [{ role: 'user', content: 'hi' }] });
    } catch (error) {
      caught = error;
    }
    expect(ProviderError.isInstance(caught) && caught).toMatchObject({
      code: 'quota_exhausted',
      status: 429,
      vendorCode: 'exceeded_current_quota_error',
      retryable: false,
    });
  });

  it('lists the models', async () => {
    const models = await kimi.listModels();
    expect(models.map((model) => model.id)).toEqual([...kimiModels.keys()]);
    expect(models[0]).toMatchObject({ ownedBy: 'moonshot', created: expect.any(Number) });
  });

  it('creates a cache, uses it on moonshot-v1 (cached tokens reported), and deletes it', async () => {
    const cache = await kimi.createCache({
      modelId: 'moonshot-v1-32k',
      messages: [{ role: 'system', content: longDocument }],
      name: 'book',
      ttlSeconds: 600,
    });
    expect(cache.id).toMatch(/^cache-/);
    expect(cache.tokens).toBeGreaterThan(0);
    expect(sim.requests[0]?.body).toEqual({ model: 'moonshot-v1-32k', messages: [{ role: 'system', content: longDocument }], name: 'book', ttl: 600 });

    const result = await kimi.chatModel('moonshot-v1-32k').generate({
      messages: [{ role: 'user', content: 'Summarise chapter one' }],
      providerOptions: { kimi: { cacheId: cache.id, cacheResetTtlSeconds: 600 } },
    });
    const chat = sim.requests[1]?.body as { messages: Array<{ role: string; content: string }> };
    expect(chat.messages[0]).toEqual({ role: 'cache', content: `cache_id=${cache.id};reset_ttl=600` });
    expect(result.usage.cachedInputTokens).toBe(cache.tokens);

    await kimi.deleteCache(cache.id);
    expect(sim.requests[2]).toMatchObject({ method: 'DELETE', path: `/v1/caching/${cache.id}` });
    await expect(kimi.deleteCache(cache.id)).rejects.toMatchObject({ code: 'invalid_request', vendorCode: 'resource_not_found_error' });
  });
});
