import { z } from 'zod';
import type { WorkflowState } from '../workflow-engine.js';

const planStepSchema = z.object({
  step: z.number().int().min(1),
  branch: z.string().optional(),
  revises: z.number().int().min(1).optional(),
  revisedBy: z.number().int().min(1).optional(),
});

const previousPlanSchema = z.object({
  request: z.string(),
  steps: z.number().int(),
  branches: z.array(z.string()),
  /** The plan as its steps said it, revised steps left out. */
  summary: z.string(),
});

/** The planner's own record, kept in `state.extra.plan`; step texts live in the engine's steps. */
const planRecordSchema = z.object({
  steps: z.array(planStepSchema),
  branches: z.record(z.string(), z.object({ from: z.number().int(), steps: z.array(z.number().int()) })),
  completed: z.boolean(),
  /** Plans finished earlier on the same continuation id, oldest first. */
  previousPlans: z.array(previousPlanSchema),
});

/** The planner's record of one plan: step metadata, branches, completion, earlier plans. */
export type PlanRecord = z.infer<typeof planRecordSchema>;
/** A plan finished in an earlier session of the same thread, in a few lines. */
export type PreviousPlan = z.infer<typeof previousPlanSchema>;

/** Most earlier plans carried into a new session: the newest ones matter, the list must not grow without bound. */
const MAX_PREVIOUS_PLANS = 5;

/** The plan record of a state, or an empty one (a state from before the record, or unreadable). */
export function readPlan(state: Pick<WorkflowState, 'extra'>): PlanRecord {
  const parsed = planRecordSchema.safeParse(state.extra['plan']);
  return parsed.success ? parsed.data : { steps: [], branches: {}, completed: false, previousPlans: [] };
}

/** What one planning step declares about itself. */
export interface PlanStepInput {
  stepNumber: number;
  revises?: number | undefined;
  branchFrom?: number | undefined;
  branchId?: string | undefined;
  completes: boolean;
}

/**
 * The record after this step: the step (a retried step number replaces its entry), the revision
 * it makes, the branch it opens or continues. Returns a new record.
 */
export function recordPlanStep(plan: PlanRecord, step: PlanStepInput): PlanRecord {
  const steps = plan.steps.filter((entry) => entry.step !== step.stepNumber).map((entry) => ({ ...entry }));
  for (const entry of steps) if (entry.revisedBy === step.stepNumber) delete entry.revisedBy;
  const branches = Object.fromEntries(
    Object.entries(plan.branches).map(([id, branch]) => [id, { from: branch.from, steps: branch.steps.filter((number) => number !== step.stepNumber) }]),
  );
  const entry: PlanRecord['steps'][number] = { step: step.stepNumber };
  if (step.branchId !== undefined) {
    entry.branch = step.branchId;
    const branch = branches[step.branchId] ?? { from: step.branchFrom ?? step.stepNumber - 1, steps: [] };
    branch.steps = [...branch.steps, step.stepNumber].sort((a, b) => a - b);
    branches[step.branchId] = branch;
  }
  if (step.revises !== undefined) {
    entry.revises = step.revises;
    const revised = steps.find((candidate) => candidate.step === step.revises);
    if (revised) revised.revisedBy = step.stepNumber;
  }
  steps.push(entry);
  steps.sort((a, b) => a.step - b.step);
  return { steps, branches, completed: step.completes, previousPlans: plan.previousPlans };
}

/**
 * The plans a new session builds on: those the earlier record carried, plus the earlier plan itself
 * when it was finished (an abandoned or retried first step is not a plan).
 */
export function carriedPlans(earlier: WorkflowState | undefined): PreviousPlan[] {
  if (!earlier) return [];
  const plan = readPlan(earlier);
  const carried = plan.completed ? [...plan.previousPlans, summarisePlan(earlier, plan)] : plan.previousPlans;
  return carried.slice(-MAX_PREVIOUS_PLANS);
}

/** A finished plan in a few lines: its request and its current steps (revised ones left out). */
export function summarisePlan(state: Pick<WorkflowState, 'initialRequest' | 'steps'>, plan: PlanRecord): PreviousPlan {
  const meta = new Map(plan.steps.map((entry) => [entry.step, entry]));
  const lines = state.steps
    .filter((step) => meta.get(step.stepNumber)?.revisedBy === undefined)
    .map((step) => {
      const entry = meta.get(step.stepNumber);
      const tags = [entry?.branch ? `branch ${entry.branch}` : '', entry?.revises ? `revises ${entry.revises}` : ''].filter(Boolean).join(', ');
      return `Step ${step.stepNumber}${tags ? ` (${tags})` : ''}: ${step.findings}`;
    });
  return { request: state.initialRequest, steps: state.steps.length, branches: Object.keys(plan.branches), summary: lines.join('\n') };
}
