import { describe, expect, it } from '@jest/globals';
import { AuthenticationError, QuotaExhaustedError, RateLimitedError, type ChatRequest } from '@exai/router/spec';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const revoked = () => new AuthenticationError({ provider: 'glm', status: 401, vendorCode: '1000', message: 'key revoked' });

describe('several keys per provider', () => {
  it('labels keys without exposing them and spreads sequential calls over them', async () => {
    const { router, glmKeys } = routerFixture({ keys: { glm: 2 } });
    const labels: string[] = [];
    for (let index = 0; index < 4; index++) labels.push((await router.generate({ model: 'glm-4.5', request })).key);
    expect(labels).toEqual(['glm#1', 'glm#2', 'glm#1', 'glm#2']);
    expect(glmKeys.map((key) => key.calls.length)).toEqual([2, 2]);
    expect(router.status().keys.map((key) => key.label)).toEqual(['glm#1', 'glm#2', 'kimi#1']);
  });

  it('balances concurrent calls by in-flight count', async () => {
    const { router, glmKeys } = routerFixture({ keys: { glm: 3 } });
    for (const key of glmKeys) key.script({ kind: 'hang' });
    const controller = new AbortController();
    const calls = [0, 1, 2].map(() => router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch(() => undefined));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(glmKeys.map((key) => key.calls.length)).toEqual([1, 1, 1]);
    expect(router.status().keys.filter((key) => key.provider === 'glm').map((key) => key.inFlight)).toEqual([1, 1, 1]);
    controller.abort();
    await Promise.all(calls);
    expect(router.status().keys.every((key) => key.inFlight === 0)).toBe(true);
  });

  it('moves to the next key when one key is revoked, and keeps it out while the others serve', async () => {
    const { router, glmKeys, kimi } = routerFixture({ keys: { glm: 2 } });
    glmKeys[0]!.script({ kind: 'error', error: revoked() });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.key).toBe('glm#2');
    expect(result.attemptLog.map((entry) => [entry.key, entry.outcome, entry.code])).toEqual([
      ['glm#1', 'key-switched', 'authentication'],
      ['glm#2', 'success', undefined],
    ]);
    for (let index = 0; index < 3; index++) expect((await router.generate({ model: 'glm-4.5', request })).key).toBe('glm#2');
    expect(glmKeys[0]!.calls).toHaveLength(1);
    expect(kimi.calls).toHaveLength(0);
    expect(router.status().keys[0]).toMatchObject({ label: 'glm#1', isolatedBy: 'authentication', breaker: { state: 'isolated' } });
  });

  it('fails with the authentication error when every key is revoked, without falling back', async () => {
    const { router, glmKeys, kimi } = routerFixture({ keys: { glm: 2 } });
    glmKeys[0]!.script({ kind: 'error', error: revoked() });
    const last = revoked();
    glmKeys[1]!.script({ kind: 'error', error: last });
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBe(last);
    expect(kimi.calls).toHaveLength(0);
  });

  it('moves to the next key when one runs out of quota', async () => {
    const { router, glmKeys } = routerFixture({ keys: { glm: 2 } });
    glmKeys[0]!.script({ kind: 'error', error: new QuotaExhaustedError({ provider: 'glm', status: 429, vendorCode: '1113', message: 'no balance' }) });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.key).toBe('glm#2');
    expect(result.provider).toBe('glm');
    expect(router.status().keys[0]?.isolatedBy).toBe('quota_exhausted');
  });

  it('retries a rate-limited key at once on another key', async () => {
    const { router, glmKeys } = routerFixture({ keys: { glm: 2 }, retry: { initialDelayMs: 5_000, maxDelayMs: 5_000 } });
    glmKeys[0]!.script({ kind: 'error', error: new RateLimitedError({ provider: 'glm', status: 429, vendorCode: '1302', message: 'slow down', retryAfterMs: 2_000 }) });
    const begun = performance.now();
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(performance.now() - begun).toBeLessThan(1_000);
    expect(result.key).toBe('glm#2');
    expect(result.attemptLog[0]).toMatchObject({ key: 'glm#1', outcome: 'key-switched', code: 'rate_limited' });
    expect(router.status().keys[0]?.rateLimitedForMs).toBeGreaterThan(1_000);
    // While glm#1 waits out its limit, glm#2 takes the calls.
    expect((await router.generate({ model: 'glm-4.5', request })).key).toBe('glm#2');
  });
});
