import { describe, expect, it } from '@jest/globals';
import { bodyOf, fakeKimi, json, jsonFile } from './test-support/fake-fetch.js';

describe('Kimi account and cache endpoints (fixtures)', () => {
  it('estimates tokens with the chat message shape', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('token-estimate.json')]);
    const tokens = await kimi.estimateTokens({ modelId: 'kimi-k2-0905-preview', messages: [{ role: 'user', content: 'Hello' }] });
    expect(tokens).toBe(80);
    expect(new URL(calls[0]!.url).pathname).toBe('/v1/tokenizers/estimate-token-count');
    expect(calls[0]!.method).toBe('POST');
    expect(bodyOf(calls[0])).toEqual({ model: 'kimi-k2-0905-preview', messages: [{ role: 'user', content: 'Hello' }] });
  });

  it('reads the balance and the model list', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('balance.json'), jsonFile('models.json')]);
    expect(await kimi.balance()).toEqual({ available: 49.58894, voucher: 46.58893, cash: 3.00001 });
    expect(await kimi.listModels()).toEqual([
      { id: 'moonshot-v1-8k', ownedBy: 'moonshot', created: 1711000000 },
      { id: 'kimi-k2-0905-preview', ownedBy: 'moonshot', created: 1757000000 },
    ]);
    expect(calls.map((call) => new URL(call.url).pathname)).toEqual(['/v1/users/me/balance', '/v1/models']);
  });

  it('reports a balance body of the wrong shape as an unreadable response', async () => {
    const { kimi } = fakeKimi([json({ code: 0, data: { available_balance: 'lots' } })]);
    await expect(kimi.balance()).rejects.toMatchObject({ code: 'provider_unavailable', vendorCode: 'unexpected_output' });
  });

  it('creates and deletes a legacy cache for moonshot-v1 only', async () => {
    const { kimi, calls } = fakeKimi([jsonFile('cache.json'), json({ deleted: true })]);
    const cache = await kimi.createCache({
      modelId: 'moonshot-v1-32k',
      messages: [{ role: 'system', content: 'A long shared document.' }],
      tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }],
      name: 'docs-prefix',
      ttlSeconds: 3600,
    });
    expect(cache).toEqual({ id: 'cache-essqmysd6h1111dauub1', status: 'pending', tokens: 0, expiredAt: 1719383600 });
    expect(bodyOf(calls[0])).toEqual({
      model: 'moonshot-v1-32k',
      messages: [{ role: 'system', content: 'A long shared document.' }],
      tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }],
      name: 'docs-prefix',
      ttl: 3600,
    });
    await kimi.deleteCache('cache-essqmysd6h1111dauub1');
    expect(`${calls[1]!.method} ${new URL(calls[1]!.url).pathname}`).toBe('DELETE /v1/caching/cache-essqmysd6h1111dauub1');
    await expect(kimi.createCache({ modelId: 'kimi-k2-0905-preview', messages: [{ role: 'user', content: 'x' }], ttlSeconds: 60 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(calls).toHaveLength(2);
  });
});
