/** The arguments of the agent's next call, so it needs to fill in only its new work. */
export interface NextCall {
  tool: string;
  arguments: Record<string, unknown>;
}

/** `next_call` of a paused step: the same workflow, one step further. */
export function nextCall(options: { tool: string; stepNumber: number; totalSteps: number; continuationId: string; extra?: Record<string, unknown> }): NextCall {
  const next = options.stepNumber + 1;
  return {
    tool: options.tool,
    arguments: {
      step: '<what you investigate in this step>',
      step_number: next,
      total_steps: Math.max(options.totalSteps, next),
      next_step_required: next < options.totalSteps,
      findings: '<what you found since the last call>',
      continuation_id: options.continuationId,
      ...options.extra,
    },
  };
}

/** The imperative `next_steps` of a paused step (zen-lineage §1b step 4). */
export function pauseNextSteps(options: { tool: string; stepNumber: number; requiredActions: readonly string[]; continuationId: string }): string {
  const actions = options.requiredActions.map((action, index) => `${index + 1}. ${action}`).join('\n');
  return [
    `MANDATORY: DO NOT call the ${options.tool} tool again immediately. You MUST first do this work yourself:`,
    actions,
    `Only then call ${options.tool} with step_number ${options.stepNumber + 1} and continuation_id ${options.continuationId}, reporting in findings what you actually found (files_checked, relevant_files, issues_found as they apply). Set next_step_required=false when you have enough to conclude.`,
  ].join('\n');
}

/** `next_steps` after the expert answered. */
export function expertNextSteps(tool: string): string {
  return `The ${tool} workflow is complete. Weigh expert_analysis against your own findings: confirm each point in the code before acting on it, then present the conclusions and the concrete next actions to the user.`;
}

/** `next_steps` when no expert was consulted. */
export function localNextSteps(tool: string): string {
  return `The ${tool} workflow is complete without an expert model. Present your findings and the concrete next actions to the user.`;
}

/** `important_considerations` at completion with an expert. */
export const EXPERT_CONSIDERATIONS =
  'The expert analysis comes from another model that saw only what you gave it: validate each finding against the code, discard what does not hold, and never apply its suggestions blindly.';
