import { describe, expect, it } from '@jest/globals';
import type { ChatRequest } from '@exai/router/spec';
import { OverCapacityError } from './router-errors.js';
import type { RejectedEvent } from './router-events.js';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bulkheads', () => {
  it('refuse a call over the global limit with a full queue: over_capacity with a retry-after', async () => {
    const { router, glm } = routerFixture({ limits: { globalInFlight: 1, queue: 0 } });
    const rejected: RejectedEvent[] = [];
    router.events.on('rejected', (event) => rejected.push(event));
    glm.script({ kind: 'hang' });
    const controller = new AbortController();
    const first = router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch((error: unknown) => error);
    await sleep(5);
    const error = await router.generate({ model: 'glm-4.5', request }).catch((caught: unknown) => caught);
    expect(OverCapacityError.isInstance(error)).toBe(true);
    const over = error as OverCapacityError;
    expect(over).toMatchObject({ code: 'over_capacity', scope: 'global', limitName: 'global', limit: 1 });
    expect(over.retryAfterMs).toBeGreaterThan(0);
    expect(over.message).toMatch(/^exai is over capacity: 1 calls are already running .*\(EXAI_WS_GLOBAL_MAX_INFLIGHT\)\. Retry in \d+ s\.$/);
    expect(rejected).toEqual([{ scope: 'global', name: 'global', limit: 1, retryAfterMs: over.retryAfterMs, session: undefined }]);
    expect(glm.calls).toHaveLength(1);
    controller.abort();
    await first;
  });

  it('give up on a call that waited longer than the queue timeout', async () => {
    const { router, glm } = routerFixture({ limits: { globalInFlight: 1, queue: 4, queueTimeoutMs: 30 } });
    glm.script({ kind: 'hang' });
    const controller = new AbortController();
    const first = router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch(() => undefined);
    await sleep(5);
    const begun = performance.now();
    const waiting = router.generate({ model: 'glm-4.5', request }).catch((caught: unknown) => caught);
    await sleep(5);
    expect(router.status().bulkheads.find((bulkhead) => bulkhead.scope === 'global')).toMatchObject({ inFlight: 1, queued: 1, limit: 1, queueLimit: 4 });
    const error = await waiting;
    expect(performance.now() - begun).toBeGreaterThanOrEqual(29);
    expect(error).toMatchObject({ code: 'over_capacity', scope: 'global' });
    controller.abort();
    await first;
  });

  it('limit calls per session, leaving other sessions alone', async () => {
    const { router, glm } = routerFixture({ limits: { sessionInFlight: 1, queue: 0 } });
    glm.script({ kind: 'hang' });
    const controller = new AbortController();
    const first = router.generate({ model: 'glm-4.5', request, session: 'alice' }, { signal: controller.signal }).catch(() => undefined);
    await sleep(5);
    await expect(router.generate({ model: 'glm-4.5', request, session: 'alice' })).rejects.toMatchObject({ code: 'over_capacity', scope: 'session', limitName: 'alice' });
    await expect(router.generate({ model: 'glm-4.5', request, session: 'bob' })).resolves.toMatchObject({ provider: 'glm' });
    expect(router.status().bulkheads.filter((bulkhead) => bulkhead.scope === 'session').map((bulkhead) => bulkhead.name)).toEqual(['alice']);
    controller.abort();
    await first;
    // An idle session's bulkhead is dropped.
    expect(router.status().bulkheads.filter((bulkhead) => bulkhead.scope === 'session')).toEqual([]);
  });

  it('send a call to the other provider when its own provider is full, and refuse it when there is none', async () => {
    const { router, glm, kimi } = routerFixture({ limits: { providerInFlight: { glm: 1 }, queue: 0 } });
    glm.script({ kind: 'hang' });
    const controller = new AbortController();
    const first = router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch(() => undefined);
    await sleep(5);
    const second = await router.generate({ model: 'glm-4.5', request });
    expect(second.provider).toBe('kimi');
    expect(second.attemptLog[0]).toMatchObject({ model: 'glm-4.5', outcome: 'skipped', code: 'over_capacity' });
    expect(kimi.calls).toHaveLength(1);
    expect(glm.calls).toHaveLength(1);

    const only = routerFixture({ only: ['glm'], limits: { providerInFlight: { glm: 1 }, queue: 0 } });
    only.glm.script({ kind: 'hang' });
    const busy = only.router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch(() => undefined);
    await sleep(5);
    await expect(only.router.generate({ model: 'glm-4.5', request })).rejects.toMatchObject({
      code: 'over_capacity',
      scope: 'provider',
      limitName: 'glm',
      message: expect.stringContaining('(EXAI_WS_GLM_MAX_INFLIGHT)'),
    });
    controller.abort();
    await Promise.all([first, busy]);
  });

  it('let a streamed call hold its slots until the stream ends', async () => {
    const { router } = routerFixture({ limits: { globalInFlight: 1, queue: 0 } });
    const parts = router.stream({ model: 'glm-4.5', request })[Symbol.asyncIterator]();
    await parts.next();
    const global = () => router.status().bulkheads.find((bulkhead) => bulkhead.scope === 'global');
    expect(global()?.inFlight).toBe(1);
    expect(router.status().bulkheads.find((bulkhead) => bulkhead.name === 'glm')?.inFlight).toBe(1);
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toMatchObject({ code: 'over_capacity' });
    for (let next = await parts.next(); !next.done; next = await parts.next());
    expect(global()?.inFlight).toBe(0);
    await expect(router.generate({ model: 'glm-4.5', request })).resolves.toMatchObject({ provider: 'glm' });
  });

  it('release the slots of a stream the consumer leaves early', async () => {
    const { router } = routerFixture({ limits: { globalInFlight: 1, queue: 0 } });
    for await (const part of router.stream({ model: 'glm-4.5', request, session: 's' })) if (part.type === 'text-delta') break;
    expect(router.status().bulkheads.every((bulkhead) => bulkhead.inFlight === 0)).toBe(true);
  });
});
