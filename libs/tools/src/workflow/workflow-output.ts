import { z, type ZodRawShape } from 'zod';

/**
 * The structured output every workflow tool shares: the common keys, described once, and any
 * tool-specific key (`debug_status`, `complete_codereview`, `issues_by_severity`, …) let through.
 * Loose on purpose: with a closed object the client's validator would reject the tool's own keys.
 */
export const workflowOutputSchema = z.looseObject({
  status: z.string().describe('pause_for_*: do required_actions, then send next_call.'),
  step_number: z.number(),
  total_steps: z.number(),
  next_step_required: z.boolean(),
  continuation_id: z.string().optional(),
  // Open values cost two characters each in tools/list; their content is explained in the responses.
  required_actions: z.array(z.string()).optional(),
  next_steps: z.string().optional(),
  next_call: z.unknown().optional(),
  expert_analysis: z.unknown().optional(),
  metadata: z.unknown().optional(),
});

/** The response object a workflow step returns. */
export type WorkflowOutput = z.infer<typeof workflowOutputSchema>;

/**
 * The shared output schema as `ExaiTool.outputShape`. That field is typed as a raw shape, but the
 * MCP SDK's `registerTool` takes a zod object as well, and only an object can stay open to the
 * tools' own keys (a raw shape becomes `additionalProperties: false`).
 */
export const workflowOutputShape = workflowOutputSchema as unknown as ZodRawShape;
