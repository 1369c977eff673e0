import type { WorkflowStateRepository } from '@exai/storage';
import { z } from 'zod';
import { ToolInputError } from '../../tool-input-error.js';
import { WORKFLOW_STATE_TTL_MS } from '../workflow-state.js';
import { consensusStances, type ConsensusParticipant } from './consensus-schema.js';
import type { ConsensusVerdict } from './consult-models.js';

const TOOL = 'consensus';

const verdictSchema = z.object({
  model: z.string(),
  stance: z.enum(consensusStances),
  status: z.enum(['ok', 'error']),
  verdict: z.string().optional(),
  confidence_score: z.number().optional(),
  error: z.string().optional(),
  // Written by this tool from `resultMetadata`; kept as is for the final result.
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** What the stepwise form keeps per continuation id between steps; read back through this schema, never trusted as is. */
const stepStateSchema = z.object({
  version: z.literal(1),
  proposal: z.string(),
  participants: z.array(z.object({ model: z.string(), stance: z.enum(consensusStances), stancePrompt: z.string().optional() })),
  files: z.array(z.string()),
  images: z.array(z.string()),
  verdicts: z.array(verdictSchema),
  /** The caller's notes per step; kept for the record, never sent to a model. */
  notes: z.array(z.object({ step: z.number().int(), findings: z.string() })),
});

/** A stepwise consensus in progress. */
export interface ConsensusStepState {
  proposal: string;
  participants: ConsensusParticipant[];
  files: string[];
  images: string[];
  verdicts: ConsensusVerdict[];
  notes: Array<{ step: number; findings: string }>;
}

/** The stepwise consensus of a continuation id, or undefined when none is in progress. */
export async function loadConsensusState(repository: WorkflowStateRepository, continuationId: string): Promise<ConsensusStepState | undefined> {
  const row = await repository.get(continuationId, TOOL);
  if (!row) return undefined;
  const parsed = stepStateSchema.safeParse(row.state);
  if (!parsed.success) {
    throw new ToolInputError('continuation_id', `The stored consensus of continuation_id ${continuationId} is unreadable; start again with step_number 1 and "models".`);
  }
  const { version: _version, ...state } = parsed.data;
  return state as ConsensusStepState;
}

/** Stores the consensus after a step, kept as long as any workflow's state. */
export async function saveConsensusState(repository: WorkflowStateRepository, options: { continuationId: string; stepNumber: number; state: ConsensusStepState; now: Date }): Promise<void> {
  await repository.put(options.continuationId, TOOL, {
    stepNumber: options.stepNumber,
    totalSteps: options.state.participants.length,
    state: { version: 1, ...options.state },
    expiresAt: new Date(options.now.getTime() + WORKFLOW_STATE_TTL_MS),
  });
}
