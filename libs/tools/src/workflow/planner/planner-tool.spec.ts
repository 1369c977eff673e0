import { describe, expect, it } from '@jest/globals';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FakeRouter } from '../../test-support/fake-router.js';
import { connectClient, fakeServerOptions, textOf } from '../../test-support/tool-harness.js';

type Output = Record<string, unknown> & {
  status: string;
  continuation_id: string;
  total_steps: number;
  next_steps: string;
  required_actions?: string[];
  next_call?: { tool: string; arguments: Record<string, unknown> };
  plan_status: { branches: string[]; revisions: Array<{ step: number; revises: number }>; active_branch: string | null };
  previous_plans?: Array<{ request: string; summary: string }>;
  complete_planning?: { plan: string; branches: Record<string, { from: number; steps: number[] }>; revisions: unknown[]; previous_plans?: unknown[] };
};
const out = (result: CallToolResult): Output => {
  expect(result.isError).toBeFalsy();
  return result.structuredContent as Output;
};

async function plannerClient(options = fakeServerOptions()) {
  const client = await connectClient(options);
  const step = async (args: Record<string, unknown>) => client.call('planner', args);
  return { ...client, step, options };
}

describe('planner', () => {
  it('plans a short task step by step and asks for a self-contained ASCII plan at the end', async () => {
    const { step, close, options } = await plannerClient();
    const first = out(await step({ step: 'Migrate the session store to Redis', step_number: 1, total_steps: 3, next_step_required: true }));
    expect(first.status).toBe('pause_for_planning');
    expect(first.required_actions).toHaveLength(4);
    expect(first.next_steps).toContain(`continuation_id ${first.continuation_id}`);
    expect(first.next_steps).not.toContain('{continuation_id}');
    expect(first.next_call).toEqual({
      tool: 'planner',
      arguments: { step: '<the next part of the plan>', step_number: 2, total_steps: 3, next_step_required: true, continuation_id: first.continuation_id },
    });
    expect(first).not.toHaveProperty('file_context');

    const id = first.continuation_id;
    out(await step({ step: 'Phase 1: dual-write sessions', step_number: 2, total_steps: 3, next_step_required: true, continuation_id: id }));
    const done = out(await step({ step: 'Phase 2: switch reads, drop the old store', step_number: 3, total_steps: 3, next_step_required: false, continuation_id: id }));
    await close();

    expect(done.status).toBe('planning_complete');
    expect(done.next_steps).toContain('self-contained');
    expect(done.next_steps).toContain('ASCII diagrams');
    expect(done.next_steps).toContain('Do NOT use emojis');
    expect(done.next_steps).toContain('Do NOT give time estimates');
    expect(done.complete_planning!.plan).toBe(
      'Step 1: Migrate the session store to Redis\nStep 2: Phase 1: dual-write sessions\nStep 3: Phase 2: switch reads, drop the old store',
    );
    expect(done['plan_summary']).toContain('COMPLETE PLAN: Migrate the session store to Redis');
    expect((options.router as FakeRouter).calls).toHaveLength(0);
  });

  it('forces deep-thinking pauses at steps 1–3 of a plan of five or more steps', async () => {
    const { step, close } = await plannerClient();
    const statuses: string[] = [];
    let id: string | undefined;
    for (let number = 1; number <= 5; number += 1) {
      const result = out(await step({ step: `part ${number}`, step_number: number, total_steps: 5, next_step_required: number < 5, ...(id ? { continuation_id: id } : {}) }));
      id = result.continuation_id;
      statuses.push(result.status);
      if (number <= 3) {
        expect(result['thinking_required']).toBe(true);
        expect(result['required_thinking']).toEqual(result.required_actions);
        expect(result.next_steps).toMatch(/^MANDATORY: DO NOT call planner again immediately/);
        expect(result.next_steps).toContain(`continuation_id ${id}`);
      } else {
        expect(result).not.toHaveProperty('thinking_required');
      }
    }
    await close();
    expect(statuses).toEqual(['pause_for_deep_thinking', 'pause_for_deep_thinking', 'pause_for_deep_thinking', 'pause_for_planning', 'planning_complete']);
  });

  it('does not pause for deep thinking on a short plan', async () => {
    const { step, close } = await plannerClient();
    const result = out(await step({ step: 'small fix', step_number: 1, total_steps: 4, next_step_required: true }));
    await close();
    expect(result.status).toBe('pause_for_planning');
  });

  it('records revisions and branches, and leaves revised steps out of the final plan', async () => {
    const { step, close } = await plannerClient();
    const id = out(await step({ step: 'Add search to the docs site', step_number: 1, total_steps: 4, next_step_required: true })).continuation_id;
    out(await step({ step: 'Use Elasticsearch', step_number: 2, total_steps: 4, next_step_required: true, continuation_id: id }));
    const revision = out(await step({ step: 'Use SQLite FTS5 instead', step_number: 3, total_steps: 4, next_step_required: true, is_step_revision: true, revises_step_number: 2, continuation_id: id }));
    expect(revision.plan_status.revisions).toEqual([{ step: 3, revises: 2 }]);
    const branch = out(
      await step({ step: 'Alternative: Algolia DocSearch', step_number: 4, total_steps: 5, next_step_required: true, is_branch_point: true, branch_from_step: 1, branch_id: 'hosted', continuation_id: id }),
    );
    expect(branch.plan_status).toMatchObject({ branches: ['hosted'], active_branch: 'hosted' });
    expect(branch.next_call!.arguments['branch_id']).toBe('hosted');
    const done = out(await step({ step: 'Hosted: apply for DocSearch', step_number: 5, total_steps: 5, next_step_required: false, branch_id: 'hosted', continuation_id: id }));
    await close();
    expect(done.complete_planning!.branches).toEqual({ hosted: { from: 1, steps: [4, 5] } });
    expect(done.complete_planning!.revisions).toEqual([{ step: 3, revises: 2 }]);
    expect(done.complete_planning!.plan).not.toContain('Use Elasticsearch');
    expect(done.complete_planning!.plan).toContain('Step 3 (revises 2): Use SQLite FTS5 instead');
    expect(done.complete_planning!.plan).toContain('Step 5 (branch hosted): Hosted: apply for DocSearch');
  });

  it('explains revision and branch mistakes without recording the step', async () => {
    const { step, close } = await plannerClient();
    const id = out(await step({ step: 'task', step_number: 1, total_steps: 3, next_step_required: true })).continuation_id;
    const at2 = { step: 'x', step_number: 2, total_steps: 3, next_step_required: true, continuation_id: id };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ is_step_revision: true }, 'is_step_revision needs revises_step_number'],
      [{ is_step_revision: true, revises_step_number: 2 }, 'revises_step_number 2 is not an earlier step'],
      [{ is_branch_point: true, branch_from_step: 1 }, 'needs both branch_from_step'],
      [{ is_branch_point: true, branch_from_step: 5, branch_id: 'b' }, 'branch_from_step 5 is not an earlier step'],
      [{ branch_id: 'nope' }, 'no branch "nope" in this plan'],
      [{ more_steps_needed: true, next_step_required: false }, 'more_steps_needed=true contradicts next_step_required=false'],
    ];
    for (const [args, message] of cases) {
      const result = await step({ ...at2, ...args });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toContain(message);
    }
    const revisingFirst = await step({ step: 'x', step_number: 1, total_steps: 3, next_step_required: true, is_step_revision: true, revises_step_number: 1 });
    expect(textOf(revisingFirst)).toContain('step 1 starts the plan');
    out(await step({ ...at2, is_branch_point: true, branch_from_step: 1, branch_id: 'b' }));
    const again = await step({ ...at2, step_number: 3, is_branch_point: true, branch_from_step: 1, branch_id: 'b' });
    expect(textOf(again)).toContain('branch "b" already exists');
    await close();
  });

  it('grows total_steps when more steps are needed', async () => {
    const { step, close } = await plannerClient();
    const id = out(await step({ step: 'task', step_number: 1, total_steps: 2, next_step_required: true })).continuation_id;
    const grown = out(await step({ step: 'bigger than thought', step_number: 2, total_steps: 2, next_step_required: true, more_steps_needed: true, continuation_id: id }));
    await close();
    expect(grown.total_steps).toBe(3);
    expect(grown.next_call!.arguments).toMatchObject({ step_number: 3, total_steps: 3, next_step_required: false });
  });

  it('continues the plan history across sessions with the continuation_id', async () => {
    const options = fakeServerOptions();
    const plan = async (request: string, id?: string): Promise<Output> => {
      const session = await plannerClient(options);
      const first = out(await session.step({ step: request, step_number: 1, total_steps: 2, next_step_required: true, ...(id ? { continuation_id: id } : {}) }));
      const done = out(await session.step({ step: `${request}: details`, step_number: 2, total_steps: 2, next_step_required: false, continuation_id: first.continuation_id }));
      await session.close();
      return { ...done, previous_plans: first.previous_plans, next_steps: `${first.next_steps}` } as Output;
    };
    const one = await plan('Plan the auth service');
    expect(one.previous_plans).toBeUndefined();
    const two = await plan('Plan the auth service rollout', one.continuation_id);
    expect(two.continuation_id).toBe(one.continuation_id);
    expect(two.previous_plans).toEqual([expect.objectContaining({ request: 'Plan the auth service', summary: expect.stringContaining('Plan the auth service: details') })]);
    expect(two.next_steps).toContain('earlier plan(s)');
    const three = await plan('Plan the monitoring', one.continuation_id);
    expect(three.previous_plans!.map((previous) => previous.request)).toEqual(['Plan the auth service', 'Plan the auth service rollout']);
    expect(three.complete_planning!.previous_plans).toHaveLength(2);
  });

  it('keeps two clients’ plans apart when they plan at once', async () => {
    const options = fakeServerOptions();
    const [alice, bob] = await Promise.all([plannerClient(options), plannerClient(options)]);
    const [a1, b1] = await Promise.all([
      alice.step({ step: 'ALICE plan', step_number: 1, total_steps: 2, next_step_required: true }),
      bob.step({ step: 'BOB plan', step_number: 1, total_steps: 2, next_step_required: true }),
    ]);
    const [a2, b2] = await Promise.all([
      alice.step({ step: 'alice step 2', step_number: 2, total_steps: 2, next_step_required: false, continuation_id: out(a1).continuation_id }),
      bob.step({ step: 'bob step 2', step_number: 2, total_steps: 2, next_step_required: false, continuation_id: out(b1).continuation_id }),
    ]);
    await Promise.all([alice.close(), bob.close()]);
    expect(out(a2).complete_planning!.plan).toBe('Step 1: ALICE plan\nStep 2: alice step 2');
    expect(out(b2).complete_planning!.plan).toBe('Step 1: BOB plan\nStep 2: bob step 2');
  });

  it('lists a lean schema: planning fields only, no model', async () => {
    const { client, close } = await connectClient(fakeServerOptions());
    const tool = (await client.listTools()).tools.find((candidate) => candidate.name === 'planner')!;
    await close();
    expect(tool.inputSchema.required).toEqual(['step', 'step_number', 'total_steps', 'next_step_required']);
    expect(Object.keys(tool.inputSchema.properties!).sort()).toEqual(
      ['branch_from_step', 'branch_id', 'continuation_id', 'is_branch_point', 'is_step_revision', 'more_steps_needed', 'next_step_required', 'revises_step_number', 'step', 'step_number', 'total_steps'].sort(),
    );
    expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });
});
