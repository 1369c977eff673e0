// End-to-end workflow scenarios over stdio, adapted from the Zen MCP server's simulator tests
// (zen-lineage §1b and §5): the built exai-stdio bin, the MCP SDK client, the provider simulator.
// Each scenario asserts on the tool result and, where a model is called, on the request the
// simulator received: what really reached the model.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startSimulator, type RecordedRequest, type Simulator } from '@exai/provider-sim';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startStdio, textOf, type StdioSession } from './test-support/stdio-harness.js';

type Structured = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: Simulator;
let session: StdioSession;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'exai-wf-scenarios-')));

// ---------------------------------------------------------------------------------------------
// Helpers

function serverEnv(): Record<string, string> {
  return {
    GLM_API_KEY: 'sim-glm-key',
    GLM_BASE_URL: sim.glmBaseURL,
    KIMI_API_KEY: 'sim-kimi-key',
    KIMI_BASE_URL: sim.kimiBaseURL,
    EXAI_RETRY_INITIAL_DELAY_MS: '10',
    EXAI_ALLOWED_ROOTS: root,
    TOOL_PROFILE: 'full',
  };
}

async function call(name: string, args: Record<string, unknown>, on: StdioSession = session): Promise<CallToolResult> {
  return (await on.client.callTool({ name, arguments: args })) as CallToolResult;
}

/** The structured output of a successful call; a tool error fails the test with its text. */
function ok(result: CallToolResult): Structured {
  if (result.isError) throw new Error(`unexpected tool error: ${textOf(result)}`);
  return result.structuredContent as Structured;
}

/** The text of a failed call; a success fails the test. */
function failure(result: CallToolResult): string {
  if (!result.isError) throw new Error(`expected a tool error, got: ${textOf(result).slice(0, 500)}`);
  return textOf(result);
}

/** Chat completion requests the simulator received since the last reset: the model calls. */
function modelRequests(): RecordedRequest[] {
  return sim.requests.filter((request) => request.path.endsWith('/chat/completions'));
}

/** The body of the one model call since the last reset (fails when there is not exactly one). */
function onlyModelBody(): Structured {
  const requests = modelRequests();
  expect(requests).toHaveLength(1);
  return requests[0]!.body as Structured;
}

/** The text of a request's messages of one role, image parts as `<image>`. */
function textOfRole(body: Structured, role: 'system' | 'user'): string {
  return (body.messages as Structured[])
    .filter((message) => message.role === role)
    .map((message) => (typeof message.content === 'string' ? message.content : message.content.map((part: Structured) => part.text ?? '<image>').join(' ')))
    .join('\n');
}

function writeFile(name: string, text: string): string {
  const path = join(root, name);
  writeFileSync(path, text);
  return path;
}

/** A git repository: a commit tagged `v1`, a commit adding d.ts, then staged, unstaged and untracked changes. */
function makeRepository(name: string): { path: string; git: (...args: string[]) => string } {
  const path = join(root, name);
  mkdirSync(path);
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: path, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null' } });
  const put = (file: string, text: string) => writeFileSync(join(path, file), text);
  git('init', '--quiet', '--initial-branch=main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  git('config', 'commit.gpgsign', 'false');
  put('a.ts', 'export const limit = 10;\n');
  put('b.ts', 'export const window = 60;\n');
  put('.env', 'API_KEY=old\n');
  git('add', '.');
  git('commit', '--quiet', '-m', 'base');
  git('tag', 'v1');
  put('d.ts', 'export const d = "COMMITTED-CHANGE";\n');
  git('add', 'd.ts');
  git('commit', '--quiet', '-m', 'add d');
  put('a.ts', 'export const limit = 20; // STAGED-CHANGE\n');
  put('.env', 'API_KEY=SECRET-VALUE\n');
  git('add', 'a.ts', '.env');
  put('b.ts', 'export const window = 30; // UNSTAGED-CHANGE\n');
  put('c.ts', 'export const c = 1;\n');
  return { path, git };
}

/** The common fields of a workflow step. */
function stepArgs(stepNumber: number, totalSteps: number, nextStepRequired: boolean, findings: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { step: `Step ${stepNumber}: investigate`, step_number: stepNumber, total_steps: totalSteps, next_step_required: nextStepRequired, findings, ...extra };
}

// Files shared by the scenarios (written once; every path is inside EXAI_ALLOWED_ROOTS).
const sessionFile = writeFile('session.ts', 'export function ttl(minutes: number) {\n  return minutes * 60; // SESSION-TTL-LINE\n}\n');
const styleFile = writeFile('style-example.ts', '/** Adds two numbers. */\nexport const add = (a: number, b: number) => a + b; // STYLE-LINE\n');
let repo: ReturnType<typeof makeRepository>;

beforeAll(async () => {
  repo = makeRepository('repo');
  sim = await startSimulator();
  session = await startStdio(serverEnv());
});

afterAll(async () => {
  await session?.close();
  await sim?.close();
});

beforeEach(() => sim.reset());

// ---------------------------------------------------------------------------------------------
// 1. Every workflow tool on the shared engine, step 1 then the final step

interface ToolCase {
  tool: string;
  pause: string;
  /** `<noun>_status`, `complete_<noun>`, `<noun>_complete`. */
  noun: string;
  /** The expert model; undefined for the tools that call none. */
  model?: string;
  /** Tool fields of step 1 (the engine keeps them for the later steps). */
  first: () => Record<string, unknown>;
  /** Tool fields of the final step. */
  last?: () => Record<string, unknown>;
  /** The planner takes no findings: its step text is the plan. */
  noFindings?: boolean;
  /** What the expert request must hold besides findings and files (tool context, hypotheses, issues, diff). */
  context?: () => string[];
  /** Something only this tool's expert system prompt says. */
  systemMarker?: string;
  /** Files the expert must see line-numbered: [path, a numbered line of it]. */
  files?: () => Array<[string, string]>;
  /** Tool-specific checks of the final result. */
  check?: (output: Structured) => void;
}

const toolCases: ToolCase[] = [
  {
    tool: 'thinkdeep',
    pause: 'pause_for_deep_thinking',
    noun: 'thinkdeep',
    model: 'glm-4.5-flash',
    first: () => ({ relevant_files: [sessionFile], problem_context: 'Traffic doubles every quarter', focus_areas: ['scalability'] }),
    context: () => ['Problem context: Traffic doubles every quarter', 'Focus areas: scalability'],
    systemMarker: '## Alternatives',
  },
  {
    tool: 'debug',
    pause: 'pause_for_investigation',
    noun: 'investigation',
    model: 'kimi-k2-turbo-preview',
    first: () => ({ relevant_files: [sessionFile], hypothesis: 'The TTL is read as minutes', confidence: 'low', relevant_context: ['ttl'] }),
    context: () => ['=== HYPOTHESIS EVOLUTION ===', 'Step 1 (low confidence): The TTL is read as minutes', '=== RELEVANT METHODS/FUNCTIONS ===\nttl'],
    systemMarker: '"status": "no_bug_found"',
  },
  {
    tool: 'codereview',
    pause: 'pause_for_code_review',
    noun: 'codereview',
    model: 'glm-4.6',
    first: () => ({
      relevant_files: [sessionFile],
      review_type: 'security',
      focus_on: 'authentication',
      standards: 'strict null checks',
      severity_filter: 'high',
      issues_found: [{ severity: 'high', description: 'token compared with ==' }],
    }),
    context: () => ['Review type: security', 'Focus on: authentication', 'Standards: strict null checks', 'Report only issues of severity high or higher.', '[HIGH] token compared with =='],
    systemMarker: '[CRITICAL|HIGH|MEDIUM|LOW] path/to/file.ts:LINE',
    check: (output) => expect(output.issues_by_severity).toEqual({ critical: 0, high: 1, medium: 0, low: 0 }),
  },
  {
    tool: 'precommit',
    pause: 'pause_for_validation',
    noun: 'precommit',
    model: 'kimi-k2-0905-preview',
    first: () => ({ path: repo.path, relevant_files: [join(repo.path, 'a.ts')], focus_on: 'the rate limit' }),
    context: () => ['Focus on: the rate limit', `Repository: ${repo.path} (branch main)`, '### staged changes', '+export const limit = 20; // STAGED-CHANGE'],
    systemMarker: '## Verdict',
    files: () => [[join(repo.path, 'a.ts'), '1│ export const limit = 20; // STAGED-CHANGE']],
    check: (output) => expect(output.git_changes).toMatchObject({ repository: repo.path, branch: 'main', staged_files: ['M .env', 'M a.ts'], unstaged_files: ['M b.ts'] }),
  },
  {
    tool: 'secaudit',
    pause: 'pause_for_security_audit',
    noun: 'secaudit',
    model: 'glm-4.5-air',
    first: () => ({
      relevant_files: [sessionFile],
      security_scope: 'public REST API',
      threat_level: 'high',
      compliance_requirements: ['SOC2'],
      audit_focus: 'owasp',
      severity_filter: 'medium',
    }),
    context: () => ['Security scope: public REST API', 'Threat level: high', 'Audit focus: owasp', 'Compliance requirements: SOC2', 'Report only issues of severity medium or higher.'],
    systemMarker: 'security_analysis_complete',
    check: (output) => expect(output.issues_by_severity).toEqual({ critical: 0, high: 0, medium: 0, low: 0 }),
  },
  {
    tool: 'analyze',
    pause: 'pause_for_analysis',
    noun: 'analyze',
    model: 'kimi-k2-turbo-preview',
    first: () => ({ relevant_files: [sessionFile], analysis_type: 'architecture', output_format: 'actionable' }),
    context: () => ['Analysis type: architecture', 'Output format: actionable'],
    systemMarker: '## Strategic findings',
  },
  {
    tool: 'refactor',
    pause: 'pause_for_refactoring_analysis',
    noun: 'refactor',
    model: 'glm-4.5-flash',
    first: () => ({ relevant_files: [sessionFile], refactor_type: 'decompose', focus_areas: ['readability'], style_guide_examples: [styleFile], confidence: 'incomplete' }),
    last: () => ({ confidence: 'partial' }),
    context: () => ['Refactor type: decompose', 'Focus areas: readability', `Style guide examples (among the files): ${styleFile}`],
    systemMarker: 'refactor_analysis_complete',
    // The style examples reach the expert as files too.
    files: () => [
      [sessionFile, '2│   return minutes * 60; // SESSION-TTL-LINE'],
      [styleFile, '2│ export const add = (a: number, b: number) => a + b; // STYLE-LINE'],
    ],
  },
  {
    tool: 'testgen',
    pause: 'pause_for_test_analysis',
    noun: 'testgen',
    model: 'glm-4.5-flash',
    first: () => ({ relevant_files: [sessionFile] }),
    systemMarker: 'test_sample_needed',
  },
  {
    tool: 'docgen',
    pause: 'pause_for_docgen',
    noun: 'docgen',
    first: () => ({ num_files_documented: 0, total_files_to_document: 1 }),
    last: () => ({ num_files_documented: 1, total_files_to_document: 1, relevant_files: [sessionFile] }),
    check: (output) => expect(output.docgen_progress).toMatchObject({ files_documented: 1, total_files: 1, remaining: 0 }),
  },
  {
    tool: 'tracer',
    pause: 'pause_for_tracing',
    noun: 'trace',
    first: () => ({ trace_mode: 'precision', target_description: 'how ttl is computed', relevant_files: [sessionFile] }),
    check: (output) => {
      expect(output.trace_mode).toBe('precision');
      expect(output.target_description).toBe('how ttl is computed');
      expect(typeof output.rendering_instructions).toBe('string');
    },
  },
  {
    tool: 'planner',
    pause: 'pause_for_planning',
    noun: 'planning',
    noFindings: true,
    first: () => ({}),
    check: (output) => {
      expect(output.complete_planning.plan).toBe('Step 1: Step 1: investigate\nStep 2: Step 2: investigate');
      expect(output.next_steps).toContain('PLANNING COMPLETE');
    },
  },
];

describe('1. every workflow tool over stdio: step 1 pauses, the final step completes', () => {
  it.each(toolCases.map((entry) => [entry.tool, entry] as const))('%s', async (_name, entry) => {
    const args = (n: number, next: boolean, extra: Record<string, unknown>) => {
      const step = stepArgs(n, 2, next, `${entry.tool.toUpperCase()}-FINDING-${n}`, extra);
      if (entry.noFindings) delete step['findings'];
      return step;
    };

    // Step 1: a pause with the work to do, the next call and the continuation id; no model call.
    const firstFields = entry.first();
    const first = ok(await call(entry.tool, args(1, true, firstFields)));
    expect(first.status).toBe(entry.pause);
    expect(first.step_number).toBe(1);
    expect(first.next_step_required).toBe(true);
    expect(typeof first.continuation_id).toBe('string');
    const id: string = first.continuation_id;
    expect(first.required_actions.length).toBeGreaterThan(0);
    for (const action of first.required_actions) expect(typeof action).toBe('string');
    expect(first.next_steps).toContain(id);
    expect(first.next_call).toMatchObject({ tool: entry.tool, arguments: { step_number: 2, continuation_id: id } });
    expect(first[`${entry.noun}_status`]).toMatchObject({ steps_recorded: 1 });
    expect(first.metadata).toEqual({ tool_name: entry.tool });
    // Intermediate steps only name the files (the planner reads none).
    if (!entry.noFindings) expect(first.file_context).toEqual({ type: 'reference_only', files: firstFields['relevant_files'] ?? [] });
    expect(modelRequests()).toHaveLength(0);

    // Final step.
    const last = ok(await call(entry.tool, args(2, false, { continuation_id: id, ...(entry.model ? { model: entry.model } : {}), ...entry.last?.() })));
    expect(last.continuation_id).toBe(id);
    expect(last.next_step_required).toBe(false);
    expect(last[`complete_${entry.noun}`]).toMatchObject({ initial_request: 'Step 1: investigate', steps_taken: 2 });
    entry.check?.(last);

    if (!entry.model) {
      expect(last.status).toBe(`${entry.noun}_complete`);
      expect(last.metadata).toEqual({ tool_name: entry.tool });
      expect(modelRequests()).toHaveLength(0);
      return;
    }

    expect(last.status).toBe('calling_expert_analysis');
    expect(last[`complete_${entry.noun}`].work_summary).toBe(`Step 1: ${entry.tool.toUpperCase()}-FINDING-1\nStep 2: ${entry.tool.toUpperCase()}-FINDING-2`);
    expect(last.expert_analysis.status).toBe('analysis_complete');
    expect(last.expert_analysis.raw_analysis).toContain(`[${entry.model}] You said:`);
    expect(last.important_considerations).toContain('validate each finding');
    expect(last.metadata).toMatchObject({ tool_name: entry.tool, model: entry.model, provider: entry.model.startsWith('glm') ? 'glm' : 'kimi', continuation_id: id });
    expect(last.metadata.tokens.input).toBeGreaterThan(0);
    expect(last.metadata.tokens.output).toBeGreaterThan(0);
    expect(typeof last.metadata.duration_ms).toBe('number');
    const files = entry.files?.() ?? [[sessionFile, '2│   return minutes * 60; // SESSION-TTL-LINE']];
    expect(last.file_context).toEqual({ type: 'fully_embedded', files_embedded: files.map(([path]) => path), files_skipped: [] });

    // What reached the model: one request, the tool's system prompt, the findings in order, the files line-numbered.
    const body = onlyModelBody();
    expect(body.model).toBe(entry.model);
    expect(textOfRole(body, 'system')).toContain(entry.systemMarker);
    const user = textOfRole(body, 'user');
    expect(user).toContain(`=== ${entry.tool.toUpperCase()} REQUEST ===\nStep 1: investigate`);
    expect(user).toContain(`=== WORK PROGRESSION (2 steps) ===\nStep 1: ${entry.tool.toUpperCase()}-FINDING-1\n\nStep 2: ${entry.tool.toUpperCase()}-FINDING-2`);
    expect(user).toContain('=== ESSENTIAL FILES ===');
    for (const [path, line] of files) {
      expect(user).toMatch(new RegExp(`--- BEGIN FILE: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ lines\\) ---`));
      expect(user).toContain(line);
    }
    for (const text of entry.context?.() ?? []) expect(user).toContain(text);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. When the expert is skipped: never a model request

/** The tools that end with an expert, the fields their first step needs, and their own skip rule (analyze has none). */
const expertCases: Array<{ tool: string; noun: string; needs: () => Record<string, unknown>; skip?: { input: Record<string, unknown>; status: string; reason: RegExp } }> = [
  { tool: 'thinkdeep', noun: 'thinkdeep', needs: () => ({}), skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /^confidence is certain/ } },
  // debug turns a certain root cause into its own status: proceed with the fix.
  { tool: 'debug', noun: 'investigation', needs: () => ({}), skip: { input: { confidence: 'certain' }, status: 'certain_confidence_proceed_with_fix', reason: /root cause is confirmed/ } },
  { tool: 'codereview', noun: 'codereview', needs: () => ({}), skip: { input: { review_validation_type: 'internal' }, status: 'skipped_expert_analysis', reason: /review_validation_type is internal/ } },
  { tool: 'precommit', noun: 'precommit', needs: () => ({ path: repo.path }), skip: { input: { precommit_type: 'internal' }, status: 'skipped_expert_analysis', reason: /precommit_type is internal/ } },
  { tool: 'secaudit', noun: 'secaudit', needs: () => ({}), skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /^confidence is certain/ } },
  { tool: 'analyze', noun: 'analyze', needs: () => ({}) },
  { tool: 'refactor', noun: 'refactor', needs: () => ({}), skip: { input: { confidence: 'complete' }, status: 'skipped_expert_analysis', reason: /^confidence is complete/ } },
  { tool: 'testgen', noun: 'testgen', needs: () => ({}), skip: { input: { confidence: 'certain' }, status: 'skipped_expert_analysis', reason: /^confidence is certain/ } },
];

describe('2. expert analysis skip conditions', () => {
  /** A one-step workflow with a relevant file, so only the rule under test can skip the expert. */
  const single = (entry: (typeof expertCases)[number], extra: Record<string, unknown>) =>
    stepArgs(1, 1, false, 'Everything checked', { relevant_files: [sessionFile], model: 'glm-4.5-flash', ...entry.needs(), ...extra });

  it.each(expertCases.map((entry) => [entry.tool, entry] as const))('%s: use_assistant_model false skips the expert, nothing reaches a model', async (_name, entry) => {
    const output = ok(await call(entry.tool, single(entry, { use_assistant_model: false })));
    expect(output.status).toBe('skipped_expert_analysis');
    expect(output.skip_reason).toBe('use_assistant_model is false');
    expect(output.expert_analysis).toEqual({ status: 'skipped', reason: 'use_assistant_model is false' });
    expect(output.next_steps).toContain('without an expert model');
    expect(output[`complete_${entry.noun}`]).toMatchObject({ steps_taken: 1, relevant_files: [sessionFile] });
    expect(modelRequests()).toHaveLength(0);
  });

  it.each(expertCases.filter((entry) => entry.skip).map((entry) => [entry.tool, entry] as const))('%s: its own skip rule', async (_name, entry) => {
    const skip = entry.skip!;
    const output = ok(await call(entry.tool, single(entry, skip.input)));
    expect(output.status).toBe(skip.status);
    expect(output.skip_reason).toMatch(skip.reason);
    expect(output.expert_analysis).toEqual({ status: 'skipped', reason: output.skip_reason });
    expect(modelRequests()).toHaveLength(0);
  });

  it('analyze has no skip rule of its own: even at certain confidence the expert is consulted', async () => {
    const analyze = expertCases.find((entry) => entry.tool === 'analyze')!;
    const output = ok(await call('analyze', single(analyze, { confidence: 'certain' })));
    expect(output.status).toBe('calling_expert_analysis');
    expect(onlyModelBody().model).toBe('glm-4.5-flash');
  });

  it('skips when there is nothing to analyse (no files, no issues, one finding), and consults once there is', async () => {
    const bare = ok(await call('thinkdeep', stepArgs(1, 1, false, 'SQS fits', { model: 'glm-4.5-flash' })));
    expect(bare.status).toBe('skipped_expert_analysis');
    expect(bare.skip_reason).toMatch(/nothing for an expert to analyse yet: no relevant_files, no issues_found and fewer than two steps with findings/);
    expect(modelRequests()).toHaveLength(0);

    // An issue is enough material.
    const withIssue = ok(
      await call('thinkdeep', stepArgs(1, 1, false, 'SQS fits', { model: 'glm-4.5-flash', issues_found: [{ severity: 'medium', description: 'ISSUE-MARKER: no dead-letter queue' }] })),
    );
    expect(withIssue.status).toBe('calling_expert_analysis');
    expect(textOfRole(onlyModelBody(), 'user')).toContain('=== ISSUES FOUND ===\n[MEDIUM] ISSUE-MARKER: no dead-letter queue');

    // So are two steps with findings, without files or issues.
    sim.reset();
    const id = ok(await call('debug', stepArgs(1, 2, true, 'FIRST-FINDING'))).continuation_id;
    const twoSteps = ok(await call('debug', stepArgs(2, 2, false, 'SECOND-FINDING', { continuation_id: id, model: 'glm-4.5-flash' })));
    expect(twoSteps.status).toBe('calling_expert_analysis');
    expect(textOfRole(onlyModelBody(), 'user')).toContain('Step 1: FIRST-FINDING\n\nStep 2: SECOND-FINDING');
  });

  it('precommit: the git diff it collects counts as material, so a single step without files still reaches the expert', async () => {
    const output = ok(await call('precommit', stepArgs(1, 1, false, 'One change', { path: repo.path, model: 'glm-4.5-flash' })));
    expect(output.status).toBe('calling_expert_analysis');
    expect(textOfRole(onlyModelBody(), 'user')).toContain('+export const limit = 20; // STAGED-CHANGE');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Backtracking, retried steps, early termination, expert statuses

describe('3. backtracking and early termination', () => {
  it('backtrack_from_step drops the abandoned steps with their files and issues: the expert never sees them', async () => {
    const wrongLead = writeFile('wrong-lead.ts', 'export const cookiePath = "/"; // WRONG-LEAD-FILE\n');
    const id = ok(await call('debug', stepArgs(1, 4, true, 'RIGHT-1: logout follows every request', { relevant_files: [sessionFile] }))).continuation_id;
    ok(
      await call(
        'debug',
        stepArgs(2, 4, true, 'WRONG-LEAD-2: the cookie path', {
          continuation_id: id,
          relevant_files: [wrongLead],
          relevant_context: ['cookiePath'],
          issues_found: [{ severity: 'low', description: 'WRONG-LEAD-ISSUE' }],
          hypothesis: 'WRONG-HYPOTHESIS',
          confidence: 'medium',
        }),
      ),
    );
    const third = ok(await call('debug', stepArgs(3, 4, true, 'WRONG-LEAD-3: still the cookie', { continuation_id: id })));
    expect(third.investigation_status).toMatchObject({ steps_recorded: 3, relevant_files: 2, issues_found: 1 });

    const done = ok(
      await call('debug', stepArgs(4, 4, false, 'RIGHT-4: the TTL is read as minutes', { continuation_id: id, backtrack_from_step: 2, model: 'glm-4.5-flash' })),
    );
    expect(done.status).toBe('calling_expert_analysis');
    expect(done.complete_investigation).toMatchObject({
      steps_taken: 4,
      relevant_files: [sessionFile],
      relevant_context: [],
      issues_found: [],
      work_summary: 'Step 1: RIGHT-1: logout follows every request\nStep 4: RIGHT-4: the TTL is read as minutes',
    });
    const user = textOfRole(onlyModelBody(), 'user');
    expect(user).toContain('=== WORK PROGRESSION (2 steps) ===\nStep 1: RIGHT-1: logout follows every request\n\nStep 4: RIGHT-4: the TTL is read as minutes');
    expect(user).toContain('SESSION-TTL-LINE');
    for (const dropped of ['WRONG-LEAD', 'WRONG-HYPOTHESIS', 'cookiePath']) expect(user).not.toContain(dropped);
  });

  it('a step sent again with the same number replaces the earlier one', async () => {
    const id = ok(await call('thinkdeep', stepArgs(1, 2, true, 'FIRST', { relevant_files: [sessionFile] }))).continuation_id;
    ok(await call('thinkdeep', stepArgs(2, 3, true, 'DRAFT-SECOND', { continuation_id: id })));
    ok(await call('thinkdeep', stepArgs(2, 3, true, 'FINAL-SECOND', { continuation_id: id })));
    ok(await call('thinkdeep', stepArgs(3, 3, false, 'THIRD', { continuation_id: id, model: 'glm-4.5-flash' })));
    const user = textOfRole(onlyModelBody(), 'user');
    expect(user).toContain('Step 1: FIRST\n\nStep 2: FINAL-SECOND\n\nStep 3: THIRD');
    expect(user).not.toContain('DRAFT-SECOND');
  });

  it('rejects a backtrack target after the current step, naming the field', async () => {
    const id = ok(await call('debug', stepArgs(1, 3, true, 'start'))).continuation_id;
    const message = failure(await call('debug', stepArgs(2, 3, true, 'x', { continuation_id: id, backtrack_from_step: 3 })));
    expect(message).toContain('backtrack_from_step (3) must not be after step_number (2)');
    expect(modelRequests()).toHaveLength(0);
  });

  it('terminates early when next_step_required is false before total_steps, still consulting the expert', async () => {
    const id = ok(await call('codereview', stepArgs(1, 5, true, 'EARLY-1', { relevant_files: [sessionFile] }))).continuation_id;
    const done = ok(await call('codereview', stepArgs(2, 5, false, 'EARLY-2', { continuation_id: id, model: 'kimi-k2-turbo-preview' })));
    expect(done.status).toBe('calling_expert_analysis');
    expect(done.total_steps).toBe(5);
    expect(done.early_termination_reason).toBe('Finished at step 2 of an estimated 5: next_step_required was false.');
    expect(done.complete_codereview.steps_taken).toBe(2);
    expect(textOfRole(onlyModelBody(), 'user')).toContain('=== WORK PROGRESSION (2 steps) ===\nStep 1: EARLY-1\n\nStep 2: EARLY-2');
  });

  it('raises total_steps to step_number when the agent needs more steps than it estimated', async () => {
    const id = ok(await call('debug', stepArgs(1, 2, true, 'start'))).continuation_id;
    ok(await call('debug', stepArgs(2, 2, true, 'more to do', { continuation_id: id })));
    const third = ok(await call('debug', stepArgs(3, 2, true, 'still more', { continuation_id: id })));
    expect(third.status).toBe('pause_for_investigation');
    expect(third.total_steps).toBe(3);
    expect(third.next_call.arguments).toMatchObject({ step_number: 4, total_steps: 4 });
  });

  it('promotes an expert status that needs the agent, goes on from the same state, and parses a debug no_bug_found verdict', async () => {
    // The simulator echoes the start of the expert request, whose first section is the step text:
    // a fenced JSON object there comes back as the expert's JSON reply.
    const fenced = (json: string) => '```json\n' + json + '\n```';
    const filesNeeded = fenced('{"status": "files_required_to_continue", "mandatory_instructions": "show the cache", "files_needed": ["cache.ts"]}');
    const promoted = ok(await call('thinkdeep', { ...stepArgs(1, 1, false, 'TTL is zero', { relevant_files: [sessionFile], model: 'glm-4.5-flash' }), step: filesNeeded }));
    expect(promoted.status).toBe('files_required_to_continue');
    expect(promoted.expert_analysis).toMatchObject({ status: 'files_required_to_continue', files_needed: ['cache.ts'] });
    const id: string = promoted.continuation_id;
    expect(promoted.next_steps).toContain(`step_number 2 and continuation_id ${id}`);

    // The agent adds the file and goes on from the same state: both steps and both files reach the expert.
    const cache = writeFile('cache.ts', 'export const cacheTtl = 0; // CACHE-FILE-LINE\n');
    ok(await call('thinkdeep', stepArgs(2, 2, false, 'CACHE-FINDING', { continuation_id: id, relevant_files: [cache], model: 'glm-4.5-flash' })));
    const second = modelRequests()[1]!.body as Structured;
    expect(textOfRole(second, 'user')).toContain('Step 1: TTL is zero\n\nStep 2: CACHE-FINDING');
    expect(textOfRole(second, 'user')).toContain('1│ export const cacheTtl = 0; // CACHE-FILE-LINE');
    expect(textOfRole(second, 'user')).toContain('SESSION-TTL-LINE');

    sim.reset();
    const clean = ok(
      await call('debug', { ...stepArgs(1, 1, false, 'looks fine', { relevant_files: [sessionFile], model: 'glm-4.5-flash' }), step: fenced('{"status": "no_bug_found", "summary": "works as designed"}') }),
    );
    expect(clean.status).toBe('no_bug_found');
    expect(clean.expert_analysis).toEqual({ status: 'no_bug_found', summary: 'works as designed' });
    expect(clean.next_steps).toContain('The expert found no bug');
    expect(modelRequests()).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Planner: revisions, branches, reflection pauses, earlier plans

describe('4. planner branching and revisions', () => {
  const plan = (stepNumber: number, step: string, extra: Record<string, unknown> = {}) => ({ step, step_number: stepNumber, total_steps: 5, next_step_required: stepNumber < 5, ...extra });

  it('revises a step, opens and continues a branch, pauses for reflection on a long plan, and completes without a model', async () => {
    const first = ok(await call('planner', plan(1, 'Migrate the monolith to services')));
    expect(first.status).toBe('pause_for_deep_thinking');
    expect(first.thinking_required).toBe(true);
    expect(first.required_thinking.length).toBeGreaterThan(0);
    const id: string = first.continuation_id;
    expect(first.next_steps).toContain(`continuation_id ${id}`);
    expect(first.next_steps).not.toContain('{continuation_id}');
    expect(first.next_call.arguments).toMatchObject({ step_number: 2, continuation_id: id });

    expect(ok(await call('planner', plan(2, 'OLD-PHASES: big bang rewrite', { continuation_id: id }))).status).toBe('pause_for_deep_thinking');
    const revised = ok(await call('planner', plan(3, 'NEW-PHASES: strangler fig, one service at a time', { continuation_id: id, is_step_revision: true, revises_step_number: 2 })));
    expect(revised.status).toBe('pause_for_deep_thinking');
    expect(revised.plan_status).toMatchObject({ revisions: [{ step: 3, revises: 2 }], is_step_revision: true });

    const branch = ok(
      await call('planner', plan(4, 'BRANCH-B: extract billing first', { continuation_id: id, is_branch_point: true, branch_from_step: 3, branch_id: 'billing-first' })),
    );
    expect(branch.status).toBe('pause_for_planning');
    expect(branch.plan_status).toMatchObject({ branches: ['billing-first'], active_branch: 'billing-first' });
    expect(branch.next_call.arguments).toMatchObject({ branch_id: 'billing-first', continuation_id: id });

    const done = ok(await call('planner', plan(5, 'BRANCH-B-2: cut over billing traffic', { continuation_id: id, branch_id: 'billing-first' })));
    expect(done.status).toBe('planning_complete');
    expect(done.complete_planning).toMatchObject({
      initial_request: 'Migrate the monolith to services',
      steps_taken: 5,
      branches: { 'billing-first': { from: 3, steps: [4, 5] } },
      revisions: [{ step: 3, revises: 2 }],
    });
    // The revised step is left out of the plan.
    expect(done.complete_planning.plan).toBe(
      [
        'Step 1: Migrate the monolith to services',
        'Step 3 (revises 2): NEW-PHASES: strangler fig, one service at a time',
        'Step 4 (branch billing-first): BRANCH-B: extract billing first',
        'Step 5 (branch billing-first): BRANCH-B-2: cut over billing traffic',
      ].join('\n'),
    );
    expect(done.plan_summary).toContain('branches: billing-first');
    expect(done.next_steps).toContain('ASCII');
    expect(modelRequests()).toHaveLength(0);

    // A new plan on the same continuation id builds on the finished one.
    const again = ok(await call('planner', { step: 'Plan the billing cut-over in detail', step_number: 1, total_steps: 2, next_step_required: true, continuation_id: id }));
    expect(again.status).toBe('pause_for_planning');
    expect(again.previous_plans).toHaveLength(1);
    expect(again.previous_plans[0]).toMatchObject({ request: 'Migrate the monolith to services', steps: 5, branches: ['billing-first'] });
    expect(again.next_steps).toContain('This continues 1 earlier plan(s)');
  });

  it('refuses revisions and branches of steps that do not exist, naming the field', async () => {
    const id = ok(await call('planner', plan(1, 'Plan a release'))).continuation_id;
    const cases: Array<[Record<string, unknown>, string]> = [
      [plan(2, 'x', { continuation_id: id, is_step_revision: true, revises_step_number: 4 }), 'revises_step_number 4 is not an earlier step of this plan (recorded: 1)'],
      [plan(2, 'x', { continuation_id: id, is_step_revision: true }), 'is_step_revision needs revises_step_number'],
      [plan(2, 'x', { continuation_id: id, is_branch_point: true, branch_from_step: 3, branch_id: 'b' }), 'branch_from_step 3 is not an earlier step'],
      [plan(2, 'x', { continuation_id: id, is_branch_point: true, branch_from_step: 1 }), 'a branch point needs both branch_from_step'],
      [plan(2, 'x', { continuation_id: id, branch_id: 'nope' }), 'no branch "nope" in this plan'],
      [plan(1, 'x', { is_branch_point: true, branch_from_step: 1, branch_id: 'b' }), 'step 1 starts the plan'],
      [plan(2, 'x', { continuation_id: id, next_step_required: false, more_steps_needed: true }), 'more_steps_needed=true contradicts next_step_required=false'],
    ];
    for (const [args, message] of cases) expect(failure(await call('planner', args))).toContain(message);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Consensus: blinded models with stances

describe('5. consensus with three stances', () => {
  const models = [
    { model: 'glm-4.5-flash', stance: 'for' },
    { model: 'kimi-k2-turbo-preview', stance: 'against' },
    { model: 'glm-4.5-air', stance: 'neutral' },
  ] as const;
  const stanceLine = { for: 'STANCE: FOR.', against: 'STANCE: AGAINST.', neutral: 'STANCE: NEUTRAL.' } as const;
  const proposal = 'PROPOSAL-MARKER: replace the REST API with GraphQL';

  /** Each model's request holds the proposal, its own stance only, and no other model's verdict. */
  function expectBlinded(requests: RecordedRequest[], files: string[] = []): void {
    for (const request of requests) {
      const body = request.body as Structured;
      const participant = models.find((entry) => entry.model === body.model)!;
      expect(participant).toBeDefined();
      const system = textOfRole(body, 'system');
      expect(system).toContain(stanceLine[participant.stance]);
      for (const other of models) if (other.stance !== participant.stance) expect(system).not.toContain(stanceLine[other.stance]);
      expect(system).toContain('## Confidence Score');
      expect(body.messages.map((message: Structured) => message.role)).toEqual(['system', 'user']);
      const user = textOfRole(body, 'user');
      expect(user.startsWith(proposal)).toBe(true);
      for (const file of files) expect(user).toContain(`--- BEGIN FILE: ${file}`);
      // No verdict (the simulator's answers start "[<model>] You said:") and no caller notes reach a model.
      expect(JSON.stringify(body.messages)).not.toContain('You said');
      expect(JSON.stringify(body.messages)).not.toContain('NOTES-MARKER');
    }
  }

  it('one call consults every model in parallel, each blinded, and returns all verdicts with synthesis guidance', async () => {
    const latency = 600;
    sim.setLatency(latency);
    const started = Date.now();
    const output = ok(await call('consensus', { step: proposal, models, relevant_files: [sessionFile] }));
    const elapsed = Date.now() - started;

    expect(output.status).toBe('consensus_workflow_complete');
    expect(output.verdicts.map((verdict: Structured) => [verdict.model, verdict.stance, verdict.status])).toEqual(models.map((entry) => [entry.model, entry.stance, 'ok']));
    for (const verdict of output.verdicts) {
      expect(verdict.verdict).toContain(`[${verdict.model}] You said: "${proposal}`);
      expect(verdict.metadata).toMatchObject({ model: verdict.model, provider: verdict.model.startsWith('glm') ? 'glm' : 'kimi' });
      expect(verdict.metadata.tokens.input).toBeGreaterThan(0);
    }
    expect(output).toMatchObject({ models_consulted: 3, models_failed: 0 });
    expect(output.next_steps).toContain('CONSENSUS GATHERED');
    expect(output.next_steps).toContain('Points of DISAGREEMENT');
    expect(typeof output.continuation_id).toBe('string');

    const requests = modelRequests();
    expect(requests).toHaveLength(3);
    expectBlinded(requests, [sessionFile]);
    // In parallel: every request arrived before the first answer could (each waits `latency` ms).
    const received = requests.map((request) => request.receivedAt);
    expect(Math.max(...received) - Math.min(...received)).toBeLessThan(latency);
    expect(elapsed).toBeLessThan(latency * 3);
  });

  it('the stepwise form consults model N at step N, never sending earlier verdicts or the caller notes', async () => {
    const first = ok(await call('consensus', { step: proposal, models, step_number: 1, total_steps: 3, next_step_required: true }));
    expect(first).toMatchObject({ status: 'model_consulted', step_number: 1, total_steps: 3, next_step_required: true, models_consulted: 1 });
    expect(first.verdicts).toHaveLength(1);
    const id: string = first.continuation_id;
    expect(first.next_steps).toContain(`step_number 2, continuation_id ${id}`);

    const notes = { step: 'NOTES-MARKER: the first model liked it', findings: 'NOTES-MARKER: schema stitching is a risk' };
    const second = ok(await call('consensus', { ...notes, step_number: 2, total_steps: 3, next_step_required: true, continuation_id: id }));
    expect(second).toMatchObject({ status: 'model_consulted', step_number: 2, models_consulted: 2 });
    expect(second.verdicts.map((verdict: Structured) => verdict.model)).toEqual(['kimi-k2-turbo-preview']);
    const done = ok(await call('consensus', { ...notes, step_number: 3, total_steps: 3, next_step_required: false, continuation_id: id }));
    expect(done.status).toBe('consensus_workflow_complete');
    expect(done.verdicts.map((verdict: Structured) => [verdict.model, verdict.stance])).toEqual(models.map((entry) => [entry.model, entry.stance]));
    expect(done.next_steps).toContain('CONSENSUS GATHERED');

    const requests = modelRequests();
    expect(requests.map((request) => (request.body as Structured).model)).toEqual(models.map((entry) => entry.model));
    expectBlinded(requests);

    expect(failure(await call('consensus', { step: 'more', step_number: 4, total_steps: 3, next_step_required: false, continuation_id: id }))).toContain(
      'this consensus has 3 models, so 3 steps',
    );
    expect(modelRequests()).toHaveLength(3);
  });

  it('refuses a repeated (model, stance) pair and a single model, naming the field', async () => {
    const repeated = failure(await call('consensus', { step: proposal, models: [models[0], models[0]] }));
    expect(repeated).toContain('Duplicate (model, stance) pair in "models": glm-4.5-flash with stance "for"');
    expect(failure(await call('consensus', { step: proposal, models: [models[0]] }))).toContain('models');
    expect(modelRequests()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. precommit on a real git repository

describe('6. precommit runs git on a real repository', () => {
  const validate = async (extra: Record<string, unknown>): Promise<{ paused: Structured; done: Structured; user: string }> => {
    const paused = ok(await call('precommit', stepArgs(1, 2, true, 'Changes listed', { path: repo.path, ...extra })));
    expect(modelRequests()).toHaveLength(0);
    const done = ok(await call('precommit', stepArgs(2, 2, false, 'Changes reviewed', { continuation_id: paused.continuation_id, model: 'glm-4.5-flash' })));
    return { paused, done, user: textOfRole(onlyModelBody(), 'user') };
  };

  it('sends the staged and unstaged diffs to the expert, lists untracked files and never sends a secret', async () => {
    const { paused, done, user } = await validate({});
    expect(paused.status).toBe('pause_for_validation');
    expect(paused.git_changes).toEqual({
      repository: repo.path,
      branch: 'main',
      staged_files: ['M .env', 'M a.ts'],
      unstaged_files: ['M b.ts'],
      untracked_files: ['c.ts'],
      secret_files_not_sent: ['.env'],
    });
    expect(done.status).toBe('calling_expert_analysis');
    expect(done.git_changes.diff_chars).toBeGreaterThan(0);
    expect(user).toMatch(/### staged changes\ndiff --git a\/a\.ts b\/a\.ts[\s\S]*-export const limit = 10;\n\+export const limit = 20; \/\/ STAGED-CHANGE/);
    expect(user).toMatch(/### unstaged changes\ndiff --git a\/b\.ts b\/b\.ts[\s\S]*\+export const window = 30; \/\/ UNSTAGED-CHANGE/);
    expect(user).toContain('Changed files holding secrets, not shown: .env');
    expect(user).not.toContain('SECRET-VALUE');
    expect(user).not.toContain('COMMITTED-CHANGE');
  });

  it('compares the working tree with compare_to, committed changes included', async () => {
    const { done, user } = await validate({ compare_to: 'v1' });
    expect(done.git_changes).toMatchObject({ compared_to: 'v1', changed_files: ['M .env', 'M a.ts', 'M b.ts', 'A d.ts'] });
    expect(user).toContain('### working tree compared with v1');
    expect(user).toContain('+export const d = "COMMITTED-CHANGE";');
    expect(user).toContain('STAGED-CHANGE');
    expect(user).toContain('UNSTAGED-CHANGE');
    expect(user).not.toContain('SECRET-VALUE');
  });

  it('honours include_staged / include_unstaged', async () => {
    const { done, user } = await validate({ include_unstaged: false });
    expect(done.git_changes.unstaged_files).toBeUndefined();
    expect(user).toContain('STAGED-CHANGE');
    expect(user).not.toContain('UNSTAGED-CHANGE');
  });

  it('reviews a saved diff file when the path is no repository, and refuses such a path without one', async () => {
    const plain = join(root, 'not-a-repo');
    mkdirSync(plain, { recursive: true });
    const refused = failure(await call('precommit', stepArgs(1, 2, true, 'x', { path: plain })));
    expect(refused).toContain(`${plain}: git cannot read changes there`);
    expect(refused).toContain('save the diff to a .diff file and list it in relevant_files');

    const diff = writeFile('changes.diff', 'diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -1 +1 @@\n-old\n+DIFF-FILE-LINE\n');
    const paused = ok(await call('precommit', stepArgs(1, 2, true, 'Saved the diff', { path: plain, relevant_files: [diff] })));
    expect(paused.git_changes).toMatchObject({ reviewed_instead: [diff] });
    const done = ok(await call('precommit', stepArgs(2, 2, false, 'Reviewed', { continuation_id: paused.continuation_id, model: 'glm-4.5-flash' })));
    expect(done.status).toBe('calling_expert_analysis');
    const user = textOfRole(onlyModelBody(), 'user');
    expect(user).toContain('No git diff is included; review the changeset files among the essential files.');
    expect(user).toContain(`--- BEGIN FILE: ${diff} (6 lines) ---`);
    expect(user).toContain('6│ +DIFF-FILE-LINE');
  });

  it('names the field of a bad ref or a missing path', async () => {
    expect(failure(await call('precommit', stepArgs(1, 2, true, 'x', { path: repo.path, compare_to: 'no-such-branch' })))).toContain('compare_to "no-such-branch" names no commit');
    expect(failure(await call('precommit', stepArgs(1, 2, true, 'x')))).toContain('precommit step 1 needs path');
    expect(failure(await call('precommit', stepArgs(1, 2, true, 'x', { path: 'relative/repo' })))).toContain('relative/repo: not an absolute path');
    expect(modelRequests()).toHaveLength(0);
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Concurrent isolation

describe('7. concurrent workflows never see each other', () => {
  const markers = ['ALPHA', 'BRAVO'] as const;
  const files = Object.fromEntries(markers.map((marker) => [marker, writeFile(`${marker.toLowerCase()}.ts`, `export const owner = '${marker}-FILE';\n`)])) as Record<(typeof markers)[number], string>;

  /** Runs the same three-step debug workflow for both markers at the same time, each on its own session. */
  async function runBoth(sessions: Record<(typeof markers)[number], StdioSession>): Promise<Structured[]> {
    const both = <T>(run: (marker: (typeof markers)[number]) => Promise<T>) => Promise.all(markers.map(run));
    const ids = await both(async (marker) =>
      ok(await call('debug', { ...stepArgs(1, 3, true, `${marker} finding 1`, { relevant_files: [files[marker]] }), step: `${marker} request` }, sessions[marker])).continuation_id as string,
    );
    expect(ids[0]).not.toBe(ids[1]);
    await both(async (marker) =>
      ok(
        await call(
          'debug',
          stepArgs(2, 3, true, `${marker} finding 2`, { continuation_id: ids[markers.indexOf(marker)], issues_found: [{ severity: 'medium', description: `${marker} issue` }], hypothesis: `${marker} hypothesis` }),
          sessions[marker],
        ),
      ),
    );
    return both(async (marker) => ok(await call('debug', stepArgs(3, 3, false, `${marker} finding 3`, { continuation_id: ids[markers.indexOf(marker)], model: 'glm-4.5-flash' }), sessions[marker])));
  }

  /** How long the simulator holds each answer, so both expert calls are in flight together. */
  const latency = 400;

  function expectIsolated(outputs: Structured[]): void {
    markers.forEach((marker, index) => {
      const summary = outputs[index]!.complete_investigation;
      expect(summary.initial_request).toBe(`${marker} request`);
      expect(summary.work_summary).toBe(`Step 1: ${marker} finding 1\nStep 2: ${marker} finding 2\nStep 3: ${marker} finding 3`);
      expect(summary.issues_found).toEqual([{ severity: 'medium', description: `${marker} issue` }]);
      expect(summary.relevant_files).toEqual([files[marker]]);
    });
    // Both expert calls were in flight together (the simulator holds each answer), and each request holds one workflow only.
    const requests = modelRequests();
    expect(requests).toHaveLength(2);
    expect(Math.abs(requests[0]!.receivedAt - requests[1]!.receivedAt)).toBeLessThan(latency);
    for (const request of requests) {
      const user = textOfRole(request.body as Structured, 'user');
      const owner = markers.find((marker) => user.includes(`${marker} request`))!;
      const other = markers.find((marker) => marker !== owner)!;
      expect(user).toContain(`Step 1: ${owner} finding 1\n\nStep 2: ${owner} finding 2\n\nStep 3: ${owner} finding 3`);
      expect(user).toContain(`${owner}-FILE`);
      expect(user).toContain(`[MEDIUM] ${owner} issue`);
      expect(user).not.toContain(other);
    }
  }

  it('two continuation chains of the same tool on one process', async () => {
    sim.setLatency(latency);
    expectIsolated(await runBoth({ ALPHA: session, BRAVO: session }));
  });

  it('two clients, each with its own exai-stdio process', async () => {
    const second = await startStdio(serverEnv());
    try {
      sim.setLatency(latency);
      expectIsolated(await runBoth({ ALPHA: session, BRAVO: second }));
    } finally {
      await second.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 9. Bad input: clear errors naming the field, nothing sent to a model

describe('9. bad input', () => {
  it('names the field of each bad step', async () => {
    const id = ok(await call('debug', stepArgs(1, 3, true, 'start'))).continuation_id;
    const unknown = '00000000-0000-4000-8000-000000000000';
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['debug', stepArgs(2, 3, true, 'x'), ['continuation_id', 'step_number 2 needs the continuation_id that step 1 of debug returned']],
      ['debug', stepArgs(2, 3, true, 'x', { continuation_id: unknown }), [`No debug workflow is in progress for continuation_id ${unknown}`]],
      ['debug', stepArgs(1, 3, true, 'x', { continuation_id: unknown }), [`continuation_id ${unknown} was not found`]],
      ['thinkdeep', stepArgs(2, 3, true, 'x', { continuation_id: id }), [`No thinkdeep workflow is in progress for continuation_id ${id}`]],
      ['debug', stepArgs(1.5, 3, true, 'x'), ['step_number must be a whole number, not 1.5']],
      ['debug', stepArgs(2, 3.5, true, 'x', { continuation_id: id }), ['total_steps must be a whole number, not 3.5']],
      ['debug', stepArgs(0, 3, true, 'x'), ['expected number to be >=1 at step_number']],
      ['debug', { ...stepArgs(1, 3, true, 'x'), step_number: 'two' }, ['expected number, received string at step_number']],
      ['debug', { step: 'x', step_number: 1, total_steps: 1, next_step_required: false }, ['findings']],
      ['debug', stepArgs(1, 3, true, 'x', { confidence: 'sure' }), ['confidence']],
      ['debug', stepArgs(1, 3, true, 'x', { relevant_files: ['src/session.ts'] }), ['relevant_files must hold absolute paths; relative: src/session.ts']],
      ['debug', stepArgs(1, 3, true, 'x', { relevant_files: [join(root, 'missing.ts')] }), ['missing.ts: no such file']],
      ['codereview', stepArgs(1, 3, true, 'x'), ['codereview step 1 needs relevant_files']],
      ['testgen', stepArgs(1, 3, true, 'x'), ['testgen step 1 needs relevant_files']],
      ['refactor', stepArgs(1, 3, true, 'x'), ['refactor step 1 needs relevant_files']],
      ['docgen', stepArgs(1, 3, true, 'x', { num_files_documented: 1, total_files_to_document: 2 }), ['num_files_documented', 'step 1 is discovery']],
      ['tracer', stepArgs(1, 1, false, 'x'), ['trace_mode', 'a trace cannot finish before its mode is chosen']],
      ['consensus', { step: 'notes', step_number: 2, total_steps: 2, next_step_required: false }, ['continuation_id', 'step 2 needs the continuation_id step 1 returned']],
      ['consensus', { step: 'notes', step_number: 2, total_steps: 2, next_step_required: false, continuation_id: unknown }, [`no consensus in progress for continuation_id ${unknown}`]],
    ];
    for (const [tool, args, expected] of cases) {
      const message = failure(await call(tool, args));
      for (const text of expected) expect({ tool, args, message: message.includes(text) ? text : message }).toEqual({ tool, args, message: text });
    }
    expect(modelRequests()).toHaveLength(0);
  });

  it('asks for a file instead of a step over the prompt limit', async () => {
    const output = ok(await call('debug', stepArgs(1, 2, true, 'x'.repeat(60_001))));
    expect(output.status).toBe('resend_prompt');
    expect(output.content).toContain('"findings" is 60001 characters, over the 60000-character limit');
    expect(modelRequests()).toHaveLength(0);
  });
});
