import { describe, expect, it } from '@jest/globals';
import {
  AbortedError,
  AuthenticationError,
  InvalidRequestError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  QuotaExhaustedError,
  RateLimitedError,
  type ChatRequest,
} from '@exai/router/spec';
import { CapabilityError, ModelNotAllowedError, ProviderNotConfiguredError, UnknownModelError } from './router-errors.js';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const unavailable = () => new ProviderUnavailableError({ provider: 'glm', status: 503, message: 'overloaded' });
// setTimeout may fire up to 1 ms before performance.now() shows the full delay (libuv rounds to ms).
const TIMER_SLACK_MS = 1;

describe('router.resolve', () => {
  it('resolves ids and aliases case-insensitively to the model and its provider', () => {
    const { router, kimi } = routerFixture();
    const resolved = router.resolve('KIMI');
    expect(resolved.info.id).toBe('kimi-k2-0905-preview');
    expect(resolved.provider).toBe(kimi);
  });

  it('uses the default model for undefined and empty, and automatic selection for "auto"', () => {
    const { router } = routerFixture({ defaultModel: 'glm-4.6' });
    expect(router.resolve().info.id).toBe('glm-4.6');
    expect(router.resolve('').info.id).toBe('glm-4.6');
    // A short text request needs the fast tier, whose cheapest model is the free glm-4.5-flash.
    expect(router.resolve('Auto').info.id).toBe('glm-4.5-flash');
    expect(routerFixture({ defaultModel: 'auto', only: ['kimi'] }).router.resolve().info.id).toBe('moonshot-v1-8k');
  });

  it('falls back for "auto" to a usable model of the same tier when the default cannot be used', () => {
    const { router } = routerFixture({ only: ['kimi'] });
    const { info } = router.resolve('auto');
    expect(info.provider).toBe('kimi');
    expect(info.qualityTier).toBe('fast');
  });

  it('lists the available models when the name is unknown', () => {
    const { router } = routerFixture({ only: ['kimi'] });
    const error = (() => {
      try {
        router.resolve('gpt-4o');
      } catch (caught) {
        return caught;
      }
    })();
    expect(UnknownModelError.isInstance(error)).toBe(true);
    const unknown = error as UnknownModelError;
    expect(unknown.code).toBe('unknown_model');
    expect(unknown.message).toMatch(/^Unknown model "gpt-4o"\. Available models: kimi-k2-0905-preview, /);
    expect(unknown.available).not.toContain('glm-4.6');
  });

  it('names the key variable when the provider is not configured', () => {
    const { router } = routerFixture({ only: ['kimi'] });
    expect(() => router.resolve('glm-4.6')).toThrow(
      'GLM_API_KEY is not set; chat with glm models such as glm-4.6 needs it (also accepted: ZAI_API_KEY, ZHIPUAI_API_KEY).',
    );
    const error = (() => {
      try {
        routerFixture({ only: [] }).router.resolve(undefined);
      } catch (caught) {
        return caught;
      }
    })();
    expect(ProviderNotConfiguredError.isInstance(error) && error.code).toBe('provider_not_configured');
  });

  it('enforces the allow-list and names its variable', () => {
    const { router } = routerFixture({ allowedModels: { kimi: ['kimi-k2', 'KIMI-K2-THINKING', 'no-such-model'], glm: [] } });
    expect(router.resolve('kimi-thinking').info.id).toBe('kimi-k2-thinking');
    expect(router.resolve('glm-4.6').info.id).toBe('glm-4.6'); // empty list: no restriction
    let error: unknown;
    try {
      router.resolve('kimi-turbo');
    } catch (caught) {
      error = caught;
    }
    expect(ModelNotAllowedError.isInstance(error)).toBe(true);
    expect((error as ModelNotAllowedError).code).toBe('model_not_allowed');
    expect((error as Error).message).toBe(
      'kimi-k2-turbo-preview is not in KIMI_ALLOWED_MODELS; allowed kimi models: kimi-k2-0905-preview, kimi-k2-thinking.',
    );
  });

  it('rejects an unknown default model at construction', () => {
    expect(() => routerFixture({ defaultModel: 'glm-9' })).toThrow(/Unknown model "glm-9"/);
  });
});

describe('router.listModels', () => {
  it('reports availability and the reason', () => {
    const { router } = routerFixture({ only: ['kimi'], allowedModels: { kimi: ['kimi-k2-thinking'] } });
    const byId = new Map(router.listModels().map((entry) => [entry.info.id, entry]));
    expect(byId.get('glm-4.6')).toMatchObject({ available: false, reason: 'GLM_API_KEY is not set' });
    expect(byId.get('kimi-k2-turbo-preview')).toMatchObject({ available: false, reason: 'not in KIMI_ALLOWED_MODELS' });
    expect(byId.get('kimi-k2-thinking')).toEqual({ info: expect.objectContaining({ id: 'kimi-k2-thinking' }), available: true });
  });
});

describe('router.generate', () => {
  it('sends the prepared request and returns the routed result', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'answer', text: 'hi', usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 }, webSearchCalls: 1 });
    const result = await router.generate({ model: 'glm-latest', request: { ...request, temperature: 3 } });
    expect(result).toMatchObject({ text: 'hi', attempts: 1, provider: 'glm', modelId: 'glm-4.6' });
    expect(result.model.id).toBe('glm-4.6');
    expect(result.costUsd).toBeCloseTo(0.6 + 2.2 + 0.01, 10);
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.warnings).toEqual(["temperature 3 is outside glm-4.6's range 0–1; sent 1", 'provider warning']);
    expect(glm.calls[0]?.request).toMatchObject({ temperature: 1, maxTokens: 131_072 });
    expect(glm.calls[0]?.modelId).toBe('glm-4.6');
  });

  it('retries retryable errors and counts the attempts', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });
    const result = await router.generate({ model: 'glm-4.5', request });
    expect(result.attempts).toBe(3);
    expect(glm.calls).toHaveLength(3);
  });

  it('gives up after maxAttempts retries with the last error', async () => {
    const { router, glm } = routerFixture({ retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1 }, fallback: { explicitModels: false } });
    glm.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(glm.calls).toHaveLength(3);
  });

  it('waits at least the retryAfterMs the vendor asked for', async () => {
    const { router, kimi } = routerFixture();
    kimi.script({ kind: 'error', error: new RateLimitedError({ provider: 'kimi', status: 429, message: 'max RPM', retryAfterMs: 80 }) });
    const result = await router.generate({ model: 'kimi', request });
    expect(result.attempts).toBe(2);
    expect(kimi.calls[1]!.at - kimi.calls[0]!.at).toBeGreaterThanOrEqual(80 - TIMER_SLACK_MS);
  });

  it('does not wait for a retry-after beyond maxRetryAfterMs', async () => {
    const { router, kimi } = routerFixture({ retry: { initialDelayMs: 1, maxRetryAfterMs: 50 }, fallback: { explicitModels: false } });
    const limited = new RateLimitedError({ provider: 'kimi', status: 429, message: 'TPD', retryAfterMs: 60_000 });
    kimi.script({ kind: 'error', error: limited });
    await expect(router.generate({ model: 'kimi', request })).rejects.toBe(limited);
    expect(kimi.calls).toHaveLength(1);
  });

  it.each([
    ['quota', () => new QuotaExhaustedError({ provider: 'glm', status: 429, vendorCode: '1113', message: 'Insufficient balance' })],
    ['authentication', () => new AuthenticationError({ provider: 'glm', status: 401, message: 'bad key' })],
    ['invalid request', () => new InvalidRequestError({ provider: 'glm', status: 400, vendorCode: '1214', message: 'bad messages' })],
  ])('does not retry %s errors', async (_name, make) => {
    const { router, glm } = routerFixture({ fallback: { explicitModels: false } });
    const error = make();
    glm.script({ kind: 'error', error });
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBe(error);
    expect(glm.calls).toHaveLength(1);
  });

  it('without a caller signal, hands each attempt its time limit instead of a signal, and surfaces ProviderTimeoutError', async () => {
    const { router, glm } = routerFixture({ attemptTimeoutMs: 30, callTimeoutMs: 5_000, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, fallback: { explicitModels: false } });
    glm.script({ kind: 'hang' }, { kind: 'hang' });
    const error = await router.generate({ model: 'glm-4.5', request }).catch((caught: unknown) => caught);
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect((error as ProviderTimeoutError).message).toBe(
      'glm-4.5 did not answer within 30 ms on any of 2 attempts; try again later or choose a faster model.',
    );
    expect(glm.calls).toHaveLength(2);
    expect(glm.calls.map((call) => [call.signal, call.timeoutMs])).toEqual([
      [undefined, 30],
      [undefined, 30],
    ]);
  });

  it('bounds an attempt without a caller signal even when the provider ignores its time limit', async () => {
    const { router, glm } = routerFixture({ attemptTimeoutMs: 30, callTimeoutMs: 5_000, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, fallback: { explicitModels: false } });
    const ignoring = glm.chatModel('glm-4.5');
    const started = performance.now();
    // A model whose calls never settle, whatever they are given.
    glm.chatModel = () => ({ ...ignoring, generate: () => new Promise(() => undefined) });
    const error = await router.generate({ model: 'glm-4.5', request }).catch((caught: unknown) => caught);
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('times out each attempt, aborting its signal, and surfaces ProviderTimeoutError', async () => {
    const { router, glm } = routerFixture({ attemptTimeoutMs: 30, callTimeoutMs: 5_000, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, fallback: { explicitModels: false } });
    glm.script({ kind: 'hang' }, { kind: 'hang' });
    const error = await router.generate({ model: 'glm-4.5', request }, { signal: new AbortController().signal }).catch((caught: unknown) => caught);
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect((error as ProviderTimeoutError).message).toBe(
      'glm-4.5 did not answer within 30 ms on any of 2 attempts; try again later or choose a faster model.',
    );
    expect((error as ProviderTimeoutError).provider).toBe('glm');
    expect(glm.calls).toHaveLength(2);
    expect(glm.calls.every((call) => call.signal?.aborted)).toBe(true);
  });

  it('ends at once with AbortedError when the caller aborts an attempt, without retrying', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const begun = performance.now();
    const error = await router.generate({ model: 'glm-4.5', request }, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(performance.now() - begun).toBeLessThan(1000);
    expect(glm.calls).toHaveLength(1);
    expect(glm.calls[0]?.signal?.aborted).toBe(true);
  });

  it('ends at once with AbortedError when the caller aborts during a backoff wait', async () => {
    const { router, kimi } = routerFixture();
    kimi.script({ kind: 'error', error: new RateLimitedError({ provider: 'kimi', message: 'RPM', retryAfterMs: 10_000 }) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const begun = performance.now();
    const error = await router.generate({ model: 'kimi', request }, { signal: controller.signal }).catch((caught: unknown) => caught);
    expect(AbortedError.isInstance(error)).toBe(true);
    expect((error as AbortedError).message).toBe('The call to kimi-k2-0905-preview was cancelled.');
    expect(performance.now() - begun).toBeLessThan(1000);
    expect(kimi.calls).toHaveLength(1);
  });

  it('does not call the provider when the signal is already aborted', async () => {
    const { router, glm } = routerFixture();
    await expect(router.generate({ request }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'aborted' });
    expect(glm.calls).toHaveLength(0);
  });

  it('rejects resolution and capability errors without calling the provider', async () => {
    const { router, glm } = routerFixture();
    await expect(router.generate({ model: 'nope', request })).rejects.toMatchObject({ code: 'unknown_model' });
    const image: ChatRequest = { messages: [{ role: 'user', content: [{ type: 'image', image: 'data:image/png;base64,AAAA' }] }] };
    const error = await router.generate({ model: 'glm-4.6', request: image }).catch((caught: unknown) => caught);
    expect(CapabilityError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/^glm-4\.6 cannot read images or video\. Models that can: glm-4\.5v, /);
    expect(glm.calls).toHaveLength(0);
  });

  it('passes headers through to the provider', async () => {
    const { router, glm } = routerFixture();
    const seen: Array<Record<string, string> | undefined> = [];
    const original = glm.chatModel.bind(glm);
    glm.chatModel = (modelId) => {
      const model = original(modelId);
      return { ...model, generate: (req, options) => (seen.push(options?.headers), model.generate(req, options)) };
    };
    await router.generate({ request }, { headers: { 'x-trace': '1' } });
    expect(seen).toEqual([{ 'x-trace': '1' }]);
  });
});

describe('router logging', () => {
  it('logs allow-list mistakes, retries and failures with the model', async () => {
    const entries: Array<[string, Record<string, unknown>, string]> = [];
    const record = (level: string) => (object: Record<string, unknown>, message: string) => entries.push([level, object, message]);
    const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    const { router, glm } = routerFixture({
      logger,
      retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 },
      fallback: { explicitModels: false },
      allowedModels: { glm: ['glm-4.5', 'typo-model'] },
    });
    expect(entries).toContainEqual(['warn', { provider: 'glm', model: 'typo-model', envVar: 'GLM_ALLOWED_MODELS' }, 'unknown model in allow-list; ignored']);
    glm.script({ kind: 'error', error: unavailable() }, { kind: 'error', error: unavailable() });
    await expect(router.generate({ model: 'glm-4.5', request })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(entries).toContainEqual(['warn', expect.objectContaining({ model: 'glm-4.5', attempt: 1, code: 'provider_unavailable' }), 'retrying model call']);
    expect(entries).toContainEqual(['warn', expect.objectContaining({ model: 'glm-4.5', attempts: 2, code: 'provider_unavailable' }), 'model call failed']);
  });
});

describe('router.estimateCost', () => {
  it('prices cached input at the cached price and adds web searches', () => {
    const { router } = routerFixture();
    const glm46 = router.resolve('glm-4.6').info;
    const usage = { inputTokens: 1_000_000, cachedInputTokens: 200_000, outputTokens: 100_000, reasoningTokens: 50_000, totalTokens: 1_100_000 };
    expect(router.estimateCost(glm46, usage, 2)).toBeCloseTo(0.8 * 0.6 + 0.2 * 0.11 + 0.1 * 2.2 + 2 * 0.01, 10);
    const kimi = router.resolve('kimi').info;
    expect(router.estimateCost(kimi, { ...usage, cachedInputTokens: 0, outputTokens: 0 }, 1)).toBeCloseTo(0.6 + 0.005, 10);
    expect(router.estimateCost(router.resolve('flash').info, usage, 0)).toBe(0);
  });
});
