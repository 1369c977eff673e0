import { mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderUnavailableError } from '@exai/router/spec';
import { describe, expect, it } from '@jest/globals';
import { CallToolResultSchema, type CallToolResult, type Progress } from '@modelcontextprotocol/sdk/types.js';
import { connectClient, fakeServerOptions, textOf } from '../../test-support/tool-harness.js';
import { ScriptedRouter } from './test-support/scripted-router.js';

const MODELS = ['glm-a', 'kimi-b', 'glm-c', 'kimi-d', 'glm-e'];
const PROPOSAL = 'Evaluate: replace our REST polling with server-sent events.';

const answer = (tag: string, score: number): string =>
  `## Verdict\n${tag} says so.\n## Analysis\nBecause ${tag}.\n## Confidence Score\n${score}/10 — reasons\n## Key Takeaways\n- ${tag}`;

function setup(): { router: ScriptedRouter; options: ReturnType<typeof fakeServerOptions> } {
  const router = new ScriptedRouter(MODELS);
  return { router, options: fakeServerOptions({ router }) };
}

interface Verdict {
  model: string;
  stance: string;
  status: string;
  verdict?: string;
  error?: string;
  confidence_score?: number;
  metadata?: { model: string; cost_usd: number };
}
const structured = (result: CallToolResult) =>
  result.structuredContent as { status: string; verdicts: Verdict[]; total_cost_usd: number; models_failed: number; continuation_id?: string; step_number?: number; total_steps?: number; next_step_required?: boolean };

const threeStances = [
  { model: 'glm-a', stance: 'for' },
  { model: 'kimi-b', stance: 'against' },
  { model: 'glm-c', stance: 'neutral' },
];

describe('consensus (one call)', () => {
  it('consults three stances, each blinded, and returns every verdict with its cost', async () => {
    const { router, options } = setup();
    router.script.set('glm-a', answer('ANSWER-FOR', 8)).set('kimi-b', answer('ANSWER-AGAINST', 6)).set('glm-c', answer('ANSWER-NEUTRAL', 7));
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: threeStances, findings: 'MY-PRIVATE-NOTES' });
    await close();

    expect(result.isError).toBeFalsy();
    const output = structured(result);
    expect(output.status).toBe('consensus_workflow_complete');
    expect(output.verdicts.map((verdict) => [verdict.model, verdict.stance, verdict.status])).toEqual([
      ['glm-a', 'for', 'ok'],
      ['kimi-b', 'against', 'ok'],
      ['glm-c', 'neutral', 'ok'],
    ]);
    expect(output.verdicts.map((verdict) => verdict.confidence_score)).toEqual([8, 6, 7]);
    expect(output.verdicts[1]!.verdict).toContain('ANSWER-AGAINST');
    const costs = output.verdicts.map((verdict) => verdict.metadata!.cost_usd);
    expect(costs.every((cost) => cost > 0)).toBe(true);
    expect(output.total_cost_usd).toBeCloseTo(costs.reduce((sum, cost) => sum + cost, 0), 12);
    expect(textOf(result)).toContain('Synthesise');

    expect(router.calls).toHaveLength(3);
    const answers = ['ANSWER-FOR', 'ANSWER-AGAINST', 'ANSWER-NEUTRAL'];
    for (const recorded of router.calls) {
      const prompt = ScriptedRouter.promptOf(recorded.call.request);
      // Blinded: the proposal only, never another model's verdict nor the caller's notes.
      for (const text of answers) expect(prompt).not.toContain(text);
      expect(prompt).not.toContain('MY-PRIVATE-NOTES');
      const user = recorded.call.request.messages.at(-1)!;
      expect(user).toEqual({ role: 'user', content: PROPOSAL });
      expect(recorded.call.request.thinking).toEqual({ enabled: true, level: 'medium' });
      expect(prompt).toContain('## Confidence Score');
      expect(prompt).toMatch(/Never argue for something harmful/);
    }
    const systemOf = (model: string) => ScriptedRouter.promptOf({ messages: [router.calls.find((recorded) => recorded.call.model === model)!.call.request.messages[0]!] });
    expect(systemOf('glm-a')).toContain('STANCE: FOR');
    expect(systemOf('kimi-b')).toContain('STANCE: AGAINST');
    expect(systemOf('glm-c')).toContain('STANCE: NEUTRAL');
  });

  it('uses a custom stance_prompt and sends the files to every model', async () => {
    const router = new ScriptedRouter(MODELS);
    const dir = await realpath(await mkdtemp(join(tmpdir(), 'consensus-')));
    const file = join(dir, 'events.ts');
    await writeFile(file, 'export const transport = "polling";\n');
    const { call, close } = await connectClient(fakeServerOptions({ router, limits: { allowedRoots: [dir] } }));
    const result = await call('consensus', {
      step: PROPOSAL,
      models: [{ model: 'glm-a', stance: 'for', stance_prompt: 'Argue as the on-call SRE.' }, { model: 'glm-a', stance: 'against' }],
      relevant_files: [file],
    });
    await close();
    expect(result.isError).toBeFalsy();
    expect(router.calls).toHaveLength(2);
    for (const recorded of router.calls) expect(ScriptedRouter.promptOf(recorded.call.request)).toContain('export const transport = "polling";');
    const forPrompt = ScriptedRouter.promptOf(router.calls.find((recorded) => ScriptedRouter.promptOf(recorded.call.request).includes('on-call SRE'))!.call.request);
    expect(forPrompt).not.toContain('STANCE: FOR');
    expect(forPrompt).toMatch(/Never argue for something harmful/);
  });

  it('consults in parallel, never more than three models at once', async () => {
    const { router, options } = setup();
    router.delayMs = 40;
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: MODELS.map((model) => ({ model })) });
    await close();
    expect(structured(result).verdicts).toHaveLength(5);
    // Three models were in flight together (parallel), never more (bounded).
    expect(router.maxInFlight).toBe(3);
  });

  it('reports a failed model with its error and keeps the others', async () => {
    const { router, options } = setup();
    router.script.set('glm-a', answer('ANSWER-FOR', 8)).set('kimi-b', new ProviderUnavailableError({ provider: 'kimi', status: 503, message: 'Kimi is overloaded' }));
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: [...threeStances, { model: 'no-such-model', stance: 'for' }] });
    await close();
    expect(result.isError).toBeFalsy();
    const output = structured(result);
    expect(output.verdicts.map((verdict) => verdict.status)).toEqual(['ok', 'error', 'ok', 'error']);
    expect(output.verdicts[1]!.error).toContain('Kimi is overloaded');
    expect(output.verdicts[3]!.error).toContain('Unknown model "no-such-model"');
    expect(output.models_failed).toBe(2);
    expect(output.total_cost_usd).toBeCloseTo(output.verdicts[0]!.metadata!.cost_usd + output.verdicts[2]!.metadata!.cost_usd, 12);
    expect(textOf(result)).toMatch(/kimi-b — against — FAILED\nKimi is overloaded/);
  });

  it('is an error when no model answers', async () => {
    const { router, options } = setup();
    router.script.set('glm-a', new Error('down')).set('kimi-b', new Error('down too'));
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a' }, { model: 'kimi-b' }] });
    await close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('glm-a (neutral): down');
  });

  it('refuses a duplicated (model, stance) pair and fewer than two models, before calling anyone', async () => {
    const { router, options } = setup();
    const { call, close } = await connectClient(options);
    const duplicate = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a', stance: 'for' }, { model: 'kimi-b' }, { model: 'GLM-A', stance: 'for' }] });
    expect(duplicate.isError).toBe(true);
    expect(textOf(duplicate)).toContain('Duplicate (model, stance) pair in "models": GLM-A with stance "for"');
    const neutralTwice = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a' }, { model: 'glm-a', stance: 'neutral' }] });
    expect(textOf(neutralTwice)).toContain('glm-a with stance "neutral"');
    const single = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a' }] });
    expect(single.isError).toBe(true);
    const none = await call('consensus', { step: PROPOSAL });
    expect(textOf(none)).toContain('at least two entries');
    await close();
    expect(router.calls).toHaveLength(0);
  });

  it('refuses images for a named model that cannot read them, before calling anyone', async () => {
    const { router, options } = setup();
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a' }, { model: 'fake-vision' }], images: ['data:image/png;base64,iVBORw0KGgo='] });
    await close();
    expect(result.isError).toBe(true);
    expect(textOf(result)).toContain('glm-a cannot read images; use a vision model such as fake-vision');
    expect(router.calls).toHaveLength(0);
  });

  it('does not require `model` (#162): only the proposal is required', async () => {
    const { options } = setup();
    const { client, close } = await connectClient(options);
    const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'consensus')!;
    await close();
    expect(tool.inputSchema.required).toEqual(['step']);
    expect(tool.inputSchema.properties).not.toHaveProperty('model');
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: true });
  });

  it('notifies progress as each model answers', async () => {
    const { options } = setup();
    const { client, close } = await connectClient(options);
    const updates: Progress[] = [];
    const result = await client.callTool({ name: 'consensus', arguments: { step: PROPOSAL, models: threeStances } }, CallToolResultSchema, {
      onprogress: (progress) => updates.push(progress),
    });
    await close();
    expect(result.isError).toBeFalsy();
    expect(updates).toHaveLength(3);
    expect(updates.map((update) => update.message).sort()).toEqual(expect.arrayContaining([expect.stringContaining('glm-a (for) answered')]));
    expect(updates.at(-1)!.message).toContain('3/3');
    const values = updates.map((update) => update.progress);
    expect([...values].sort((a, b) => a - b)).toEqual(values);
  });

  it('aborts every in-flight call when the client cancels, and starts no more', async () => {
    const { router, options } = setup();
    router.hang = true;
    const { client, close } = await connectClient(options);
    const controller = new AbortController();
    const pending = client.callTool({ name: 'consensus', arguments: { step: PROPOSAL, models: MODELS.slice(0, 4).map((model) => ({ model })) } }, CallToolResultSchema, {
      signal: controller.signal,
    });
    while (router.calls.length < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort(new Error('user pressed escape'));
    await expect(pending).rejects.toThrow('user pressed escape');
    // The server sees the cancellation notification asynchronously.
    while (router.inFlight > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await close();
    expect(router.calls).toHaveLength(3);
    expect(router.calls.every((recorded) => recorded.signal?.aborted)).toBe(true);
  });

  it('records the consensus as a thread that chat can continue', async () => {
    const { router, options } = setup();
    router.script.set('glm-a', answer('ANSWER-FOR', 8)).set('kimi-b', answer('ANSWER-AGAINST', 6));
    const { call, close } = await connectClient(options);
    const result = await call('consensus', { step: PROPOSAL, models: [{ model: 'glm-a', stance: 'for' }, { model: 'kimi-b', stance: 'against' }] });
    const continuationId = structured(result).continuation_id!;
    expect(continuationId).toBeTruthy();
    const chat = await call('chat', { prompt: 'Which verdict is stronger?', continuation_id: continuationId });
    await close();
    expect(chat.isError).toBeFalsy();
    const history = ScriptedRouter.promptOf(router.calls.at(-1)!.call.request);
    expect(history).toContain(PROPOSAL);
    expect(history).toContain('ANSWER-FOR');
    expect(history).toContain('ANSWER-AGAINST');
  });
});

describe('consensus (stepwise)', () => {
  const roster = [
    { model: 'glm-a', stance: 'for' },
    { model: 'kimi-b', stance: 'against' },
  ];

  it('consults model N at step N with the original proposal and completes at the last step', async () => {
    const { router, options } = setup();
    router.script.set('glm-a', answer('ANSWER-FOR', 8)).set('kimi-b', answer('ANSWER-AGAINST', 4));
    const { call, close } = await connectClient(options);
    const first = await call('consensus', { step: PROPOSAL, step_number: 1, total_steps: 5, next_step_required: true, findings: 'my view', models: roster });
    const one = structured(first);
    expect(one).toMatchObject({ status: 'model_consulted', step_number: 1, total_steps: 2, next_step_required: true });
    expect(one.verdicts.map((verdict) => verdict.model)).toEqual(['glm-a']);

    const second = await call('consensus', {
      step: 'glm-a argued ANSWER-FOR; now the critic',
      step_number: 2,
      total_steps: 2,
      next_step_required: false,
      findings: 'glm-a said ANSWER-FOR',
      continuation_id: one.continuation_id,
    });
    const two = structured(second);
    expect(two).toMatchObject({ status: 'consensus_workflow_complete', step_number: 2, next_step_required: false, continuation_id: one.continuation_id });
    expect(two.verdicts.map((verdict) => [verdict.model, verdict.stance])).toEqual([
      ['glm-a', 'for'],
      ['kimi-b', 'against'],
    ]);
    expect(two.total_cost_usd).toBeCloseTo(two.verdicts[0]!.metadata!.cost_usd + two.verdicts[1]!.metadata!.cost_usd, 12);

    expect(router.calls.map((recorded) => recorded.call.model)).toEqual(['glm-a', 'kimi-b']);
    const secondPrompt = ScriptedRouter.promptOf(router.calls[1]!.call.request);
    expect(router.calls[1]!.call.request.messages.at(-1)).toEqual({ role: 'user', content: PROPOSAL });
    expect(secondPrompt).not.toContain('ANSWER-FOR');

    const tooFar = await call('consensus', { step: 'more', step_number: 3, continuation_id: one.continuation_id });
    expect(textOf(tooFar)).toContain('all were consulted');
    await close();
  });

  it('explains a missing, unknown or skipped step', async () => {
    const { options } = setup();
    const { call, close } = await connectClient(options);
    const noId = await call('consensus', { step: 'x', step_number: 2 });
    expect(textOf(noId)).toContain('needs the continuation_id');
    const unknown = await call('consensus', { step: 'x', step_number: 2, continuation_id: 'nope' });
    expect(textOf(unknown)).toContain('no consensus in progress');
    const first = structured(await call('consensus', { step: PROPOSAL, step_number: 1, models: [...roster, { model: 'glm-c' }] }));
    const skip = await call('consensus', { step: 'x', step_number: 3, continuation_id: first.continuation_id });
    expect(skip.isError).toBe(true);
    expect(textOf(skip)).toContain('the next step is 2');
    await close();
  });

  it('keeps two clients’ consensuses apart when they run at once', async () => {
    const { router, options } = setup();
    router.delayMs = 15;
    const alice = await connectClient(options);
    const bob = await connectClient(options);
    const [a1, b1] = await Promise.all([
      alice.call('consensus', { step: 'ALICE-PROPOSAL', step_number: 1, models: roster }),
      bob.call('consensus', { step: 'BOB-PROPOSAL', step_number: 1, models: [{ model: 'glm-c' }, { model: 'kimi-d' }] }),
    ]);
    const [a2, b2] = await Promise.all([
      alice.call('consensus', { step: 'notes', step_number: 2, continuation_id: structured(a1).continuation_id }),
      bob.call('consensus', { step: 'notes', step_number: 2, continuation_id: structured(b1).continuation_id }),
    ]);
    await Promise.all([alice.close(), bob.close()]);
    expect(structured(a2).verdicts.map((verdict) => verdict.model)).toEqual(['glm-a', 'kimi-b']);
    expect(structured(b2).verdicts.map((verdict) => verdict.model)).toEqual(['glm-c', 'kimi-d']);
    for (const recorded of router.calls) {
      const user = recorded.call.request.messages.at(-1)!.content;
      expect(user).toBe(['glm-a', 'kimi-b'].includes(recorded.call.model!) ? 'ALICE-PROPOSAL' : 'BOB-PROPOSAL');
    }
  });
});
