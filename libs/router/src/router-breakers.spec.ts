import { describe, expect, it } from '@jest/globals';
import { ProviderUnavailableError, type ChatRequest } from '@exai/router/spec';
import type { BreakerEvent } from './router-events.js';
import { routerFixture, type FixtureOptions } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const unavailable = () => new ProviderUnavailableError({ provider: 'glm', status: 503, message: 'overloaded' });
// Long enough that a loaded machine cannot let the cooldown pass between two calls of one test.
const COOLDOWN_MS = 150;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fixture(options: FixtureOptions = {}) {
  const made = routerFixture({ breakers: { halfOpenAfterMs: COOLDOWN_MS }, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 }, ...options });
  const changes: BreakerEvent[] = [];
  made.router.events.on('breaker', (event) => changes.push(event));
  return { ...made, changes };
}

const failThrice = (provider: { script: (...steps: Array<{ kind: 'error'; error: Error }>) => unknown }) =>
  provider.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });

describe('circuit breakers', () => {
  it('open after consecutive failures, per key and per model, and the next call skips them', async () => {
    const { router, glm, kimi, changes } = fixture();
    failThrice(glm);
    const first = await router.generate({ model: 'glm-4.5', request });
    expect(first.provider).toBe('kimi');
    expect(changes).toEqual([
      { kind: 'model', name: 'glm-4.5', state: 'open', previous: 'closed' },
      { kind: 'key', name: 'glm#1', state: 'open', previous: 'closed' },
    ]);
    const second = await router.generate({ model: 'glm-4.5', request });
    expect(second.provider).toBe('kimi');
    expect(glm.calls).toHaveLength(3);
    expect(second.decision.reasons).toContain('glm-4.5: its breaker is open; moved to the end of the chain');
    // The key's breaker blocks every GLM model: all of them go to the end, in their order.
    const providers = second.decision.chain.map((entry) => entry.provider);
    expect(providers.indexOf('glm')).toBeGreaterThan(providers.lastIndexOf('kimi'));
    expect(second.decision.chain.find((entry) => entry.provider === 'glm')?.model).toBe('glm-4.5');
    expect(kimi.calls).toHaveLength(2);
    const status = router.status();
    expect(status.keys[0]?.breaker).toMatchObject({ name: 'glm#1', state: 'open' });
    expect(status.models.find((model) => model.name === 'glm-4.5')?.state).toBe('open');
  });

  it('half-open after the cooldown, and a successful probe closes them', async () => {
    const { router, glm, changes } = fixture();
    failThrice(glm);
    await router.generate({ model: 'glm-4.5', request });
    await sleep(COOLDOWN_MS + 10);
    const probe = await router.generate({ model: 'glm-4.5', request });
    expect(probe.provider).toBe('glm');
    expect(glm.calls).toHaveLength(4);
    expect(changes.filter((change) => change.kind === 'model').map((change) => change.state)).toEqual(['open', 'half-open', 'closed']);
    expect(router.status().models.find((model) => model.name === 'glm-4.5')?.state).toBe('closed');
  });

  it('open again when the probe fails', async () => {
    const { router, glm, kimi, changes } = fixture({ retry: { maxAttempts: 0 }, breakers: { consecutiveFailures: 1, halfOpenAfterMs: COOLDOWN_MS } });
    glm.script({ kind: 'error', error: unavailable() });
    await router.generate({ model: 'glm-4.5', request });
    await sleep(COOLDOWN_MS + 10);
    glm.script({ kind: 'error', error: unavailable() });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.provider).toBe('kimi');
    expect(changes.filter((change) => change.kind === 'key').map((change) => change.state)).toEqual(['open', 'half-open', 'open']);
    expect(kimi.calls).toHaveLength(2);
  });

  it('open on the failure rate over the sampling window', async () => {
    const { router, glm, changes } = fixture({
      retry: { maxAttempts: 0 },
      fallback: { explicitModels: false },
      breakers: { consecutiveFailures: 100, failureRate: 0.5, minimumRequests: 4, halfOpenAfterMs: COOLDOWN_MS },
    });
    glm.script({ kind: 'answer' }, { kind: 'error', error: unavailable() }, { kind: 'answer' });
    for (let index = 0; index < 3; index++) await router.generate({ model: 'glm-4.5', request }).catch(() => undefined);
    expect(changes).toEqual([]);
    glm.script({ kind: 'error', error: unavailable() });
    await router.generate({ model: 'glm-4.5', request }).catch(() => undefined);
    expect(changes.map((change) => [change.kind, change.state])).toEqual([
      ['model', 'open'],
      ['key', 'open'],
    ]);
  });

  it('never skip the last healthy target: it is called through its open breaker', async () => {
    const { router, glm, changes } = fixture({ only: ['glm'], fallback: { explicitModels: false } });
    failThrice(glm);
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(router.status().keys[0]?.breaker.state).toBe('open');
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.provider).toBe('glm');
    expect(glm.calls).toHaveLength(4);
    expect(changes.filter((change) => change.kind === 'key').map((change) => change.state)).toEqual(['open', 'closed']);
  });

  it('keep retrying the last target after it opens rather than giving up early', async () => {
    const { router, glm } = fixture({ only: ['glm'], fallback: { explicitModels: false }, retry: { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 1 } });
    failThrice(glm);
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.attempts).toBe(4);
    expect(result.attemptLog.map((entry) => entry.outcome)).toEqual(['retried', 'retried', 'retried', 'success']);
  });

  it('try every blocked model in automatic selection when all are open', async () => {
    const { router, glm } = fixture({
      only: ['glm'],
      allowedModels: { glm: ['glm-4.5-flash'] },
      retry: { maxAttempts: 0 },
      breakers: { consecutiveFailures: 1, halfOpenAfterMs: 60_000 },
    });
    glm.script({ kind: 'error', error: unavailable() });
    await expect(router.generate({ model: 'auto', request })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(router.status().models.find((model) => model.name === 'glm-4.5-flash')?.state).toBe('open');
    const result = await router.generate({ model: 'auto', request });
    expect(result.provider).toBe('glm');
    expect(result.decision.reasons).toContain('every qualifying model is blocked by an open breaker; trying them anyway');
  });
});
