import { afterEach, describe, expect, it } from '@jest/globals';
import type { ToolsRouter } from '../tools-router.js';
import { connectClient, fakeServerOptions, textOf } from '../test-support/tool-harness.js';
import { buildIntentRequest, classifyIntentByRules, parseIntentHints, toAiClassification } from './intent-classification.js';
import type { KimiIntentAnalysisOutput } from './kimi-intent-analysis-tool.js';
import { startVendorSim, structuredOf, type VendorSim } from './test-support/vendor-sim.js';

describe('intent classification', () => {
  it('builds a short JSON-mode request without thinking that lists the usable models', () => {
    const request = buildIntentRequest('x'.repeat(10_000), { context: 'earlier turns', models: ['glm-4.5-flash', 'kimi-k2-turbo-preview'] });
    expect(request).toMatchObject({ responseFormat: { type: 'json_object' }, thinking: { enabled: false }, temperature: 0, maxTokens: 300 });
    expect(request.messages[0]?.content).toContain('suggested_model: one of glm-4.5-flash, kimi-k2-turbo-preview.');
    expect((request.messages[1]?.content as string).length).toBeLessThan(4_100 + 'Context:\nearlier turns'.length);
  });

  it('parses fenced or chatty JSON leniently and rejects what is not a classification', () => {
    expect(parseIntentHints('Sure!\n```json\n{"category":"deep","needs_web":true,"complexity":"extreme","suggested_model":"glm-4.6"}\n```')).toEqual({
      category: 'deep',
      needs_web: true,
      needs_thinking: false,
      needs_files: false,
      complexity: 'medium',
      suggested_model: 'glm-4.6',
    });
    expect(parseIntentHints('{"category":"huge"}')).toBeUndefined();
    expect(parseIntentHints('{"category":')).toBeUndefined();
    expect(parseIntentHints('no json here')).toBeUndefined();
  });

  it('falls back to rules that read the prompt', () => {
    expect(classifyIntentByRules('What is the latest Node.js release?')).toMatchObject({ needs_web: true, needs_thinking: false, category: 'fast', complexity: 'low' });
    expect(classifyIntentByRules('Summarise the attached file report.pdf')).toMatchObject({ needs_files: true, category: 'balanced' });
    expect(classifyIntentByRules(`Debug this deadlock and find the root cause. ${'Stack trace line. '.repeat(40)}`)).toMatchObject({ needs_thinking: true, complexity: 'high', category: 'deep' });
    expect(toAiClassification({ category: 'deep', needs_web: true, needs_thinking: false, needs_files: true, complexity: 'high' })).toEqual({ category: 'deep', needsWeb: true, needsThinking: false, complexity: 'high' });
  });
});

describe('kimi_intent_analysis', () => {
  let env: VendorSim | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('asks a fast Kimi model in JSON mode and falls back to the rules when it answers prose', async () => {
    env = await startVendorSim();
    const output = structuredOf<KimiIntentAnalysisOutput>(await env.call('kimi_intent_analysis', { prompt: 'Why does this deadlock? Debug the root cause.' }));
    // The simulator answers prose, never JSON.
    expect(output.classified_by).toBe('rules');
    expect(output.reasons[0]).toBe('kimi-k2-turbo-preview answered without valid JSON; the rules decided');
    expect(output.hints).toMatchObject({ needs_thinking: true, category: 'deep' });
    expect(output.hints.suggested_model).toBe(env.router.explain({ model: 'auto', request: { messages: [{ role: 'user', content: 'x' }], thinking: { enabled: true } }, task: { category: 'deep' } }).model);
    expect(output.metadata).toMatchObject({ provider: 'kimi', model: 'kimi-k2-turbo-preview' });
    const sent = env.requests('POST', '/v1/chat/completions')[0]!.body as Record<string, unknown>;
    expect(sent).toMatchObject({ model: 'kimi-k2-turbo-preview', response_format: { type: 'json_object' }, temperature: 0, max_tokens: 300 });
  });

  it('uses the model classification when it is valid, and replaces an unusable suggested model', async () => {
    env = await startVendorSim();
    const real = env.router;
    const answer = '{"category":"balanced","needs_web":true,"needs_thinking":false,"needs_files":true,"complexity":"medium","suggested_model":"gpt-4o"}';
    const router: ToolsRouter = {
      resolve: (model) => real.resolve(model),
      listModels: () => real.listModels(),
      status: () => real.status(),
      explain: (call) => real.explain(call),
      streamWithMetadata: (call, options) => real.streamWithMetadata(call, options),
      generate: async (call, options) => ({ ...(await real.generate(call, options)), text: answer }),
    };
    const { call, close } = await connectClient(fakeServerOptions({ router, vendors: { kimi: env.kimi }, tools: { profile: 'full' } }));
    try {
      const output = structuredOf<KimiIntentAnalysisOutput>(await call('kimi_intent_analysis', { prompt: 'Compare the two PDFs with current prices' }));
      expect(output.classified_by).toBe('model');
      expect(output.hints).toMatchObject({ category: 'balanced', needs_web: true, needs_files: true, complexity: 'medium' });
      expect(output.hints.suggested_model).not.toBe('gpt-4o');
      expect(output.reasons).toContain('suggested model gpt-4o is not usable; the router chose');
    } finally {
      await close();
    }
  });

  it('decides by rules when the call fails, and names KIMI_API_KEY without Kimi', async () => {
    env = await startVendorSim();
    const failed = structuredOf<KimiIntentAnalysisOutput>(await env.call('kimi_intent_analysis', { prompt: 'latest news [[sim:error:exceeded_current_quota_error]]' }));
    expect(failed.classified_by).toBe('rules');
    expect(failed.reasons[0]).toMatch(/^the classifying call failed \(.+\); the rules decided$/);
    expect(failed.hints.needs_web).toBe(true);
    expect(failed.metadata).toBeUndefined();
    await env.close();
    env = await startVendorSim({ kimi: false });
    const missing = await env.call('kimi_intent_analysis', { prompt: 'x' });
    expect(textOf(missing)).toMatch(/^KIMI_API_KEY is not set; kimi_intent_analysis needs/);
  });
});
