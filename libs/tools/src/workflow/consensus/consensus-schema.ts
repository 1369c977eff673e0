import { z } from 'zod';
import { ToolInputError } from '../../tool-input-error.js';

/** The positions a consulted model can be asked to argue. */
export const consensusStances = ['for', 'against', 'neutral'] as const;
/** A position a consulted model argues. */
export type ConsensusStance = (typeof consensusStances)[number];

/** Most models one consensus may consult. */
export const MAX_CONSENSUS_MODELS = 8;

const modelEntry = z.object({
  model: z.string().min(1),
  stance: z.enum(consensusStances).optional(),
  stance_prompt: z.string().min(1).optional().describe('Replaces the stance instructions.'),
});

/**
 * Input of `consensus`. Without `step_number` it is the one-call form (every model in parallel);
 * with it, the stepwise form (step N consults model N). Descriptions stay short: `tools/list` is paid for.
 */
export const consensusInputShape = {
  step: z.string().min(1).describe('The proposal all models judge. Stepwise steps ≥2: your notes (never sent).'),
  models: z
    .array(modelEntry)
    .min(2)
    .max(MAX_CONSENSUS_MODELS)
    .optional()
    .describe('≥2; stance defaults to neutral; each (model, stance) pair once. Required (at step 1).'),
  relevant_files: z.array(z.string()).optional().describe('Absolute paths every model sees.'),
  images: z.array(z.string()).optional(),
  findings: z.string().optional().describe('Your own view; never sent to models.'),
  step_number: z.number().min(1).optional().describe('Stepwise form: step N consults model N.'),
  total_steps: z.number().min(1).optional(),
  next_step_required: z.boolean().optional(),
  continuation_id: z.string().max(128).optional().describe('From step 1, or a thread to add the consensus to.'),
};

/** The parsed input of `consensus`. */
export type ConsensusInput = z.infer<z.ZodObject<typeof consensusInputShape>>;

/** One model to consult, stance resolved. */
export interface ConsensusParticipant {
  model: string;
  stance: ConsensusStance;
  stancePrompt?: string;
}

/**
 * The roster of models, stances resolved to `neutral` when omitted. Refuses duplicated
 * (model, stance) pairs, naming them: the same model asked twice for the same stance adds cost, not a view.
 */
export function participantsOf(models: ConsensusInput['models']): ConsensusParticipant[] {
  if (!models || models.length < 2) {
    throw new ToolInputError('models', 'consensus needs "models" with at least two entries, e.g. [{"model":"glm-4.6","stance":"for"},{"model":"kimi-k2","stance":"against"}]');
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const participants = models.map((entry) => {
    const stance = entry.stance ?? 'neutral';
    const key = `${entry.model.trim().toLowerCase()}:${stance}`;
    if (seen.has(key)) duplicates.push(`${entry.model} with stance "${stance}"`);
    seen.add(key);
    return { model: entry.model, stance, ...(entry.stance_prompt ? { stancePrompt: entry.stance_prompt } : {}) };
  });
  if (duplicates.length > 0) {
    throw new ToolInputError(
      'models',
      `Duplicate (model, stance) pair in "models": ${duplicates.join(', ')}. Each model may appear once per stance; give it a different stance or drop the repeat.`,
    );
  }
  return participants;
}
