import { z } from 'zod';

/** How sure the agent is, from first look to proven (zen-lineage §1b). */
export const confidenceLevels = ['exploring', 'low', 'medium', 'high', 'very_high', 'almost_certain', 'certain'] as const;

/** Severities of `issues_found`, most severe first. */
export const issueSeverities = ['critical', 'high', 'medium', 'low'] as const;

/** Thinking levels a caller may ask for; `off` disables thinking (as in `chat`). */
export const thinkingModes = ['off', 'minimal', 'low', 'medium', 'high', 'max'] as const;

/** One issue the agent found. */
export const issueSchema = z.object({
  severity: z.enum(issueSeverities),
  description: z.string(),
});

/**
 * The fields every workflow step takes (zen-lineage §1b). Hardly any descriptions, on purpose:
 * `tools/list` repeats this shape for every workflow tool (zen's 30–40k-token schemas were its most
 * voiced complaint), and the guidance lives in the responses (`required_actions`, `next_call`).
 */
export const workflowStepShape = {
  step: z.string().min(1).describe('Step 1: the task and your plan.'),
  // Integers are checked by the engine: `.int()` would add a 16-digit maximum to every tools/list.
  step_number: z.number().min(1),
  total_steps: z.number().min(1),
  next_step_required: z.boolean(),
  findings: z.string(),
  files_checked: z.array(z.string()).optional(),
  relevant_files: z.array(z.string()).optional().describe('Absolute; sent to the expert.'),
  relevant_context: z.array(z.string()).optional(),
  issues_found: z.array(issueSchema).optional(),
  confidence: z.enum(confidenceLevels).optional(),
  hypothesis: z.string().optional(),
  use_assistant_model: z.boolean().optional().describe('Default true.'),
  continuation_id: z.string().max(128).optional().describe('Required after step 1.'),
  images: z.array(z.string()).max(5).optional(),
  temperature: z.number().min(0).max(1).optional(),
  thinking_mode: z.enum(thinkingModes).optional(),
  model: z.string().optional(),
  backtrack_from_step: z.number().min(1).optional(),
};

/** The parsed common fields of a step (`confidence` is a string: tools may use their own levels). */
export type WorkflowStepInput = Omit<z.infer<z.ZodObject<typeof workflowStepShape>>, 'confidence'> & { confidence?: string };

/** One issue as the agent reported it. */
export type WorkflowIssue = z.infer<typeof issueSchema>;
