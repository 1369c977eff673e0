import { describe, expect, it } from '@jest/globals';
import type { ChatRequest } from '@exai/router/spec';
import { estimatePromptTokens, estimateTextTokens } from './estimate-prompt-tokens.js';
import { CapabilityError } from './router-errors.js';
import { routerFixture } from './test-support/router-fixture.js';

const { router } = routerFixture();
const info = (name: string) => router.resolve(name).info;
const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({ messages: [{ role: 'user', content }], ...extra });

function capabilityError(run: () => unknown): CapabilityError {
  try {
    run();
  } catch (error) {
    if (CapabilityError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a CapabilityError');
}

describe('router.prepare: maxTokens', () => {
  it("defaults to the model's output limit", () => {
    expect(router.prepare(info('glm-4.5v'), ask('hi')).request.maxTokens).toBe(16_384);
    expect(router.prepare(info('glm-4.6'), ask('hi')).warnings).toEqual([]);
  });

  it("clamps to the model's output limit with a warning", () => {
    const { request, warnings } = router.prepare(info('glm-4.6'), ask('hi', { maxTokens: 200_000 }));
    expect(request.maxTokens).toBe(131_072);
    expect(warnings).toEqual(["maxTokens 200000 exceeds glm-4.6's output limit; sent 131072"]);
  });

  it('keeps a request that fits', () => {
    const { request, warnings } = router.prepare(info('glm-4.6'), ask('hi', { maxTokens: 512 }));
    expect(request.maxTokens).toBe(512);
    expect(warnings).toEqual([]);
  });

  it('lowers maxTokens so the estimated prompt and the answer fit the context window', () => {
    const prompt = ask('word '.repeat(4_000)); // ≈ 5,000 tokens
    const room = 8_192 - Math.ceil(estimatePromptTokens(prompt) * 1.1);
    expect(room).toBeGreaterThan(256);
    expect(router.prepare(info('moonshot-v1-8k'), prompt).request.maxTokens).toBe(room);
    const explicit = router.prepare(info('moonshot-v1-8k'), { ...prompt, maxTokens: 8_000 });
    expect(explicit.request.maxTokens).toBe(room);
    expect(explicit.warnings[0]).toMatch(/^maxTokens lowered from 8000 to \d+ so the prompt \(about \d+ tokens\) and the answer fit moonshot-v1-8k's 8192-token context$/);
  });

  it('leaves a prompt that already overflows the window to the vendor', () => {
    const prompt = ask('word '.repeat(10_000));
    expect(router.prepare(info('moonshot-v1-8k'), prompt).request.maxTokens).toBe(8_192);
  });

  it('estimates CJK text at a token per character', () => {
    expect(estimateTextTokens('你好世界')).toBe(4);
    expect(estimateTextTokens('abcdefgh')).toBe(2);
  });
});

describe('router.prepare: temperature', () => {
  it("defaults to the model's default", () => {
    expect(router.prepare(info('glm-4.6'), ask('hi')).request.temperature).toBe(1);
    expect(router.prepare(info('glm-4.5'), ask('hi')).request.temperature).toBe(0.6);
    expect(router.prepare(info('moonshot-v1-8k'), ask('hi')).request.temperature).toBe(0);
  });

  it('clamps to the range with a warning', () => {
    const { request, warnings } = router.prepare(info('kimi'), ask('hi', { temperature: 1.7 }));
    expect(request.temperature).toBe(1);
    expect(warnings).toEqual(["temperature 1.7 is outside kimi-k2-0905-preview's range 0–1; sent 1"]);
  });

  it('forces the fixed value of thinking models', () => {
    const { request, warnings } = router.prepare(info('kimi-k2-thinking'), ask('hi', { temperature: 0.2 }));
    expect(request.temperature).toBe(1);
    expect(warnings).toEqual(['kimi-k2-thinking accepts only temperature 1; sent 1 instead of 0.2']);
    expect(router.prepare(info('kimi-k2-thinking'), ask('hi')).warnings).toEqual([]);
  });
});

describe('router.prepare: capabilities', () => {
  const withImage: ChatRequest = {
    messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image', image: 'data:image/png;base64,AAAA' }] }],
  };

  it('refuses images for a model without vision, naming the models that have it', () => {
    const error = capabilityError(() => router.prepare(info('glm-4.6'), withImage));
    expect(error.code).toBe('capability_unsupported');
    expect(error.capability).toBe('vision');
    expect(error.alternatives).toEqual(
      expect.arrayContaining(['glm-4.5v', 'moonshot-v1-8k-vision-preview', 'moonshot-v1-128k-vision-preview', 'kimi-thinking-preview']),
    );
    expect(error.alternatives).not.toContain('glm-4.6');
    expect(router.prepare(info('glm-4.5v'), withImage).request.messages).toBe(withImage.messages);
  });

  it('lists only usable alternatives when some are usable', () => {
    const kimiOnly = routerFixture({ only: ['kimi'] }).router;
    const error = capabilityError(() => kimiOnly.prepare(kimiOnly.resolve('kimi').info, withImage));
    expect(error.alternatives).not.toContain('glm-4.5v');
    expect(error.message).toMatch(/^kimi-k2-0905-preview cannot read images or video\. Models that can: kimi-thinking-preview, moonshot-v1-8k-vision-preview, /);
  });

  it('refuses function tools for a model without tools', () => {
    const tools: ChatRequest = { ...ask('weather?'), tools: [{ type: 'function', name: 'weather', parameters: { type: 'object' } }] };
    expect(capabilityError(() => router.prepare(info('kimi-thinking-preview'), tools)).capability).toBe('tools');
    expect(router.prepare(info('kimi-k2-thinking'), tools).request.tools).toHaveLength(1);
  });

  it('refuses web search where the model has none', () => {
    const error = capabilityError(() => router.prepare(info('kimi-k2-thinking'), ask('news?', { webSearch: { enabled: true } })));
    expect(error.capability).toBe('webSearch');
    expect(error.message).toContain('cannot search the web');
    expect(router.prepare(info('glm-4.6'), ask('news?', { webSearch: { enabled: false } })).warnings).toEqual([]);
  });

  it('refuses JSON mode and partial mode where unsupported', () => {
    expect(capabilityError(() => router.prepare(info('glm-4.5v'), ask('x', { responseFormat: { type: 'json_object' } }))).capability).toBe('jsonMode');
    const partial: ChatRequest = { messages: [{ role: 'user', content: 'go on' }, { role: 'assistant', content: 'Once', partial: true }] };
    expect(capabilityError(() => router.prepare(info('glm-4.6'), partial)).capability).toBe('partialMode');
    expect(router.prepare(info('kimi'), partial).warnings).toEqual([]);
  });

  it('turns thinking off, with a warning, for models that never think', () => {
    const { request, warnings } = router.prepare(info('kimi'), ask('hi', { thinking: { enabled: true, level: 'high' } }));
    expect(request.thinking).toBeUndefined();
    expect(warnings).toEqual(['kimi-k2-0905-preview does not think; thinking was turned off']);
    expect(router.prepare(info('glm-4.6'), ask('hi', { thinking: { enabled: true } })).request.thinking).toEqual({ enabled: true });
  });

  it('notes that always-thinking models cannot stop thinking', () => {
    const { request, warnings } = router.prepare(info('kimi-k2-thinking'), ask('hi', { thinking: { enabled: false } }));
    expect(request.thinking).toBeUndefined();
    expect(warnings).toEqual(['kimi-k2-thinking always thinks; thinking cannot be turned off']);
  });

  it('does not modify the caller request', () => {
    const original = ask('hi', { temperature: 5, thinking: { enabled: true } });
    router.prepare(info('kimi'), original);
    expect(original).toEqual(ask('hi', { temperature: 5, thinking: { enabled: true } }));
  });
});
