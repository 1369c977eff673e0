import { describe, expect, it } from '@jest/globals';
import { AbortedError, ProviderTimeoutError, ProviderUnavailableError, type ChatRequest, type StreamPart } from '@exai/router/spec';
import { fakeParts } from './test-support/fake-provider.js';
import { routerFixture } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const unavailable = () => new ProviderUnavailableError({ provider: 'glm', status: 502, message: 'bad gateway' });

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

describe('router.stream', () => {
  it('streams the provider parts, adding prepare warnings to finish, and fills the summary', async () => {
    const { router, glm } = routerFixture();
    const routed = router.streamWithMetadata({ model: 'glm-4.5', request: { ...request, temperature: -1 } });
    expect(routed.model.id).toBe('glm-4.5');
    expect(routed.summary).toBeUndefined();
    const { parts, error } = await drain(routed.parts);
    expect(error).toBeUndefined();
    expect(parts[0]).toEqual({ type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5' });
    expect(text(parts)).toBe('hello streaming world');
    const finish = parts.at(-1);
    expect(finish?.type === 'finish' && finish.warnings).toEqual(["temperature -1 is outside glm-4.5's range 0–1; sent 0", 'provider warning']);
    expect(routed.summary).toMatchObject({ attempts: 1, webSearchCalls: 0, finishReason: { unified: 'stop' } });
    expect(routed.summary!.costUsd).toBeCloseTo((10 * 0.6 + 5 * 2.2) / 1e6, 12);
    expect(glm.calls[0]?.request.temperature).toBe(0);
  });

  it('retries a failure before the first part', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'error', error: unavailable() });
    const routed = router.streamWithMetadata({ model: 'glm-4.5', request });
    const { parts, error } = await drain(routed.parts);
    expect(error).toBeUndefined();
    expect(text(parts)).toBe('hello streaming world');
    expect(parts.filter((part) => part.type === 'response-metadata')).toHaveLength(1);
    expect(routed.summary?.attempts).toBe(2);
    expect(glm.calls).toHaveLength(2);
  });

  it('retries a failure after response-metadata but before any content', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'stream', parts: [{ type: 'response-metadata', provider: 'glm', modelId: 'glm-4.5' }], then: { error: unavailable() } });
    const { parts, error } = await drain(router.stream({ model: 'glm-4.5', request }));
    expect(error).toBeUndefined();
    expect(parts.filter((part) => part.type === 'response-metadata')).toHaveLength(1);
    expect(glm.calls).toHaveLength(2);
  });

  it('does not retry once a content part was emitted: the error propagates as it is', async () => {
    const { router, glm } = routerFixture();
    const failure = unavailable();
    glm.script({ kind: 'stream', parts: fakeParts('glm', 'glm-4.5', 'partial answer').slice(0, 2), then: { error: failure } });
    const routed = router.streamWithMetadata({ model: 'glm-4.5', request });
    const { parts, error } = await drain(routed.parts);
    expect(error).toBe(failure);
    expect(text(parts)).toBe('partial ');
    expect(glm.calls).toHaveLength(1);
    expect(routed.summary).toBeUndefined();
  });

  it('times out an attempt that sends no first part, and retries it', async () => {
    const { router, kimi } = routerFixture({ attemptTimeoutMs: 30, callTimeoutMs: 5_000, retry: { maxAttempts: 1, initialDelayMs: 1, maxDelayMs: 1 }, fallback: { explicitModels: false } });
    kimi.script({ kind: 'hang' }, { kind: 'hang' });
    const { error } = await drain(router.stream({ model: 'kimi', request }));
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect(kimi.calls).toHaveLength(2);
    expect(kimi.calls.every((call) => call.signal?.aborted)).toBe(true);
  });

  it('keeps a stream alive past the attempt timeout once it has started', async () => {
    const { router, glm } = routerFixture({ attemptTimeoutMs: 20 });
    const parts = router.stream({ model: 'glm-4.5', request })[Symbol.asyncIterator]();
    const first = await parts.next();
    expect(first.value?.type).toBe('response-metadata');
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(glm.calls[0]?.signal?.aborted).toBe(false);
    const rest = await drain({ [Symbol.asyncIterator]: () => parts });
    expect(rest.error).toBeUndefined();
    expect(rest.parts.at(-1)?.type).toBe('finish');
  });

  it('closes a stream that goes silent mid-answer with ProviderTimeoutError', async () => {
    const { router, glm } = routerFixture({ streamIdleTimeoutMs: 30 });
    glm.script({ kind: 'stream', parts: fakeParts('glm', 'glm-4.5', 'thinking hard').slice(0, 2), then: 'hang' });
    const { parts, error } = await drain(router.stream({ model: 'glm-4.5', request }));
    expect(text(parts)).toBe('thinking ');
    expect(ProviderTimeoutError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe('glm-4.5 sent nothing for 30 ms in the middle of its answer; the stream was closed.');
    expect(glm.calls).toHaveLength(1);
    expect(glm.calls[0]?.signal?.aborted).toBe(true);
  });

  it('does not count time the consumer spends on a part as idle', async () => {
    const { router } = routerFixture({ streamIdleTimeoutMs: 20 });
    const seen: StreamPart[] = [];
    for await (const part of router.stream({ model: 'glm-4.5', request })) {
      seen.push(part);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(seen.at(-1)?.type).toBe('finish');
  });

  it('turns the caller abort mid-stream into AbortedError and aborts upstream', async () => {
    const { router, glm } = routerFixture();
    glm.script({ kind: 'stream', parts: fakeParts('glm', 'glm-4.5', 'slow answer').slice(0, 2), then: 'hang' });
    const controller = new AbortController();
    const seen: StreamPart[] = [];
    let error: unknown;
    try {
      for await (const part of router.stream({ model: 'glm-4.5', request }, { signal: controller.signal })) {
        seen.push(part);
        if (part.type === 'text-delta') setTimeout(() => controller.abort(), 10);
      }
    } catch (caught) {
      error = caught;
    }
    expect(AbortedError.isInstance(error)).toBe(true);
    expect(glm.calls[0]?.signal?.aborted).toBe(true);
    expect(glm.calls).toHaveLength(1);
  });

  it('aborts the upstream request when the consumer breaks out of the loop', async () => {
    const { router, kimi } = routerFixture();
    for await (const part of router.stream({ model: 'kimi', request })) {
      if (part.type === 'text-delta') break;
    }
    expect(kimi.calls[0]?.signal?.aborted).toBe(true);
    expect(kimi.calls[0]?.unfinished).toBe(true);
  });

  it('raises resolution errors from streamWithMetadata at once, and from stream while iterating', async () => {
    const { router } = routerFixture({ only: ['glm'] });
    expect(() => router.streamWithMetadata({ model: 'kimi', request })).toThrow('KIMI_API_KEY is not set');
    const iterable = router.stream({ model: 'kimi', request });
    const { error } = await drain(iterable);
    expect((error as { code?: string }).code).toBe('provider_not_configured');
  });
});
