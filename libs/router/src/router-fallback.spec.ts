import { describe, expect, it } from '@jest/globals';
import {
  AuthenticationError,
  ContentFilteredError,
  ContextTooLongError,
  InvalidRequestError,
  ModelNotFoundError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  QuotaExhaustedError,
  RateLimitedError,
  type ChatRequest,
  type StreamPart,
} from '@exai/router/spec';
import { fakeParts } from './test-support/fake-provider.js';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const unavailable = (provider = 'glm') => new ProviderUnavailableError({ provider, status: 503, message: 'overloaded' });
/** Breakers that never open, so retry and fallback rules are seen on their own. */
const patientBreakers = { consecutiveFailures: 100, failureRate: 1, minimumRequests: 100 };

async function drain(parts: AsyncIterable<StreamPart>): Promise<{ parts: StreamPart[]; error?: unknown }> {
  const seen: StreamPart[] = [];
  try {
    for await (const part of parts) seen.push(part);
    return { parts: seen };
  } catch (error) {
    return { parts: seen, error };
  }
}

const text = (parts: StreamPart[]): string => parts.map((part) => (part.type === 'text-delta' ? part.delta : '')).join('');

describe('fallback', () => {
  it('moves to the other provider when retries of a 5xx burst are spent', async () => {
    const { router, glm, kimi } = routerFixture({ breakers: patientBreakers });
    glm.script(...Array.from({ length: 4 }, () => ({ kind: 'error' as const, error: unavailable() })));
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.model.id).toBe('kimi-k2-0905-preview');
    expect(result.attempts).toBe(5);
    expect(glm.calls).toHaveLength(4);
    expect(kimi.calls).toHaveLength(1);
    expect(result.attemptLog.map((entry) => [entry.model, entry.outcome, entry.code])).toEqual([
      ['glm-4.5', 'retried', 'provider_unavailable'],
      ['glm-4.5', 'retried', 'provider_unavailable'],
      ['glm-4.5', 'retried', 'provider_unavailable'],
      ['glm-4.5', 'fell-back', 'provider_unavailable'],
      ['kimi-k2-0905-preview', 'success', undefined],
    ]);
    expect(result.attemptLog[0]).toMatchObject({ provider: 'glm', key: 'glm#1' });
    expect(result.key).toBe('kimi#1');
  });

  it('falls back at once on a rate limit whose wait exceeds the retry budget', async () => {
    const { router, kimi, glm } = routerFixture({ retry: { maxRetryAfterMs: 1_000, initialDelayMs: 1, maxDelayMs: 2 } });
    kimi.script({ kind: 'error', error: new RateLimitedError({ provider: 'kimi', status: 429, message: 'TPD', retryAfterMs: 60_000 }) });
    const begun = performance.now();
    const result = await router.generate({ model: 'kimi', request });
    expect(performance.now() - begun).toBeLessThan(500);
    expect(kimi.calls).toHaveLength(1);
    expect(result.provider).toBe('glm');
    expect(glm.calls).toHaveLength(1);
    expect(result.attemptLog[0]).toMatchObject({ outcome: 'fell-back', code: 'rate_limited' });
  });

  it('falls back on exhausted quota, and takes the exhausted key out of rotation', async () => {
    const { router, glm, kimi } = routerFixture();
    glm.script({ kind: 'error', error: new QuotaExhaustedError({ provider: 'glm', status: 429, vendorCode: '1113', message: 'Insufficient balance' }) });
    const result = await router.generate({ model: 'auto', request });
    expect(result.provider).toBe('kimi');
    expect(result.attemptLog[0]).toMatchObject({ model: 'glm-4.5-flash', outcome: 'fell-back', code: 'quota_exhausted' });
    // The next call does not try GLM first: its only key is isolated.
    const next = await router.generate({ model: 'auto', request });
    expect(next.provider).toBe('kimi');
    expect(glm.calls).toHaveLength(1);
    expect(next.decision.reasons.some((reason) => reason.startsWith('glm-4.5-flash: every glm key is out of rotation (glm#1: quota exhausted)'))).toBe(true);
    expect(router.status().keys.find((key) => key.label === 'glm#1')).toMatchObject({ isolatedBy: 'quota_exhausted', breaker: { state: 'isolated' } });
    expect(kimi.calls).toHaveLength(2);
  });

  it('falls back after attempts time out (a hang), aborting each one', async () => {
    const { router, glm, kimi } = routerFixture({ attemptTimeoutMs: 20, callTimeoutMs: 5_000, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, breakers: patientBreakers });
    glm.script({ kind: 'hang' }, { kind: 'hang' });
    const result = await router.generate({ model: 'glm-4.5', request }, { signal: new AbortController().signal });
    expect(result.provider).toBe('kimi');
    expect(glm.calls.every((call) => call.signal?.aborted)).toBe(true);
    expect(result.attemptLog.slice(0, 2).map((entry) => entry.code)).toEqual(['timeout', 'timeout']);
    expect(kimi.calls).toHaveLength(1);
  });

  it('ends the whole call at callTimeoutMs, across retries and fallbacks', async () => {
    const { router, glm, kimi } = routerFixture({ attemptTimeoutMs: 20, callTimeoutMs: 50, breakers: patientBreakers });
    glm.script(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const })));
    kimi.script(...Array.from({ length: 10 }, () => ({ kind: 'hang' as const })));
    const begun = performance.now();
    const error = await router.generate({ model: 'glm-4.5', request }).catch((caught: unknown) => caught);
    expect(performance.now() - begun).toBeLessThan(400);
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^The call did not finish within 50 ms \(callTimeoutMs\) over \d attempt\(s\) on glm-4\.5/);
  });

  it('moves a context-too-long error to a model with a larger window', async () => {
    const { router, glm, kimi } = routerFixture();
    glm.script({ kind: 'error', error: new ContextTooLongError({ provider: 'glm', status: 400, vendorCode: '1261', message: 'prompt too long' }) });
    const result = await router.generate({ model: 'glm-4.5', request });
    // glm-4.5v (64K) and glm-4.5-x (128K) are cheaper or in the same tier, but not larger than 128K.
    expect(result.model.id).toBe('kimi-k2-0905-preview');
    expect(result.model.contextWindow).toBeGreaterThan(131_072);
    expect(glm.calls).toHaveLength(1);
    expect(kimi.calls).toHaveLength(1);
  });

  it('moves a content-filtered call to the other provider, unless turned off', async () => {
    const filtered = () => new ContentFilteredError({ provider: 'glm', status: 400, vendorCode: '1301', message: 'unsafe content' });
    const { router, glm } = routerFixture();
    glm.script({ kind: 'error', error: filtered() });
    expect((await router.generate({ model: 'glm-4.5', request })).provider).toBe('kimi');

    const strict = routerFixture({ fallback: { onContentFilter: false } });
    const error = filtered();
    strict.glm.script({ kind: 'error', error });
    await expect(strict.router.generate({ model: 'glm-4.5', request })).rejects.toBe(error);
    expect(strict.kimi.calls).toHaveLength(0);
  });

  it('moves a content-filtered answer to the other provider, summing the cost of both attempts', async () => {
    const { router, glm, kimi } = routerFixture();
    glm.script({ kind: 'answer', text: '', finishReason: 'content-filter', usage: { inputTokens: 1_000_000, outputTokens: 0 } });
    kimi.script({ kind: 'answer', text: 'fine', usage: { inputTokens: 1_000_000, outputTokens: 0 } });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result).toMatchObject({ text: 'fine', provider: 'kimi', attempts: 2 });
    expect(result.attemptLog.map((entry) => entry.outcome)).toEqual(['fell-back', 'success']);
    expect(result.costUsd).toBeCloseTo(0.6 + 0.6, 10);
    expect(result.usage.inputTokens).toBe(1_000_000);
    expect(result.totalUsage.inputTokens).toBe(2_000_000);
    // No other provider: the filtered answer is the answer.
    const only = routerFixture({ only: ['glm'] });
    only.glm.script({ kind: 'answer', text: '', finishReason: 'content-filter' });
    const alone = await only.router.generate({ model: 'glm-4.5', request });
    expect(alone.finishReason.unified).toBe('content-filter');
    expect(alone.attemptLog.map((entry) => entry.outcome)).toEqual(['success']);
  });

  it('moves to the next model when the key cannot use the model', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'error', error: new ModelNotFoundError({ provider: 'glm', status: 404, vendorCode: '1211', message: 'no such model' }) });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.model.id).toBe('glm-4.5v');
    expect(glm.calls.map((call) => call.modelId)).toEqual(['glm-4.5', 'glm-4.5v']);
  });

  it.each([
    ['an invalid request', () => new InvalidRequestError({ provider: 'glm', status: 400, vendorCode: '1214', message: 'bad messages' })],
    ['an authentication error of the only key', () => new AuthenticationError({ provider: 'glm', status: 401, message: 'bad key' })],
  ])('does not fall back on %s', async (_name, make) => {
    const { router, glm, kimi } = routerFixture();
    const error = make();
    glm.script({ kind: 'error', error });
    const failure = await router.generate({ model: 'auto', request }).catch((caught: unknown) => caught);
    expect(failure).toBe(error);
    expect(glm.calls).toHaveLength(1);
    expect(kimi.calls).toHaveLength(0);
  });

  it('stops after maxHops moves with the last error', async () => {
    const { router, glm, kimi } = routerFixture({ fallback: { maxHops: 1 }, retry: { maxAttempts: 0 }, breakers: patientBreakers });
    glm.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });
    const last = unavailable('kimi');
    kimi.script({ kind: 'error', error: last });
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBe(last);
    expect(glm.calls.length + kimi.calls.length).toBe(2);
  });
});

describe('streamed fallback', () => {
  it('falls back when the stream fails before its first content part', async () => {
    const { router, glm, kimi } = routerFixture({ retry: { maxAttempts: 0 } });
    glm.script({ kind: 'stream', parts: [{ type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5' }], then: { error: unavailable() } });
    const routed = router.streamWithMetadata({ model: 'glm-4.5', request });
    expect(routed.model.id).toBe('glm-4.5');
    const { parts, error } = await drain(routed.parts);
    expect(error).toBeUndefined();
    expect(text(parts)).toBe('hello streaming world');
    expect(parts[0]).toMatchObject({ type: 'response-metadata', provider: 'kimi' });
    expect(routed.model.id).toBe('kimi-k2-0905-preview');
    expect(routed.summary).toMatchObject({ attempts: 2, key: 'kimi#1' });
    expect(routed.summary?.attemptLog.map((entry) => entry.outcome)).toEqual(['fell-back', 'success']);
    expect(glm.calls[0]?.unfinished).toBe(true);
    expect(kimi.calls).toHaveLength(1);
  });

  it('does not fall back after the first content part: the error propagates as it is', async () => {
    const { router, glm, kimi } = routerFixture();
    const reset = unavailable();
    glm.script({ kind: 'stream', parts: fakeParts('glm', 'glm-4.5', 'partial answer').slice(0, 2), then: { error: reset } });
    const routed = router.streamWithMetadata({ model: 'glm-4.5', request });
    const { parts, error } = await drain(routed.parts);
    expect(error).toBe(reset);
    expect(text(parts)).toBe('partial ');
    expect(kimi.calls).toHaveLength(0);
    expect(routed.summary).toBeUndefined();
  });

  it('falls back when a stream hangs before its first part', async () => {
    const { router, kimi, glm } = routerFixture({ attemptTimeoutMs: 20, callTimeoutMs: 5_000, retry: { maxAttempts: 0 } });
    kimi.script({ kind: 'hang' });
    const { parts, error } = await drain(router.stream({ model: 'kimi', request }));
    expect(error).toBeUndefined();
    expect(parts[0]).toMatchObject({ provider: 'glm' });
    expect(kimi.calls[0]?.signal?.aborted).toBe(true);
    expect(glm.calls).toHaveLength(1);
  });
});
