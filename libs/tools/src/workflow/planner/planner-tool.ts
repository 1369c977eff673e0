import { z } from 'zod';
import type { ToolContext } from '../../tool-definition.js';
import { ToolInputError } from '../../tool-input-error.js';
import type { WorkflowInput, WorkflowState, WorkflowStep } from '../workflow-engine.js';
import { loadWorkflowState } from '../workflow-state.js';
import { defineLocalWorkflowTool } from './local-workflow-tool.js';
import { carriedPlans, readPlan, recordPlanStep, summarisePlan, type PreviousPlan } from './plan-record.js';
import { deepThinkingNextSteps, needsDeepThinking, PLAN_PRESENTATION, plannerRequiredActions, planningNextSteps } from './planner-guidance.js';

const TOOL = 'planner';

const extraShape = {
  is_step_revision: z.boolean().optional().describe('This step replaces an earlier one.'),
  revises_step_number: z.number().min(1).optional(),
  is_branch_point: z.boolean().optional().describe('This step starts an alternative path.'),
  branch_from_step: z.number().min(1).optional(),
  branch_id: z.string().min(1).max(64).optional().describe('Branch name; resend to continue it.'),
  more_steps_needed: z.boolean().optional().describe('The plan needs more steps than total_steps.'),
};

type PlannerInput = WorkflowInput<typeof extraShape>;

/** The plan's length as this step sees it: at least this step, one more when more steps are needed. */
function effectiveTotal(input: PlannerInput): number {
  return Math.max(input.total_steps, input.step_number + (input.more_steps_needed && input.next_step_required ? 1 : 0));
}

/** Revision and branching rules the schema cannot express; `state.extra.plan` is still the previous record. */
function validatePlannerStep(input: PlannerInput, state: WorkflowState): void {
  const stepNumber = input.step_number;
  const recorded = new Set(state.steps.filter((step) => step.stepNumber < stepNumber).map((step) => step.stepNumber));
  const known = (number: number) => recorded.has(number);
  const revises = input.revises_step_number;
  const branching = input.is_branch_point === true || input.branch_from_step !== undefined;
  if (stepNumber === 1 && (input.is_step_revision || revises !== undefined || branching)) {
    throw new ToolInputError('step_number', 'step 1 starts the plan: it cannot revise or branch from an earlier step');
  }
  if (input.is_step_revision && revises === undefined) {
    throw new ToolInputError('revises_step_number', 'is_step_revision needs revises_step_number: the number of the step this one replaces');
  }
  if (revises !== undefined && !known(revises)) {
    throw new ToolInputError('revises_step_number', `revises_step_number ${revises} is not an earlier step of this plan (recorded: ${[...recorded].join(', ') || 'none'})`);
  }
  const plan = readPlan(state);
  if (branching) {
    if (input.branch_from_step === undefined || input.branch_id === undefined) {
      throw new ToolInputError('branch_id', 'a branch point needs both branch_from_step (the step it departs from) and branch_id (a name such as "approach-b")');
    }
    if (!known(input.branch_from_step)) {
      throw new ToolInputError('branch_from_step', `branch_from_step ${input.branch_from_step} is not an earlier step of this plan (recorded: ${[...recorded].join(', ') || 'none'})`);
    }
    const existing = plan.branches[input.branch_id];
    if (existing && existing.steps.some((number) => number !== stepNumber)) {
      throw new ToolInputError('branch_id', `branch "${input.branch_id}" already exists (from step ${existing.from}); to continue it, send branch_id alone, or pick a new name`);
    }
  } else if (input.branch_id !== undefined && !plan.branches[input.branch_id]) {
    const names = Object.keys(plan.branches);
    throw new ToolInputError(
      'branch_id',
      `no branch "${input.branch_id}" in this plan${names.length ? ` (branches: ${names.join(', ')})` : ''}; to open it, set is_branch_point=true and branch_from_step`,
    );
  }
  if (input.more_steps_needed && !input.next_step_required) {
    throw new ToolInputError('more_steps_needed', 'more_steps_needed=true contradicts next_step_required=false: either continue the plan or finish it');
  }
}

/** Records the step in the plan, carries earlier plans into a new session, and shapes a pause. */
async function onPlannerStep(input: WorkflowStep<typeof extraShape>, state: WorkflowState, context: ToolContext): Promise<Record<string, unknown>> {
  const stepNumber = input.step_number;
  let plan = readPlan(state);
  if (stepNumber === 1) plan = { steps: [], branches: {}, completed: false, previousPlans: await earlierPlans(input.continuation_id, context) };
  plan = recordPlanStep(plan, {
    stepNumber,
    revises: input.revises_step_number,
    branchFrom: input.branch_from_step,
    branchId: input.branch_id,
    completes: !input.next_step_required,
  });
  state.extra['plan'] = plan;

  const totalSteps = effectiveTotal(input);
  const response: Record<string, unknown> = {
    total_steps: totalSteps,
    plan_status: {
      steps_recorded: plan.steps.length,
      branches: Object.keys(plan.branches),
      active_branch: input.branch_id ?? null,
      revisions: plan.steps.filter((entry) => entry.revises !== undefined).map((entry) => ({ step: entry.step, revises: entry.revises })),
      is_step_revision: input.revises_step_number !== undefined,
      more_steps_needed: input.more_steps_needed === true,
    },
    // Planning reads no files: the engine's file reference list would only be noise.
    file_context: undefined,
  };
  if (stepNumber === 1 && plan.previousPlans.length > 0) response['previous_plans'] = plan.previousPlans;
  if (!input.next_step_required) return response;

  const deep = needsDeepThinking(stepNumber, totalSteps);
  response['status'] = deep ? 'pause_for_deep_thinking' : 'pause_for_planning';
  if (deep) {
    response['thinking_required'] = true;
    response['required_thinking'] = plannerRequiredActions(stepNumber, totalSteps);
  }
  const position = { stepNumber, totalSteps, continuationId: input.continuation_id };
  const nextSteps = deep ? deepThinkingNextSteps(position) : planningNextSteps(position);
  response['next_steps'] =
    stepNumber === 1 && plan.previousPlans.length > 0
      ? `This continues ${plan.previousPlans.length} earlier plan(s) of this thread (previous_plans): build on them rather than starting over.\n${nextSteps}`
      : nextSteps;
  response['next_call'] = {
    tool: TOOL,
    arguments: {
      step: deep ? '<the result of your reflection and the next part of the plan>' : '<the next part of the plan>',
      step_number: stepNumber + 1,
      total_steps: totalSteps,
      next_step_required: stepNumber + 1 < totalSteps,
      ...(input.branch_id !== undefined ? { branch_id: input.branch_id } : {}),
    },
  };
  return response;
}

/**
 * Plans finished earlier on this continuation id. Read before the engine stores step 1, which
 * replaces the earlier state; an unreadable earlier state only loses the history, not the new plan.
 */
async function earlierPlans(continuationId: string | undefined, context: ToolContext): Promise<PreviousPlan[]> {
  if (continuationId === undefined) return [];
  try {
    return carriedPlans(await loadWorkflowState(context.deps.storage.workflows, { continuationId, tool: TOOL }));
  } catch (error) {
    context.logger.warn({ tool: TOOL, continuationId, err: error }, 'earlier plans unreadable; starting without them');
    return [];
  }
}

function completePlan(_input: PlannerInput, state: WorkflowState): Record<string, unknown> {
  const plan = readPlan(state);
  const summary = summarisePlan(state, plan);
  const current = summary.summary.split('\n').length;
  return {
    plan_summary: `COMPLETE PLAN: ${state.initialRequest} (${current} current step${current === 1 ? '' : 's'}${summary.branches.length ? `, branches: ${summary.branches.join(', ')}` : ''})`,
    next_steps: PLAN_PRESENTATION,
    complete_planning: {
      initial_request: state.initialRequest,
      steps_taken: state.steps.length,
      plan: summary.summary,
      branches: plan.branches,
      revisions: plan.steps.filter((entry) => entry.revises !== undefined).map((entry) => ({ step: entry.step, revises: entry.revises })),
      ...(plan.previousPlans.length ? { previous_plans: plan.previousPlans } : {}),
    },
  };
}

/** `planner`: step-by-step planning with revisions and branches, reflection pauses on long plans; no model call. */
export const plannerTool = defineLocalWorkflowTool(
  {
    name: TOOL,
    title: 'Plan step by step',
    description:
      'Build a plan step by step, with revisions and branches; long plans pause for reflection. No model call. Reuse continuation_id to build on earlier plans.',
    profile: 'standard',
    extraShape,
    pauseStatus: 'pause_for_planning',
    statusNoun: 'planning',
    requiredActions: (input) => plannerRequiredActions(input.step_number, effectiveTotal(input)),
    validate: validatePlannerStep,
    onStep: onPlannerStep,
    complete: completePlan,
  },
  {
    omit: ['findings', 'files_checked', 'relevant_files', 'relevant_context', 'issues_found', 'confidence', 'hypothesis', 'images', 'backtrack_from_step'],
    override: {
      step: z.string().min(1).describe('Step 1: the task and constraints. Later: the next part of the plan.'),
    },
    // The step's text is what the planner records: it is the plan.
    prepare: (input) => ({ ...input, findings: input['step'] }),
  },
);
