/** Plans this long get forced reflection pauses at their first steps (zen-lineage §1b, planner row). */
export const DEEP_THINKING_MIN_STEPS = 5;
/** The steps of a long plan that pause for reflection. */
export const DEEP_THINKING_LAST_STEP = 3;

/** Where a paused plan stands: the step just recorded, the plan's length and the thread to continue. */
export interface PlanPosition {
  stepNumber: number;
  totalSteps: number;
  continuationId: string;
}

/** True when a paused step of the plan must pause for deep thinking rather than plain planning. */
export function needsDeepThinking(stepNumber: number, totalSteps: number): boolean {
  return totalSteps >= DEEP_THINKING_MIN_STEPS && stepNumber <= DEEP_THINKING_LAST_STEP;
}

/** What the agent must think through before the next planning step. */
export function plannerRequiredActions(stepNumber: number, totalSteps: number): string[] {
  if (stepNumber === 1) {
    return [
      'Work out the full scope: what exactly must be accomplished, and what is out of scope',
      'Consider two or three different approaches and their trade-offs',
      'Identify constraints, dependencies and the riskiest unknowns',
      'Define what success looks like and how it will be checked',
    ];
  }
  if (totalSteps >= DEEP_THINKING_MIN_STEPS && stepNumber === 2) {
    return [
      'Re-examine the approach of step 1: is there a better one?',
      'Split the work into its major phases and find the decision points',
      'Find what must happen before what, and what can run in parallel',
      'Note the skills, access and tools each phase needs',
    ];
  }
  if (totalSteps >= DEEP_THINKING_MIN_STEPS && stepNumber === 3) {
    return [
      'Check the emerging plan against every original requirement',
      'List the assumptions that still need checking and the gaps',
      'Decide how progress will be checked and when to change course',
      'Name the first concrete actions',
    ];
  }
  return [
    'Turn the next part of the plan into concrete, ordered actions',
    'Settle the practical details: interfaces, data, migration, testing',
    'Sequence the activities and their hand-offs',
    'Revise (is_step_revision) or branch (is_branch_point) if an earlier step no longer holds',
  ];
}

const reflectionPrompts: Record<number, string[]> = {
  1: [
    'SCOPE: what exactly must be accomplished?',
    'APPROACHES: what are two or three different ways to do it?',
    'CONSTRAINTS AND DEPENDENCIES: what limits the options?',
    'SUCCESS: how will we know it worked?',
    'RISKS: what could go wrong early, and what late?',
  ],
  2: [
    'APPROACH: is the direction of step 1 still the best?',
    'PHASES: what are the three to five main chunks of work?',
    'ORDER: what must happen before what?',
    'RESOURCES: what skills, tools or access are needed?',
    'CRITICAL PATH: where would a delay hurt most?',
  ],
  3: [
    'COMPLETENESS: does the plan meet every original requirement?',
    'GAPS: which assumptions are unchecked, what is unclear?',
    'ADAPTATION: what would tell us to change course?',
    'FIRST ACTIONS: what are the first two or three concrete steps?',
    'TRANSITION: is the strategy settled enough to plan tactics?',
  ],
};

/** The `next_steps` of a deep-thinking pause: stop, reflect on these questions, only then continue. */
export function deepThinkingNextSteps({ stepNumber, totalSteps, continuationId }: PlanPosition): string {
  const questions = (reflectionPrompts[stepNumber] ?? reflectionPrompts[3] ?? []).map((question, index) => `${index + 1}. ${question}`);
  return [
    `MANDATORY: DO NOT call planner again immediately. This plan has ${totalSteps} steps and needs reflection before step ${stepNumber + 1}.`,
    'Think these through first, in your own reasoning:',
    ...questions,
    `Only after that, call planner with step_number ${stepNumber + 1} and continuation_id ${continuationId}, putting the result of your reflection in "step".`,
  ].join('\n');
}

/** The `next_steps` of an ordinary planning pause. */
export function planningNextSteps({ stepNumber, totalSteps, continuationId }: PlanPosition): string {
  const remaining = Math.max(1, totalSteps - stepNumber);
  return `Continue with planner step_number ${stepNumber + 1} and continuation_id ${continuationId} (about ${remaining} step${remaining === 1 ? '' : 's'} left). Use is_step_revision/revises_step_number to replace an earlier step, is_branch_point/branch_from_step/branch_id to explore an alternative, more_steps_needed when the plan grows.`;
}

/** How the finished plan is presented: on its own, structured, diagrams in ASCII, no emojis, no time estimates. */
export const PLAN_PRESENTATION = [
  'PLANNING COMPLETE. Present the complete plan to the user now, self-contained: the reader has not seen the planning steps.',
  '- Structure it with headings, numbered phases and steps, and sub-steps as bullet points.',
  '- Show phases, dependencies and parallel tracks as ASCII diagrams (boxes and arrows drawn with +, -, |, >, v).',
  '- Where the plan branched, show each branch, what it is for, and which one you recommend.',
  '- Leave out revised steps; present only their replacements.',
  '- Do NOT use emojis: plain text and ASCII characters only.',
  '- Do NOT give time estimates or costs unless the user asked for them.',
  'Then offer to help carry out a part of it, or to continue planning with this continuation_id.',
].join('\n');
