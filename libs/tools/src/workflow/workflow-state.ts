import type { WorkflowStateRepository } from '@exai/storage';
import { z } from 'zod';
import { ToolInputError } from '../tool-input-error.js';
import type { WorkflowStepInput } from './workflow-step-schema.js';

/** One step as the agent reported it; the consolidated sets are rebuilt from these. */
export interface WorkflowStepRecord {
  stepNumber: number;
  findings: string;
  confidence?: string;
  hypothesis?: string;
  filesChecked?: string[];
  relevantFiles?: string[];
  relevantContext?: string[];
  issues?: Array<{ severity: string; description: string }>;
  images?: string[];
}

/**
 * What a workflow has gathered so far, for one continuation id and tool. Everything but `steps`,
 * `initialRequest` and `extra` is derived from the steps (so backtracking can drop them).
 */
export interface WorkflowState {
  /** The `step` text of step 1. */
  initialRequest: string;
  /** Steps in order of their number. */
  steps: WorkflowStepRecord[];
  filesChecked: string[];
  relevantFiles: string[];
  relevantContext: string[];
  issues: Array<{ severity: string; description: string }>;
  images: string[];
  /** The tool's own fields (latest value of each) and whatever its `onStep` keeps between steps. */
  extra: Record<string, unknown>;
}

/** How long a workflow's state is kept after its last step. */
export const WORKFLOW_STATE_TTL_MS = 24 * 60 * 60 * 1000;

const stepRecordSchema = z.object({
  stepNumber: z.number().int().min(1),
  findings: z.string(),
  confidence: z.string().optional(),
  hypothesis: z.string().optional(),
  filesChecked: z.array(z.string()).optional(),
  relevantFiles: z.array(z.string()).optional(),
  relevantContext: z.array(z.string()).optional(),
  issues: z.array(z.object({ severity: z.string(), description: z.string() })).optional(),
  images: z.array(z.string()).optional(),
});

/** The stored form: only what cannot be derived. Read back through this schema, never trusted as is. */
const storedStateSchema = z.object({
  version: z.literal(1),
  initialRequest: z.string(),
  steps: z.array(stepRecordSchema),
  extra: z.record(z.string(), z.unknown()),
});

/** A state with no steps yet. */
export function emptyWorkflowState(initialRequest: string): WorkflowState {
  return { initialRequest, steps: [], filesChecked: [], relevantFiles: [], relevantContext: [], issues: [], images: [], extra: {} };
}

/**
 * Adds a step: drops the steps from `backtrack_from_step` on, replaces a step sent again with the
 * same number (a retried call), keeps the tool's own fields in `extra`, and rebuilds the sets.
 */
export function applyStep(state: WorkflowState, step: { input: WorkflowStepInput & Record<string, unknown>; extraKeys: readonly string[] }): WorkflowState {
  const { input, extraKeys } = step;
  const backtrack = input.backtrack_from_step;
  let steps = backtrack === undefined ? state.steps : state.steps.filter((step) => step.stepNumber < backtrack);
  steps = steps.filter((step) => step.stepNumber !== input.step_number);
  steps.push(stepRecord(input));
  steps.sort((a, b) => a.stepNumber - b.stepNumber);
  const extra = { ...state.extra };
  for (const key of extraKeys) {
    if (input[key] !== undefined) extra[key] = input[key];
  }
  return consolidate({ initialRequest: state.initialRequest, steps, extra });
}

function stepRecord(input: WorkflowStepInput): WorkflowStepRecord {
  const record: WorkflowStepRecord = { stepNumber: input.step_number, findings: input.findings };
  if (input.confidence !== undefined) record.confidence = input.confidence;
  if (input.hypothesis !== undefined && input.hypothesis.trim() !== '') record.hypothesis = input.hypothesis;
  if (input.files_checked?.length) record.filesChecked = input.files_checked;
  if (input.relevant_files?.length) record.relevantFiles = input.relevant_files;
  if (input.relevant_context?.length) record.relevantContext = input.relevant_context;
  if (input.issues_found?.length) record.issues = input.issues_found.map(({ severity, description }) => ({ severity, description }));
  if (input.images?.length) record.images = input.images;
  return record;
}

/** Rebuilds the consolidated sets from the steps: files and methods as sets, issues deduplicated. */
function consolidate(base: Pick<WorkflowState, 'initialRequest' | 'steps' | 'extra'>): WorkflowState {
  const filesChecked = new Set<string>();
  const relevantFiles = new Set<string>();
  const relevantContext = new Set<string>();
  const images = new Set<string>();
  const issues = new Map<string, { severity: string; description: string }>();
  for (const step of base.steps) {
    step.filesChecked?.forEach((file) => filesChecked.add(file));
    // A relevant file was necessarily checked.
    step.relevantFiles?.forEach((file) => (relevantFiles.add(file), filesChecked.add(file)));
    step.relevantContext?.forEach((method) => relevantContext.add(method));
    step.images?.forEach((image) => images.add(image));
    step.issues?.forEach((issue) => issues.set(`${issue.severity}\0${issue.description}`, issue));
  }
  return {
    initialRequest: base.initialRequest,
    steps: base.steps,
    filesChecked: [...filesChecked],
    relevantFiles: [...relevantFiles],
    relevantContext: [...relevantContext],
    issues: [...issues.values()],
    images: [...images],
    extra: base.extra,
  };
}

/** The workflow's state for this continuation id and tool, or undefined when there is none. */
export async function loadWorkflowState(repository: WorkflowStateRepository, options: { continuationId: string; tool: string }): Promise<WorkflowState | undefined> {
  const row = await repository.get(options.continuationId, options.tool);
  if (!row) return undefined;
  const parsed = storedStateSchema.safeParse(row.state);
  if (!parsed.success) {
    throw new ToolInputError(
      'continuation_id',
      `The stored ${options.tool} state of continuation_id ${options.continuationId} is unreadable; start again with step_number 1.`,
    );
  }
  const { initialRequest, steps, extra } = parsed.data;
  return consolidate({ initialRequest, steps: steps as WorkflowStepRecord[], extra });
}

/** Stores the state (only steps, request and extra), keeping it for {@link WORKFLOW_STATE_TTL_MS}. */
export async function saveWorkflowState(
  repository: WorkflowStateRepository,
  options: { continuationId: string; tool: string; state: WorkflowState; stepNumber: number; totalSteps: number; now: Date },
): Promise<void> {
  const { state } = options;
  await repository.put(options.continuationId, options.tool, {
    stepNumber: options.stepNumber,
    totalSteps: options.totalSteps,
    state: { version: 1, initialRequest: state.initialRequest, steps: state.steps, extra: state.extra },
    expiresAt: new Date(options.now.getTime() + WORKFLOW_STATE_TTL_MS),
  });
}
