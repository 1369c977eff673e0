import { describe, expect, it } from '@jest/globals';
import { ProviderUnavailableError, type ChatRequest } from '@exai/router/spec';
import type { RouterEventMap, RouterEventType } from './router-events.js';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const unavailable = () => new ProviderUnavailableError({ provider: 'glm', status: 503, message: 'overloaded' });
const types: RouterEventType[] = ['decision', 'retry', 'fallback', 'breaker', 'rejected', 'call'];

function record(router: ReturnType<typeof routerFixture>['router']) {
  const seen: Array<{ type: RouterEventType; event: RouterEventMap[RouterEventType] }> = [];
  for (const type of types) router.events.on(type, (event: RouterEventMap[typeof type]) => seen.push({ type, event }));
  return seen;
}

describe('router events', () => {
  it('report the decision, retries, the fallback and the finished call, in order', async () => {
    const { router, glm } = routerFixture({ retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 } });
    const seen = record(router);
    glm.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });
    const result = await router.generate({ model: 'glm-4.5', request, session: 's1', task: { tool: 'chat' } });
    expect(seen.map((entry) => entry.type)).toEqual(['decision', 'retry', 'fallback', 'call']);
    expect(seen[0]?.event).toEqual({ decision: result.decision, session: 's1', tool: 'chat' });
    expect(seen[1]?.event).toMatchObject({ model: 'glm-4.5', provider: 'glm', key: 'glm#1', attempt: 1, code: 'provider_unavailable' });
    expect(seen[2]?.event).toEqual({ from: { model: 'glm-4.5', provider: 'glm', key: 'glm#1' }, to: { model: 'kimi-k2-0905-preview', provider: 'kimi' }, code: 'provider_unavailable' });
    expect(seen[3]?.event).toMatchObject({
      ok: true,
      stream: false,
      model: 'kimi-k2-0905-preview',
      provider: 'kimi',
      key: 'kimi#1',
      code: undefined,
      costUsd: result.costUsd,
      usage: result.usage,
      totalUsage: result.totalUsage,
      attempts: result.attemptLog,
      session: 's1',
      tool: 'chat',
    });
  });

  it('report a failed call and a finished stream', async () => {
    const { router, glm } = routerFixture({ only: ['glm'], fallback: { explicitModels: false }, retry: { maxAttempts: 0 } });
    const seen = record(router);
    glm.script({ kind: 'error', error: unavailable() });
    await router.generate({ model: 'glm-4.5', request }).catch(() => undefined);
    expect(seen.at(-1)).toMatchObject({ type: 'call', event: { ok: false, code: 'provider_unavailable', model: 'glm-4.5', costUsd: 0 } });
    for await (const part of router.stream({ model: 'glm-4.5', request })) void part;
    expect(seen.at(-1)).toMatchObject({ type: 'call', event: { ok: true, stream: true, usage: { inputTokens: 10 } } });
  });

  it('keep a throwing listener from breaking the call, and stop after off', async () => {
    const warnings: string[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (_: Record<string, unknown>, message: string) => warnings.push(message), error: () => undefined };
    const { router } = routerFixture({ logger });
    const listener = (): void => {
      throw new Error('listener bug');
    };
    router.events.on('call', listener);
    expect(router.events.listenerCount('call')).toBe(1);
    await expect(router.generate({ model: 'glm-4.5', request })).resolves.toMatchObject({ provider: 'glm' });
    expect(warnings).toEqual(['router event listener threw']);
    router.events.off('call', listener);
    expect(router.events.listenerCount('call')).toBe(0);
    await router.generate({ model: 'glm-4.5', request });
    expect(warnings).toHaveLength(1);
  });

  it('log the decision at debug only when debug is enabled', async () => {
    const debug: string[] = [];
    const logger = (enabled: boolean) => ({
      debug: (_: Record<string, unknown>, message: string) => debug.push(message),
      info: () => undefined,
      warn: () => undefined,
      error: () => undefined,
      isLevelEnabled: () => enabled,
    });
    await routerFixture({ logger: logger(false) }).router.generate({ model: 'auto', request });
    expect(debug).not.toContain('routing decision');
    await routerFixture({ logger: logger(true) }).router.generate({ model: 'auto', request });
    expect(debug).toContain('routing decision');
  });
});

describe('router.status', () => {
  it('lists every key, model breaker and bulkhead', () => {
    const { router } = routerFixture({ keys: { kimi: 2 }, limits: { globalInFlight: 10, providerInFlight: { kimi: 3 } } });
    const status = router.status();
    expect(status.keys.map((key) => [key.label, key.provider, key.inFlight, key.breaker.state])).toEqual([
      ['glm#1', 'glm', 0, 'closed'],
      ['kimi#1', 'kimi', 0, 'closed'],
      ['kimi#2', 'kimi', 0, 'closed'],
    ]);
    expect(status.models).toHaveLength(19);
    expect(status.bulkheads).toEqual([
      { scope: 'global', name: 'global', limit: 10, inFlight: 0, queued: 0, queueLimit: 32 },
      { scope: 'provider', name: 'glm', limit: 4, inFlight: 0, queued: 0, queueLimit: 32 },
      { scope: 'provider', name: 'kimi', limit: 3, inFlight: 0, queued: 0, queueLimit: 32 },
    ]);
  });
});
