import { describe, expect, it } from '@jest/globals';
import type { ChatRequest } from '@exai/router/spec';
import { CapabilityError, NoQualifyingModelError } from './router-errors.js';
import { routerFixture } from './test-support/router-fixture.js';

const text: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };
const image: ChatRequest = { messages: [{ role: 'user', content: [{ type: 'image', image: 'data:image/png;base64,AAAA' }, { type: 'text', text: 'What is this?' }] }] };
/** About 150,000 tokens (4 characters per token): too long for the 131,072-token models. */
const long: ChatRequest = { messages: [{ role: 'user', content: 'x'.repeat(600_000) }] };

const reject = (decision: { rejected: Array<{ model: string; code: string; reason: string }> }, model: string) =>
  decision.rejected.find((entry) => entry.model === model);

describe('automatic selection', () => {
  it('sends a short text request to the cheapest fast model, then the fast tier by cost, then the other tiers', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'auto', request: text });
    expect(decision).toMatchObject({ mode: 'auto', requested: 'auto', category: 'fast', classifiedBy: 'rules', model: 'glm-4.5-flash', provider: 'glm', estimatedCostUsd: 0 });
    expect(decision.reasons).toEqual(['a short request with no special needs']);
    expect(decision.rejected).toEqual([]);
    const tiers = decision.chain.map((entry) => entry.tier);
    expect(tiers.indexOf('balanced')).toBeGreaterThan(tiers.lastIndexOf('fast'));
    expect(tiers.indexOf('deep')).toBeGreaterThan(tiers.lastIndexOf('balanced'));
    const fast = decision.chain.filter((entry) => entry.tier === 'fast').map((entry) => entry.estimatedCostUsd);
    expect(fast).toEqual([...fast].sort((a, b) => a - b));
    expect(decision.chain).toHaveLength(19);
  });

  it('uses the task category, and explains it', () => {
    const { router } = routerFixture();
    const decision = router.explain({ request: text, model: 'auto', task: { category: 'deep', tool: 'chat' } });
    expect(decision).toMatchObject({ category: 'deep', classifiedBy: 'task', model: 'glm-4.6' });
    expect(decision.reasons).toEqual(['category deep given by the task']);
  });

  it('classifies by rules: thinking level, workflow tools, files, long input', () => {
    const { router } = routerFixture();
    const high = router.explain({ model: 'auto', request: { ...text, thinking: { enabled: true, level: 'high' } } });
    expect(high).toMatchObject({ category: 'deep', model: 'glm-4.6', reasons: ['thinking level high asks for deep reasoning'] });
    expect(router.explain({ model: 'auto', request: text, task: { tool: 'thinkdeep' } })).toMatchObject({ category: 'deep', reasons: ['tool thinkdeep reasons step by step'] });
    expect(router.explain({ model: 'auto', request: { ...text, thinking: { enabled: true } } }).category).toBe('balanced');
    expect(router.explain({ model: 'auto', request: text, task: { tool: 'analyze' } }).category).toBe('balanced');
  });

  it('sends images to vision models only', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'auto', request: image });
    expect(decision.chain.map((entry) => entry.model)).toEqual([
      'moonshot-v1-8k-vision-preview',
      'glm-4.5v',
      'moonshot-v1-32k-vision-preview',
      'moonshot-v1-128k-vision-preview',
      'kimi-thinking-preview',
    ]);
    expect(reject(decision, 'glm-4.6')).toEqual({ model: 'glm-4.6', provider: 'glm', code: 'capability', reason: 'cannot read images or video' });
    expect(decision.needs.vision).toBe(true);
  });

  it('sends web search to models with in-chat search, priced with the per-search price', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'auto', request: { ...text, webSearch: { enabled: true } } });
    // Kimi's $web_search costs $0.005, GLM's web_search $0.01: the cheap Kimi model wins the fast tier.
    expect(decision.model).toBe('moonshot-v1-8k');
    expect(decision.chain[1]?.model).toBe('glm-4.5-flash');
    expect(decision.chain[1]?.estimatedCostUsd).toBeCloseTo(0.01, 10);
    expect(reject(decision, 'kimi-k2-thinking')?.reason).toBe('cannot search the web');
    expect(reject(decision, 'glm-4.5v')?.code).toBe('capability');
  });

  it('honours thinking wanted and thinking turned off', () => {
    const { router } = routerFixture();
    const on = router.explain({ model: 'auto', request: { ...text, thinking: { enabled: true } } });
    expect(reject(on, 'kimi-k2-0905-preview')).toMatchObject({ code: 'thinking', reason: 'does not think; the request asks for thinking' });
    expect(on.chain.every((entry) => !entry.model.startsWith('moonshot'))).toBe(true);
    const off = router.explain({ model: 'auto', request: { ...text, thinking: { enabled: false } }, task: { category: 'deep' } });
    expect(reject(off, 'kimi-k2-thinking')).toMatchObject({ code: 'thinking', reason: 'always thinks; the request turns thinking off' });
    expect(off.model).toBe('glm-4.6');
  });

  it('sends function tools to models that call tools', () => {
    const { router } = routerFixture();
    const tools: ChatRequest = { ...image, tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object' } }] };
    const decision = router.explain({ model: 'auto', request: tools });
    expect(reject(decision, 'kimi-thinking-preview')?.reason).toBe('cannot call functions (tools)');
    expect(decision.chain.map((entry) => entry.model)).not.toContain('kimi-thinking-preview');
  });

  it('sends Kimi file ids to Kimi models with file extraction', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'auto', request: { ...text, providerOptions: { kimi: { fileIds: ['file-1'] } } } });
    expect(decision).toMatchObject({ category: 'balanced', model: 'kimi-k2-0905-preview', reasons: ['1 uploaded file(s) to read'] });
    expect(decision.chain.every((entry) => entry.provider === 'kimi')).toBe(true);
    expect(reject(decision, 'glm-4.6')?.reason).toBe('cannot read uploaded files (Kimi file ids)');
  });

  it('leaves out models whose context window cannot hold the prompt and the answer, before any call', async () => {
    const { router, glm, kimi } = routerFixture();
    const decision = router.explain({ model: 'auto', request: long });
    expect(decision.estimatedInputTokens).toBeGreaterThan(150_000);
    expect(reject(decision, 'glm-4.5')).toEqual({
      model: 'glm-4.5',
      provider: 'glm',
      code: 'context',
      reason: 'needs about 166,029 tokens with the answer; its window is 131,072',
    });
    expect(decision.chain.map((entry) => entry.model).sort()).toEqual(['glm-4.6', 'kimi-k2-0905-preview', 'kimi-k2-thinking', 'kimi-k2-thinking-turbo', 'kimi-k2-turbo-preview']);
    // The task's own estimate (files the provider inlines) counts when larger: only the 256K Kimi models fit.
    const files = router.explain({ model: 'auto', request: text, task: { estimatedInputTokens: 200_000 } });
    expect(new Set(files.chain.map((entry) => entry.provider))).toEqual(new Set(['kimi']));
    await router.generate({ model: 'auto', request: long });
    expect(glm.calls).toHaveLength(0);
    expect(kimi.calls[0]?.modelId).toBe('kimi-k2-0905-preview');
  });

  it('moves an explicit model that cannot fit the prompt to a model with a larger window', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'glm-4.5', request: long });
    expect(decision).toMatchObject({ mode: 'explicit', requested: 'glm-4.5', model: 'kimi-k2-0905-preview' });
    expect(decision.reasons[1]).toBe(
      'glm-4.5 cannot take this request (needs about 166,029 tokens with the answer; its window is 131,072); choosing among the others as for auto',
    );
    const strict = routerFixture({ fallback: { explicitModels: false } }).router;
    expect(() => strict.explain({ model: 'glm-4.5', request: long })).toThrow(NoQualifyingModelError);
  });

  it('excludes candidates above the cost cap', () => {
    const { router } = routerFixture({ maxCostPerRequestUsd: 0.001 });
    const decision = router.explain({ model: 'auto', request: text, task: { category: 'balanced' } });
    // Every balanced model is above the cap; the free fast model is the only one left.
    expect(decision.model).toBe('glm-4.5-flash');
    expect(decision.chain.map((entry) => entry.model)).toEqual(['glm-4.5-flash']);
    expect(reject(decision, 'glm-4.5')).toEqual({ model: 'glm-4.5', provider: 'glm', code: 'cost', reason: 'estimated $0.00226 is above the cap of $0.00100 per request' });
    const strict = routerFixture({ maxCostPerRequestUsd: 0.001, only: ['kimi'] }).router;
    const error = (() => {
      try {
        strict.explain({ model: 'auto', request: text });
      } catch (caught) {
        return caught;
      }
    })();
    expect(NoQualifyingModelError.isInstance(error)).toBe(true);
    expect((error as NoQualifyingModelError).code).toBe('no_qualifying_model');
    expect((error as Error).message).toMatch(/^No usable model can take this request\. glm-4\.5-air: GLM_API_KEY is not set; /);
  });

  it('estimates cost with the output limit, thinking, and prior turns at the cached price', () => {
    const { router } = routerFixture();
    const conversation: ChatRequest = {
      messages: [
        { role: 'user', content: 'a'.repeat(4_000) },
        { role: 'assistant', content: 'b'.repeat(4_000) },
        { role: 'user', content: 'c'.repeat(4_000) },
      ],
      maxTokens: 1_000,
    };
    const decision = router.explain({ model: 'glm-4.6', request: conversation });
    // 3 × 1,004 input tokens, the first two turns cached; 1,000 output tokens.
    expect(decision.estimatedInputTokens).toBe(3_012);
    expect(decision.estimatedCostUsd).toBeCloseTo((1_004 * 0.6 + 2_008 * 0.11 + 1_000 * 2.2) / 1e6, 12);
    const thinking = router.explain({ model: 'glm-4.6', request: { ...conversation, thinking: { enabled: true } } });
    expect(thinking.estimatedCostUsd).toBeCloseTo((1_004 * 0.6 + 2_008 * 0.11 + 2_000 * 2.2) / 1e6, 12);
  });

  it('uses only providers with keys and allowed models', () => {
    const { router } = routerFixture({ only: ['kimi'], allowedModels: { kimi: ['kimi-k2-turbo-preview', 'kimi-k2'] } });
    const decision = router.explain({ model: 'auto', request: text });
    expect(decision.chain.map((entry) => entry.model)).toEqual(['kimi-k2-turbo-preview', 'kimi-k2-0905-preview']);
    expect(reject(decision, 'glm-4.5-flash')).toMatchObject({ code: 'unavailable', reason: 'GLM_API_KEY is not set' });
    expect(reject(decision, 'moonshot-v1-8k')).toMatchObject({ code: 'unavailable', reason: 'not in KIMI_ALLOWED_MODELS' });
  });

  it('treats no model with defaultModel "auto" as automatic, and otherwise uses the default model', () => {
    expect(routerFixture({ defaultModel: 'auto' }).router.explain({ request: text })).toMatchObject({ mode: 'auto', model: 'glm-4.5-flash' });
    expect(routerFixture({ defaultModel: 'kimi' }).router.explain({ request: text })).toMatchObject({ mode: 'explicit', requested: 'kimi-k2-0905-preview', model: 'kimi-k2-0905-preview' });
    // The default model without a key: automatic selection within its tier.
    const decision = routerFixture({ defaultModel: 'glm-4.6', only: ['kimi'] }).router.explain({ request: text });
    expect(decision).toMatchObject({ mode: 'auto', category: 'deep', model: 'kimi-k2-thinking' });
    expect(decision.reasons[0]).toBe('the default model glm-4.6 cannot be used (GLM_API_KEY is not set)');
  });

  it('gives an explicit model a same-tier chain, cheapest first, and keeps capability errors clear', () => {
    const { router } = routerFixture();
    const decision = router.explain({ model: 'glm-4.5', request: text });
    expect(decision).toMatchObject({ mode: 'explicit', classifiedBy: 'model', category: 'balanced', model: 'glm-4.5', reasons: ['glm-4.5 was requested'] });
    expect(decision.chain[0]?.model).toBe('glm-4.5');
    expect(decision.chain.slice(1).every((entry) => entry.tier === 'balanced')).toBe(true);
    const costs = decision.chain.slice(1).map((entry) => entry.estimatedCostUsd);
    expect(costs).toEqual([...costs].sort((a, b) => a - b));
    expect(routerFixture({ fallback: { explicitModels: false } }).router.explain({ model: 'glm-4.5', request: text }).chain).toHaveLength(1);
    expect(() => router.explain({ model: 'glm-4.6', request: image })).toThrow(CapabilityError);
    expect(() => router.explain({ model: 'glm-4.6', request: { ...text, providerOptions: { kimi: { fileIds: ['f'] } } } })).toThrow(
      /^glm-4\.6 cannot read uploaded files \(providerOptions\.kimi\.fileIds\)\. Models that can: kimi-/,
    );
  });

  it('explains without I/O, and the call makes the same decision', async () => {
    const { router, glm, kimi } = routerFixture();
    const call = { model: 'auto', request: { ...text, webSearch: { enabled: true } } };
    const explained = router.explain(call);
    expect(glm.calls).toHaveLength(0);
    expect(kimi.calls).toHaveLength(0);
    const result = await router.generate(call);
    expect(result.decision).toEqual(explained);
    expect(result.model.id).toBe(explained.model);
    expect(kimi.calls[0]?.request.webSearch).toEqual({ enabled: true });
  });

  it('refuses a request no model can take, saying why for each', () => {
    const { router } = routerFixture();
    const error = (() => {
      try {
        router.explain({ model: 'auto', request: { ...image, webSearch: { enabled: true } } });
      } catch (caught) {
        return caught;
      }
    })() as NoQualifyingModelError;
    expect(NoQualifyingModelError.isInstance(error)).toBe(true);
    expect(error.rejected).toHaveLength(19);
    expect(error.rejected.find((entry) => entry.model === 'glm-4.5v')?.reason).toBe('cannot search the web');
    expect(error.message).toContain('and 11 more.');
  });
});
