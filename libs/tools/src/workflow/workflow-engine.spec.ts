import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createMemoryStorage } from '@exai/storage';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { StorageConversationStore } from '../conversation/storage-conversation-store.js';
import { ExpertRouter } from './test-support/expert-router.js';
import { errorOf, outputOf, workflowClient, workflowServerOptions, workspace, type StepOutput } from './test-support/workflow-harness.js';

type Workspace = Awaited<ReturnType<typeof workspace>>;

describe('workflow engine (through debug and thinkdeep)', () => {
  let ws: Workspace;
  let store: string;
  beforeEach(async () => {
    ws = await workspace();
    store = await ws.file('session-store.ts', 'export const ttlSeconds = 0;\nexport function get(id: string) {\n  return cache.get(id);\n}\n');
  });
  afterEach(() => ws.remove());

  const firstStep = (extra: Record<string, unknown> = {}) => ({
    step: 'Users are logged out after every request; find out why',
    step_number: 1,
    total_steps: 3,
    next_step_required: true,
    findings: 'Logout happens on the first request after login',
    files_checked: [store],
    relevant_files: [store],
    hypothesis: 'the session TTL is zero',
    confidence: 'low',
    ...extra,
  });

  it('pauses an intermediate step with required actions, imperative next steps and the next call, naming files only', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('debug', options);
    const first = outputOf(await step(firstStep()));
    await close();

    expect(first.status).toBe('pause_for_investigation');
    expect(first.required_actions!.length).toBeGreaterThanOrEqual(3);
    expect(first.next_steps).toMatch(/^MANDATORY: DO NOT call the debug tool again immediately/);
    expect(first.next_steps).toContain(`step_number 2 and continuation_id ${first.continuation_id}`);
    expect(first.next_call).toEqual({
      tool: 'debug',
      arguments: expect.objectContaining({ step_number: 2, total_steps: 3, next_step_required: true, continuation_id: first.continuation_id }),
    });
    expect(first['file_context']).toEqual({ type: 'reference_only', files: [store] });
    expect(first['investigation_status']).toMatchObject({ files_checked: 1, relevant_files: 1, hypotheses: 1, issues_found: 0, current_confidence: 'low' });
    expect(first.metadata).toEqual({ tool_name: 'debug' });
    // Referenced, not embedded: no file content and no model call before the final step.
    expect(JSON.stringify(first)).not.toContain('ttlSeconds');
    expect(options.router.calls).toHaveLength(0);
  });

  it('finishes with the expert: files embedded with line numbers, findings and hypotheses in order, the JSON reply parsed', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('My analysis:\n```json\n{"status": "analysis_complete", "summary": "TTL of zero", "hypotheses": [{"name": "zero TTL", "confidence": "high"}]}\n```');
    const { step, close } = await workflowClient('debug', options);
    const id = outputOf(await step(firstStep())).continuation_id;
    const done = outputOf(
      await step({
        step: 'Confirm where the TTL is read',
        step_number: 2,
        total_steps: 2,
        next_step_required: false,
        findings: 'ttlSeconds is 0 and every get() treats the session as expired',
        relevant_context: ['SessionStore.get'],
        issues_found: [{ severity: 'high', description: 'ttlSeconds = 0 expires every session' }],
        hypothesis: 'ttlSeconds = 0 expires sessions at once',
        confidence: 'high',
        continuation_id: id,
      }),
    );
    await close();

    expect(done.status).toBe('calling_expert_analysis');
    expect(done.expert_analysis).toEqual({ status: 'analysis_complete', summary: 'TTL of zero', hypotheses: [{ name: 'zero TTL', confidence: 'high' }] });
    expect(done['important_considerations']).toMatch(/validate each finding/);
    expect(done['complete_investigation']).toEqual({
      initial_request: 'Users are logged out after every request; find out why',
      steps_taken: 2,
      files_examined: [store],
      relevant_files: [store],
      relevant_context: ['SessionStore.get'],
      issues_found: [{ severity: 'high', description: 'ttlSeconds = 0 expires every session' }],
      work_summary: 'Step 1: Logout happens on the first request after login\nStep 2: ttlSeconds is 0 and every get() treats the session as expired',
    });
    expect(done['file_context']).toEqual({ type: 'fully_embedded', files_embedded: [store], files_skipped: [] });
    expect(done.metadata).toMatchObject({ tool_name: 'debug', model: 'fake-model', provider: 'fake', continuation_id: id, streamed: false });

    const [expert] = options.router.calls;
    expect(options.router.calls).toHaveLength(1);
    expect(expert!.call.task).toEqual({ tool: 'debug', category: 'deep' });
    expect(expert!.call.request.thinking).toEqual({ enabled: true, level: 'high' });
    expect(expert!.signal).toBeInstanceOf(AbortSignal);
    const prompt = ExpertRouter.promptOf(expert!.call.request);
    expect(prompt.system).toContain('CRITICAL LINE NUMBER INSTRUCTIONS');
    expect(prompt.system).toContain('"status": "files_required_to_continue"');
    expect(prompt.system).toContain('no_bug_found');
    expect(prompt.user).toMatch(/Step 1: Logout happens[\s\S]*Step 2: ttlSeconds is 0/);
    expect(prompt.user).toMatch(/Step 1 \(low confidence\): the session TTL is zero\nStep 2 \(high confidence\): ttlSeconds = 0 expires sessions at once/);
    expect(prompt.user).toContain('[HIGH] ttlSeconds = 0 expires every session');
    expect(prompt.user).toContain('SessionStore.get');
    expect(prompt.user).toContain(`--- BEGIN FILE: ${store}`);
    expect(prompt.user).toContain('1│ export const ttlSeconds = 0;');
  });

  it('keeps a prose reply as raw_analysis, with thinkdeep context and the caller thinking level', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('## Assessment\nCaching at the edge is the better option.');
    const { step, close } = await workflowClient('thinkdeep', options);
    const done = outputOf(
      await step({
        step: 'Where should we cache rendered pages?',
        step_number: 1,
        total_steps: 1,
        next_step_required: false,
        findings: 'Origin renders take 400 ms',
        relevant_files: [store],
        problem_context: 'Traffic doubles every quarter',
        focus_areas: ['performance', 'cost'],
        thinking_mode: 'max',
        temperature: 0.2,
      }),
    );
    await close();

    expect(done.status).toBe('calling_expert_analysis');
    expect(done.expert_analysis).toEqual({ status: 'analysis_complete', raw_analysis: '## Assessment\nCaching at the edge is the better option.' });
    const request = options.router.calls[0]!.call.request;
    expect(request.thinking).toEqual({ enabled: true, level: 'max' });
    expect(request.temperature).toBe(0.2);
    const prompt = ExpertRouter.promptOf(request);
    expect(prompt.user).toContain('Problem context: Traffic doubles every quarter');
    expect(prompt.user).toContain('Focus areas: performance, cost');
  });

  it('promotes files_required_to_continue and goes on from the same state once the files are given', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('{"status": "files_required_to_continue", "mandatory_instructions": "Show the cache module", "files_needed": ["cache.ts"]}');
    options.router.replies.push('{"status": "analysis_complete", "summary": "cache.ts evicts at 0"}');
    const cache = await ws.file('cache.ts', 'export const cache = new Map();\n');
    const { step, close } = await workflowClient('debug', options);
    const id = outputOf(await step(firstStep())).continuation_id;
    const asked = outputOf(await step({ step: 'Check the TTL', step_number: 2, total_steps: 2, next_step_required: false, findings: 'TTL is 0', continuation_id: id }));
    expect(asked.status).toBe('files_required_to_continue');
    expect(asked.expert_analysis).toMatchObject({ files_needed: ['cache.ts'] });
    expect(asked.next_steps).toContain(`step_number 3 and continuation_id ${id}`);

    const done = outputOf(await step({ step: 'Add the cache module', step_number: 3, total_steps: 3, next_step_required: false, findings: 'The cache never stores', relevant_files: [cache], continuation_id: id }));
    await close();
    expect(done.status).toBe('calling_expert_analysis');
    expect((done['complete_investigation'] as { steps_taken: number }).steps_taken).toBe(3);
    expect(done['file_context']).toEqual({ type: 'fully_embedded', files_embedded: [store, cache], files_skipped: [] });
    const prompt = ExpertRouter.promptOf(options.router.calls[1]!.call.request);
    expect(prompt.user).toMatch(/Step 1: [\s\S]*Step 2: TTL is 0[\s\S]*Step 3: The cache never stores/);
  });

  it('skips the expert when use_assistant_model is false or there is nothing to analyse, saying why', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('thinkdeep', options);
    const declined = outputOf(await step({ step: 'Pick a queue', step_number: 1, total_steps: 1, next_step_required: false, findings: 'SQS fits', relevant_files: [store], use_assistant_model: false }));
    const bare = outputOf(await step({ step: 'Pick a queue', step_number: 1, total_steps: 1, next_step_required: false, findings: 'SQS fits' }));
    await close();

    expect(declined.status).toBe('skipped_expert_analysis');
    expect(declined['skip_reason']).toBe('use_assistant_model is false');
    expect(declined.expert_analysis).toEqual({ status: 'skipped', reason: 'use_assistant_model is false' });
    expect(declined['complete_thinkdeep']).toMatchObject({ steps_taken: 1, relevant_files: [store] });
    expect(bare.status).toBe('skipped_expert_analysis');
    expect(bare['skip_reason']).toMatch(/no relevant_files, no issues_found and fewer than two steps/);
    expect(options.router.calls).toHaveLength(0);
  });

  it('backtracks: steps from backtrack_from_step on are dropped with their files, methods and issues', async () => {
    const options = workflowServerOptions(ws.root);
    const wrong = await ws.file('wrong-lead.ts', 'export {};\n');
    const right = await ws.file('right-lead.ts', 'export {};\n');
    const { step, close } = await workflowClient('debug', options);
    const id = outputOf(await step(firstStep())).continuation_id;
    outputOf(
      await step({
        step: 'Follow the cookie',
        step_number: 2,
        total_steps: 3,
        next_step_required: true,
        findings: 'The cookie path is wrong',
        relevant_files: [wrong],
        relevant_context: ['Cookie.path'],
        issues_found: [{ severity: 'low', description: 'cookie path' }],
        continuation_id: id,
      }),
    );
    const done = outputOf(
      await step({
        step: 'That lead was wrong; back to the TTL',
        step_number: 3,
        total_steps: 3,
        next_step_required: false,
        findings: 'The TTL is read as minutes',
        relevant_files: [right],
        backtrack_from_step: 2,
        use_assistant_model: false,
        continuation_id: id,
      }),
    );
    await close();

    expect(done['complete_investigation']).toEqual({
      initial_request: 'Users are logged out after every request; find out why',
      steps_taken: 3,
      files_examined: [store, right],
      relevant_files: [store, right],
      relevant_context: [],
      issues_found: [],
      work_summary: 'Step 1: Logout happens on the first request after login\nStep 3: The TTL is read as minutes',
    });
  });

  it('terminates early when next_step_required is false before total_steps', async () => {
    const options = workflowServerOptions(ws.root);
    const { step, close } = await workflowClient('debug', options);
    const id = outputOf(await step(firstStep({ total_steps: 5 }))).continuation_id;
    const done = outputOf(await step({ step: 'Found it', step_number: 2, total_steps: 5, next_step_required: false, findings: 'TTL is 0', use_assistant_model: false, continuation_id: id }));
    await close();
    expect(done.status).toBe('skipped_expert_analysis');
    expect(done.total_steps).toBe(5);
    expect(done['early_termination_reason']).toBe('Finished at step 2 of an estimated 5: next_step_required was false.');
    expect((done['complete_investigation'] as { steps_taken: number }).steps_taken).toBe(2);
  });

  it('rejects bad inputs with errors that name the field and what to do', async () => {
    const options = workflowServerOptions(ws.root, { limits: { promptMaxChars: 200 } });
    const { step, call, close } = await workflowClient('debug', options);
    const outside = '/etc/hostname';
    const id = outputOf(await step(firstStep())).continuation_id;
    const cases: Array<[CallToolResult, RegExp]> = [
      [await step(firstStep({ relevant_files: ['src/session.ts'] })), /relevant_files must hold absolute paths; relative: src\/session\.ts/],
      [await step(firstStep({ files_checked: ['./a.ts'] })), /files_checked must hold absolute paths/],
      [await step(firstStep({ relevant_files: [outside] })), /outside the allowed folders/],
      [await step(firstStep({ relevant_files: [`${ws.root}/missing.ts`] })), /missing\.ts: no such file/],
      [await step(firstStep({ step_number: 2 })), /step_number 2 needs the continuation_id that step 1 of debug returned/],
      [await step(firstStep({ step_number: 2, continuation_id: randomUUID() })), /No debug workflow is in progress for continuation_id/],
      [await step(firstStep({ continuation_id: randomUUID() })), /was not found or has expired/],
      [await step(firstStep({ step_number: 1.5 })), /step_number must be a whole number/],
      [await step(firstStep({ step_number: 2, backtrack_from_step: 3, continuation_id: id })), /backtrack_from_step \(3\) must not be after step_number \(2\)/],
      [await step({ step: 'x', step_number: 1, total_steps: 1, next_step_required: false }), /findings/],
      [await step(firstStep({ confidence: 'sure' })), /confidence/],
    ];
    // A workflow's state belongs to its tool: thinkdeep cannot continue debug's.
    cases.push([await call('thinkdeep', { ...firstStep(), step_number: 2, continuation_id: id }), /No thinkdeep workflow is in progress/]);
    const long = outputOf(await step(firstStep({ step: 'x'.repeat(201) })));
    await close();

    for (const [result, message] of cases) expect(errorOf(result)).toMatch(message);
    expect(long.status).toBe('resend_prompt');
    expect(long['content']).toMatch(/"step" is 201 characters, over the 200-character limit/);
    expect(options.router.calls).toHaveLength(0);
  });

  it('isolates concurrent workflows of the same tool: interleaved steps never see each other', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.delayMs = 5;
    const alice = await workflowClient('debug', options);
    const bob = await workflowClient('debug', options);
    const second = (marker: string, id: string) => ({
      step: `${marker} 2`,
      step_number: 2,
      total_steps: 3,
      next_step_required: true,
      findings: `${marker} finding 2`,
      issues_found: [{ severity: 'medium', description: `${marker} issue` }],
      continuation_id: id,
    });
    const third = (marker: string, id: string) => ({ step: `${marker} 3`, step_number: 3, total_steps: 3, next_step_required: false, findings: `${marker} finding 3`, continuation_id: id });
    // Strictly alternating first, then truly at the same time.
    const alphaId = outputOf(await alice.step(firstStep({ step: 'ALPHA request', findings: 'ALPHA finding 1' }))).continuation_id;
    const bravoId = outputOf(await bob.step(firstStep({ step: 'BRAVO request', findings: 'BRAVO finding 1' }))).continuation_id;
    outputOf(await alice.step(second('ALPHA', alphaId)));
    outputOf(await bob.step(second('BRAVO', bravoId)));
    const [a, b] = (await Promise.all([alice.step(third('ALPHA', alphaId)), bob.step(third('BRAVO', bravoId))])).map(outputOf) as [StepOutput, StepOutput];
    await Promise.all([alice.close(), bob.close()]);

    expect(a.continuation_id).not.toBe(b.continuation_id);
    const summary = (output: StepOutput) => output['complete_investigation'] as { work_summary: string; issues_found: unknown[]; initial_request: string };
    expect(summary(a).work_summary).toBe('Step 1: ALPHA finding 1\nStep 2: ALPHA finding 2\nStep 3: ALPHA finding 3');
    expect(summary(b).work_summary).toBe('Step 1: BRAVO finding 1\nStep 2: BRAVO finding 2\nStep 3: BRAVO finding 3');
    expect(summary(a).issues_found).toEqual([{ severity: 'medium', description: 'ALPHA issue' }]);
    expect(summary(b).initial_request).toBe('BRAVO request');
    const prompts = options.router.calls.map((entry) => ExpertRouter.promptOf(entry.call.request).user);
    expect(prompts).toHaveLength(2);
    for (const prompt of prompts) expect(prompt.includes('ALPHA') !== prompt.includes('BRAVO')).toBe(true);
  });

  it('keeps the state in storage: a new server over the same storage continues the workflow', async () => {
    const storageRoot = createMemoryStorage();
    const storage = storageRoot.forUser(randomUUID());
    const serverOptions = () => workflowServerOptions(ws.root, { storage, storageRoot, conversations: new StorageConversationStore(storage) });
    const before = await workflowClient('debug', serverOptions());
    const id = outputOf(await before.step(firstStep())).continuation_id;
    outputOf(await before.step({ step: 'Step two', step_number: 2, total_steps: 3, next_step_required: true, findings: 'TTL is read from env', continuation_id: id }));
    await before.close();

    const after = await workflowClient('debug', serverOptions());
    const done = outputOf(await after.step({ step: 'Step three', step_number: 3, total_steps: 3, next_step_required: false, findings: 'env default is 0', continuation_id: id }));
    await after.close();

    expect(done.status).toBe('calling_expert_analysis');
    expect((done['complete_investigation'] as { work_summary: string }).work_summary).toBe(
      'Step 1: Logout happens on the first request after login\nStep 2: TTL is read from env\nStep 3: env default is 0',
    );
    const thread = await storage.conversations.loadThread(id);
    expect(thread?.messages.map((message) => [message.role, message.tool])).toEqual([
      ['user', 'debug'],
      ['assistant', 'debug'],
    ]);
    expect(thread?.messages[1]?.model).toBe('fake-model');
  });

  it('records the outcome in the thread, so chat continues from it; step 1 may join a chat thread', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('{"status": "analysis_complete", "summary": "EXPERT-SAYS-TTL"}');
    const { step, call, close } = await workflowClient('debug', options);
    const done = outputOf(await step({ ...firstStep(), total_steps: 1, next_step_required: false }));
    const chat = await call('chat', { prompt: 'Explain the fix in one line', continuation_id: done.continuation_id });
    expect(chat.isError).toBeFalsy();
    const replay = options.router.calls[1]!.call.request.messages.map((message) => (typeof message.content === 'string' ? message.content : '')).join('\n');
    expect(replay).toContain('debug workflow, 1 step(s): Users are logged out');
    expect(replay).toContain('EXPERT-SAYS-TTL');

    const joined = outputOf(await step(firstStep({ continuation_id: done.continuation_id })));
    await close();
    expect(joined.continuation_id).toBe(done.continuation_id);
    expect(joined.status).toBe('pause_for_investigation');
    expect(joined['investigation_status']).toMatchObject({ steps_recorded: 1 });
  });

  it('sends the gathered images to a vision expert, refuses them for a model that cannot see, and checks image paths per step', async () => {
    const options = workflowServerOptions(ws.root);
    const png = join(ws.root, 'screenshot.png');
    await writeFile(png, Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64'));
    const { step, close } = await workflowClient('debug', options);
    const final = { ...firstStep(), total_steps: 1, next_step_required: false, images: [png] };
    const seen = outputOf(await step({ ...final, model: 'fake-vision' }));
    const blind = errorOf(await step({ ...final, model: 'fake-model' }));
    const outside = errorOf(await step({ ...final, images: ['/etc/missing.png'] }));
    await close();
    expect(seen.status).toBe('calling_expert_analysis');
    expect(seen['investigation_status']).toMatchObject({ images_collected: 1 });
    const content = options.router.calls[0]!.call.request.messages[1]!.content;
    expect(Array.isArray(content) && content[1]).toMatchObject({ type: 'image', mediaType: 'image/png' });
    expect(blind).toMatch(/fake-model cannot read images; use a vision model such as fake-vision/);
    expect(outside).toMatch(/images/);
    expect(options.router.calls).toHaveLength(1);
  });

  it('streams the expert call as progress when the client asks for it', async () => {
    const options = workflowServerOptions(ws.root);
    const { client, close } = await workflowClient('debug', options);
    const progress: string[] = [];
    const result = (await client.callTool(
      { name: 'debug', arguments: { ...firstStep(), total_steps: 1, next_step_required: false } },
      undefined,
      { onprogress: (update) => progress.push(update.message ?? '') },
    )) as CallToolResult;
    await close();
    const done = outputOf(result);
    expect(options.router.calls[0]!.kind).toBe('stream');
    expect(done.metadata).toMatchObject({ streamed: true });
    expect(progress.join('')).toContain('echo:');
  });
});
