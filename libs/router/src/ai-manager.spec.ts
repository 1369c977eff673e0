import { describe, expect, it } from '@jest/globals';
import type { ChatRequest, StreamPart } from '@exai/router/spec';
import { parseClassification } from './ai-manager.js';
import { routerFixture, type FixtureOptions } from './test-support/router-fixture.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'What changed in the Node.js 24 release?' }] };
const deepWithWeb = JSON.stringify({ category: 'deep', needsWeb: true, needsThinking: false, complexity: 'high' });
const managed = (options: FixtureOptions = {}) => routerFixture({ aiManager: { enabled: true, timeoutMs: 200 }, ...options });

describe('AI manager', () => {
  it('classifies an auto task with a JSON-mode call to the fast model, and may turn web search on', async () => {
    const { router, glm } = managed();
    glm.script({ kind: 'answer', text: deepWithWeb });
    const result = await router.generate({ model: 'auto', request });
    expect(glm.calls[0]).toMatchObject({ modelId: 'glm-4.5-flash', request: { responseFormat: { type: 'json_object' }, thinking: { enabled: false } } });
    expect(glm.calls[0]?.request.messages[1]?.content).toContain('Task:\nWhat changed in the Node.js 24 release?');
    expect(result.decision).toMatchObject({ mode: 'auto', category: 'deep', classifiedBy: 'ai-manager', model: 'glm-4.6' });
    expect(result.decision.reasons).toEqual(['AI manager (glm-4.5-flash): deep, complexity high', 'web search turned on (the AI manager says the task needs the web)']);
    expect(glm.calls[1]?.request.webSearch).toEqual({ enabled: true });
    expect(glm.calls[1]?.modelId).toBe('glm-4.6');
  });

  it('answers a repeated task from its cache, and explain reads the cache without I/O', async () => {
    const { router, glm } = managed();
    glm.script({ kind: 'answer', text: deepWithWeb });
    await router.generate({ model: 'auto', request });
    const again = await router.generate({ model: 'auto', request });
    expect(glm.calls.map((call) => call.modelId)).toEqual(['glm-4.5-flash', 'glm-4.6', 'glm-4.6']);
    expect(again.decision.reasons[0]).toBe('AI manager (glm-4.5-flash, cached): deep, complexity high');
    const explained = router.explain({ model: 'auto', request });
    expect(explained.classifiedBy).toBe('ai-manager');
    expect(glm.calls).toHaveLength(3);
    const fresh = router.explain({ model: 'auto', request: { messages: [{ role: 'user', content: 'Something else' }] } });
    expect(fresh.classifiedBy).toBe('rules');
    expect(fresh.reasons).toContain('AI manager not consulted in a dry run (no cached classification)');
  });

  it('lets the rules decide when the manager times out, without delaying the call beyond its timeout', async () => {
    const { router, glm } = managed({ aiManager: { enabled: true, timeoutMs: 30 } });
    glm.script({ kind: 'hang' });
    const begun = performance.now();
    const result = await router.generate({ model: 'auto', request });
    // The provider hangs for good: answering at all proves the 30 ms manager limit held (loose bound for a busy machine).
    expect(performance.now() - begun).toBeLessThan(5_000);
    expect(glm.calls[0]?.signal?.aborted).toBe(true);
    expect(result.decision).toMatchObject({ classifiedBy: 'rules', category: 'fast', model: 'glm-4.5-flash' });
    expect(result.decision.reasons).toEqual(['a short request with no special needs', 'AI manager gave no usable answer; the rules decided']);
  });

  it.each([
    ['prose', 'This looks like a deep task.'],
    ['an unknown category', '{"category":"huge","needsWeb":false}'],
    ['broken JSON', '{"category":"deep",'],
  ])('lets the rules decide when the manager answers with %s', async (_name, answer) => {
    const { router, glm } = managed();
    glm.script({ kind: 'answer', text: answer });
    const result = await router.generate({ model: 'auto', request });
    expect(result.decision.classifiedBy).toBe('rules');
    // Nothing was cached: the next call asks again.
    glm.script({ kind: 'answer', text: deepWithWeb });
    expect((await router.generate({ model: 'auto', request })).decision.classifiedBy).toBe('ai-manager');
  });

  it('runs only for auto calls without a task category', async () => {
    const { router, glm } = managed();
    await router.generate({ model: 'glm-4.5', request });
    await router.generate({ model: 'auto', request, task: { category: 'balanced' } });
    expect(glm.calls.map((call) => call.modelId)).toEqual(['glm-4.5', 'glm-4.5v']);
  });

  it('drops what it turned on when no model can honour it', async () => {
    const { router, glm } = managed();
    glm.script({ kind: 'answer', text: deepWithWeb });
    const image: ChatRequest = { messages: [{ role: 'user', content: [{ type: 'image', image: 'data:image/png;base64,AAAA' }] }] };
    const result = await router.generate({ model: 'auto', request: image });
    expect(result.decision.reasons).toEqual(['AI manager (glm-4.5-flash): deep, complexity high', 'no model could honour what the AI manager turned on; the request is sent as it is']);
    expect(result.model.id).toBe('kimi-thinking-preview');
  });

  it('classifies streamed calls too, updating the decision before the first part', async () => {
    const { router, glm } = managed();
    glm.script({ kind: 'answer', text: deepWithWeb });
    const routed = router.streamWithMetadata({ model: 'auto', request });
    expect(routed.decision.classifiedBy).toBe('rules');
    const parts: StreamPart[] = [];
    for await (const part of routed.parts) parts.push(part);
    expect(routed.decision.classifiedBy).toBe('ai-manager');
    expect(routed.model.id).toBe('glm-4.6');
    expect(routed.summary?.decision.category).toBe('deep');
  });
});

describe('parseClassification', () => {
  it('reads JSON, also inside a code fence, with missing flags as false', () => {
    expect(parseClassification('```json\n{"category":"balanced"}\n```')).toEqual({ category: 'balanced', needsWeb: false, needsThinking: false, complexity: 'medium' });
    expect(parseClassification('{"category":"fast","needsWeb":true,"needsThinking":true,"complexity":"low"}')).toEqual({
      category: 'fast',
      needsWeb: true,
      needsThinking: true,
      complexity: 'low',
    });
    expect(parseClassification('{"category":"fast","complexity":"extreme"}')?.complexity).toBe('medium');
    expect(parseClassification('{"needsWeb":true}')).toBeUndefined();
    expect(parseClassification('')).toBeUndefined();
  });
});
