import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { connectClient, fakeServerOptions } from '../test-support/tool-harness.js';
import { ExpertRouter } from './test-support/expert-router.js';
import { errorOf, outputOf, workflowClient, workflowServerOptions, workspace } from './test-support/workflow-harness.js';

type Workspace = Awaited<ReturnType<typeof workspace>>;

/** What each expert tool must do, beyond the shared engine. */
interface ToolCase {
  tool: string;
  pause: string;
  /** `<noun>_status`, `complete_<noun>`. */
  noun: string;
  category: 'fast' | 'balanced' | 'deep';
  /** Tool fields for step 1, and what the expert context must then say. */
  extra: Record<string, unknown>;
  context: string[];
  /** Something only this tool's system prompt asks for. */
  systemMarker: string;
  /** Inputs that trigger the tool's own skip (none: the expert always runs) and the resulting status. */
  skip?: { input: Record<string, unknown>; status: string; reason: RegExp };
  /** A confidence the tool's own scale uses at step 2. */
  confidence: string;
}

const cases: ToolCase[] = [
  {
    tool: 'thinkdeep',
    pause: 'pause_for_deep_thinking',
    noun: 'thinkdeep',
    category: 'deep',
    extra: { problem_context: 'Traffic doubles quarterly', focus_areas: ['scalability'] },
    context: ['Problem context: Traffic doubles quarterly', 'Focus areas: scalability'],
    systemMarker: '## Alternatives',
    skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /confidence is certain/ },
    confidence: 'high',
  },
  {
    tool: 'debug',
    pause: 'pause_for_investigation',
    noun: 'investigation',
    category: 'deep',
    extra: {},
    context: [],
    systemMarker: '"status": "no_bug_found"',
    skip: { input: { confidence: 'certain' }, status: 'certain_confidence_proceed_with_fix', reason: /root cause is confirmed/ },
    confidence: 'medium',
  },
  {
    tool: 'codereview',
    pause: 'pause_for_code_review',
    noun: 'codereview',
    category: 'deep',
    extra: { review_type: 'security', focus_on: 'authentication', standards: 'no any', severity_filter: 'high' },
    context: ['Review type: security', 'Focus on: authentication', 'Standards: no any', 'Report only issues of severity high or higher.'],
    systemMarker: '[CRITICAL|HIGH|MEDIUM|LOW] path/to/file.ts:LINE',
    skip: { input: { review_validation_type: 'internal' }, status: 'skipped_expert_analysis', reason: /review_validation_type is internal/ },
    confidence: 'high',
  },
  {
    tool: 'analyze',
    pause: 'pause_for_analysis',
    noun: 'analyze',
    category: 'balanced',
    extra: { analysis_type: 'architecture', output_format: 'actionable' },
    context: ['Analysis type: architecture', 'Output format: actionable'],
    systemMarker: '## Strategic findings',
    confidence: 'certain',
  },
  {
    tool: 'refactor',
    pause: 'pause_for_refactoring_analysis',
    noun: 'refactor',
    category: 'balanced',
    extra: { refactor_type: 'decompose', focus_areas: ['readability'] },
    context: ['Refactor type: decompose', 'Focus areas: readability'],
    systemMarker: 'refactor_analysis_complete',
    skip: { input: { confidence: 'complete' }, status: 'skipped_expert_analysis', reason: /confidence is complete/ },
    confidence: 'partial',
  },
  {
    tool: 'secaudit',
    pause: 'pause_for_security_audit',
    noun: 'secaudit',
    category: 'deep',
    extra: { security_scope: 'public REST API', threat_level: 'high', compliance_requirements: ['SOC2'], audit_focus: 'owasp' },
    context: ['Security scope: public REST API', 'Threat level: high', 'Audit focus: owasp', 'Compliance requirements: SOC2'],
    systemMarker: 'exploit_scenario',
    skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /audit is complete/ },
    confidence: 'very_high',
  },
  {
    tool: 'testgen',
    pause: 'pause_for_test_analysis',
    noun: 'testgen',
    category: 'balanced',
    extra: {},
    context: [],
    systemMarker: 'test_sample_needed',
    skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /tests are planned/ },
    confidence: 'high',
  },
];

describe('expert workflow tools', () => {
  let ws: Workspace;
  let code: string;
  beforeEach(async () => {
    ws = await workspace();
    code = await ws.file('auth.ts', 'export function login(user: string, password: string) {\n  return db.query(`SELECT * FROM users WHERE name = ${user}`);\n}\n');
  });
  afterEach(() => ws.remove());

  const stepOne = (extra: Record<string, unknown>) => ({
    step: 'Examine the login flow',
    step_number: 1,
    total_steps: 2,
    next_step_required: true,
    findings: 'login() builds SQL from input',
    relevant_files: [code],
    files_checked: [code],
    ...extra,
  });

  describe.each(cases)('$tool', (spec) => {
    it('pauses with its status, required actions and the next call', async () => {
      const options = workflowServerOptions(ws.root);
      const { step, close } = await workflowClient(spec.tool, options);
      const first = outputOf(await step(stepOne(spec.extra)));
      await close();
      expect(first.status).toBe(spec.pause);
      expect(first.required_actions!.length).toBeGreaterThan(0);
      expect(first.next_steps).toContain(`DO NOT call the ${spec.tool} tool again immediately`);
      expect(first.next_call).toMatchObject({ tool: spec.tool, arguments: { step_number: 2, continuation_id: first.continuation_id } });
      expect(first[`${spec.noun}_status`]).toMatchObject({ relevant_files: 1, files_checked: 1 });
      expect(options.router.calls).toHaveLength(0);
    });

    it('completes with the expert, which gets its prompt, tier and tool context', async () => {
      const options = workflowServerOptions(ws.root);
      const { step, close } = await workflowClient(spec.tool, options);
      const id = outputOf(await step(stepOne(spec.extra))).continuation_id;
      const done = outputOf(
        await step({
          step: 'Conclude',
          step_number: 2,
          total_steps: 2,
          next_step_required: false,
          findings: 'The query is injectable',
          issues_found: [{ severity: 'high', description: 'SQL injection in login()' }],
          confidence: spec.confidence,
          continuation_id: id,
        }),
      );
      await close();
      expect(done.status).toBe('calling_expert_analysis');
      expect(done.expert_analysis).toMatchObject({ status: 'analysis_complete' });
      expect(done[`complete_${spec.noun}`]).toMatchObject({ steps_taken: 2, relevant_files: [code], issues_found: [{ severity: 'high', description: 'SQL injection in login()' }] });
      expect(options.router.calls).toHaveLength(1);
      const call = options.router.calls[0]!.call;
      expect(call.task).toEqual({ tool: spec.tool, category: spec.category });
      const prompt = ExpertRouter.promptOf(call.request);
      expect(prompt.system).toContain('CRITICAL LINE NUMBER INSTRUCTIONS');
      expect(prompt.system).toContain('files_required_to_continue');
      expect(prompt.system).toContain(spec.systemMarker);
      expect(prompt.user).toContain('2│   return db.query(');
      for (const line of spec.context) expect(prompt.user).toContain(line);
    });

    if (spec.skip) {
      const skip = spec.skip;
      it(`skips the expert on its own condition (${JSON.stringify(skip.input)})`, async () => {
        const options = workflowServerOptions(ws.root);
        const { step, close } = await workflowClient(spec.tool, options);
        const id = outputOf(await step(stepOne({ ...spec.extra, ...skip.input }))).continuation_id;
        const done = outputOf(await step({ step: 'Done', step_number: 2, total_steps: 2, next_step_required: false, findings: 'Injection confirmed', confidence: spec.confidence, ...skip.input, continuation_id: id }));
        await close();
        expect(done.status).toBe(skip.status);
        expect(done['skip_reason']).toMatch(skip.reason);
        expect(done[`complete_${spec.noun}`]).toMatchObject({ steps_taken: 2 });
        expect(options.router.calls).toHaveLength(0);
      });
    } else {
      it('always consults the expert, whatever the confidence', async () => {
        const options = workflowServerOptions(ws.root);
        const { step, close } = await workflowClient(spec.tool, options);
        const done = outputOf(await step({ ...stepOne(spec.extra), total_steps: 1, next_step_required: false, confidence: 'certain' }));
        await close();
        expect(done.status).toBe('calling_expert_analysis');
        expect(options.router.calls).toHaveLength(1);
      });
    }
  });

  it('codereview, testgen and refactor need relevant_files at step 1; codereview and secaudit count issues by severity', async () => {
    const options = workflowServerOptions(ws.root);
    const { call, close } = await connectClient(options);
    const bare = { step: 'Start', step_number: 1, total_steps: 2, next_step_required: true, findings: '' };
    const messages = await Promise.all(['codereview', 'testgen', 'refactor'].map(async (tool) => errorOf(await call(tool, bare))));
    const issues = [
      { severity: 'critical', description: 'a' },
      { severity: 'high', description: 'b' },
      { severity: 'high', description: 'c' },
    ];
    const finalStep = { ...stepOne({}), total_steps: 1, next_step_required: false, issues_found: issues, use_assistant_model: false };
    const review = outputOf(await call('codereview', finalStep));
    const audit = outputOf(await call('secaudit', finalStep));
    await close();
    expect(messages[0]).toMatch(/codereview step 1 needs relevant_files/);
    expect(messages[1]).toMatch(/testgen step 1 needs relevant_files/);
    expect(messages[2]).toMatch(/refactor step 1 needs relevant_files/);
    for (const output of [review, audit]) expect(output['issues_by_severity']).toEqual({ critical: 1, high: 2, medium: 0, low: 0 });
  });

  it('debug reports no_bug_found as its outcome', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('{"status": "no_bug_found", "summary": "Working as designed", "confidence_level": "high"}');
    const { step, close } = await workflowClient('debug', options);
    const done = outputOf(await step({ ...stepOne({}), total_steps: 1, next_step_required: false }));
    await close();
    expect(done.status).toBe('no_bug_found');
    expect(done.expert_analysis).toMatchObject({ summary: 'Working as designed' });
    expect(done.next_steps).toMatch(/do not change code without new evidence/);
  });

  it('testgen promotes test_sample_needed', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('{"status": "test_sample_needed", "reason": "No existing tests given"}');
    const { step, close } = await workflowClient('testgen', options);
    const done = outputOf(await step({ ...stepOne({}), total_steps: 1, next_step_required: false }));
    await close();
    expect(done.status).toBe('test_sample_needed');
    expect(done.next_steps).toContain('call testgen again with step_number 2');
  });

  it('refactor uses its own confidence scale and sends the style guide examples to the expert', async () => {
    const options = workflowServerOptions(ws.root);
    options.router.replies.push('{"status": "refactor_analysis_complete", "refactor_opportunities": [{"id": "refactor-001", "start_line": 1, "end_line": 3}]}');
    const style = await ws.file('style.ts', 'export const styleMarker = 1;\n');
    const { step, close } = await workflowClient('refactor', options);
    const wrongScale = errorOf(await step({ ...stepOne({}), confidence: 'certain' }));
    const relative = errorOf(await step({ ...stepOne({}), style_guide_examples: ['style.ts'] }));
    // Found by the hostile-input run: paths outside the allowed folders were accepted here (and only
    // skipped at the final step); they fail the step that names them, as relevant_files do.
    const outside = errorOf(await step({ ...stepOne({}), style_guide_examples: ['/etc/passwd'] }));
    const done = outputOf(await step({ ...stepOne({ style_guide_examples: [style] }), total_steps: 1, next_step_required: false, confidence: 'partial' }));
    await close();
    expect(wrongScale).toMatch(/confidence/);
    for (const part of [/style_guide_examples/, /style\.ts/, /absolute path/]) expect(relative).toMatch(part);
    expect(outside).toMatch(/style_guide_examples[\s\S]*\/etc\/passwd: outside the allowed folders/);
    expect(done.status).toBe('calling_expert_analysis');
    expect(done.expert_analysis).toMatchObject({ status: 'refactor_analysis_complete', refactor_opportunities: [{ id: 'refactor-001' }] });
    expect(ExpertRouter.promptOf(options.router.calls[0]!.call.request).user).toContain('1│ export const styleMarker = 1;');
  });

  it('serves the tools by profile, read-only, with one open output schema', async () => {
    const names = async (profile: 'lean' | 'standard' | 'full') => {
      const { client, close } = await connectClient(fakeServerOptions({ tools: { profile } }));
      const { tools } = await client.listTools();
      await close();
      return tools;
    };
    const expert = ['thinkdeep', 'debug', 'codereview', 'precommit', 'analyze', 'refactor', 'secaudit', 'testgen'];
    const lean = (await names('lean')).map((tool) => tool.name);
    const standard = (await names('standard')).map((tool) => tool.name);
    const full = (await names('full')).filter((tool) => expert.includes(tool.name));
    expect(expert.filter((name) => lean.includes(name))).toEqual(['thinkdeep', 'debug', 'codereview']);
    expect(expert.filter((name) => standard.includes(name))).toEqual(['thinkdeep', 'debug', 'codereview', 'precommit']);
    expect(full.map((tool) => tool.name)).toEqual(expert);
    for (const tool of full) {
      expect(tool.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: false, openWorldHint: true });
      // Open to each tool's own keys: no `additionalProperties: false`.
      expect(tool.outputSchema).toMatchObject({ required: ['status', 'step_number', 'total_steps', 'next_step_required'] });
      expect(tool.outputSchema?.['additionalProperties']).toBeUndefined();
      expect(tool.inputSchema.required).toEqual(['step', 'step_number', 'total_steps', 'next_step_required', 'findings']);
    }
  });
});
