import { z } from 'zod';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { defineWorkflowTool } from './workflow-engine.js';

const extraShape = {
  problem_context: z.string().optional(),
  focus_areas: z.array(z.string()).optional(),
};

/** `thinkdeep`: structured deep reasoning on a hard problem, extended by a thinking model at the end. */
export const thinkdeepTool = defineWorkflowTool({
  name: 'thinkdeep',
  title: 'Think deeper (multi-step)',
  description: 'Multi-step deep reasoning on a hard problem; a GLM/Kimi thinking model challenges your conclusions at the end.',
  profile: 'lean',
  extraShape,
  pauseStatus: 'pause_for_deep_thinking',
  requiredActions(input) {
    switch (confidenceStage(input.confidence)) {
      case 'early':
        return [
          'Examine the code, docs and constraints behind the problem',
          'Write down your assumptions and check each one against the code',
          'List at least two alternative approaches with their trade-offs',
        ];
      case 'middle':
        return [
          'Challenge your current hypothesis with counter-examples and edge cases',
          'Check failure modes, performance and maintenance costs of the leading option',
          'Look for evidence that would change your conclusion',
        ];
      case 'late':
        return ['Close the remaining open questions', 'Confirm the conclusion against the code and the constraints'];
      case 'done':
        return ['Write down the conclusion and its evidence, then finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'deep',
    thinkingMode: 'high',
    systemPrompt: expertSystemPrompt({
      role: 'You are a senior engineering collaborator. An AI coding assistant has reasoned through a hard problem step by step and asks you to deepen, challenge and complete its thinking.',
      instructions:
        'Test its hypotheses against the code and constraints. Point out wrong assumptions, missed risks and better alternatives, with evidence. Stay practical: recommend what can be done in this codebase now.',
      outputFormat: 'Markdown with these sections: ## Assessment, ## Gaps and risks, ## Alternatives, ## Recommendation (concrete, ordered next steps).',
    }),
    skip: (input) => (input.confidence === 'certain' ? 'confidence is certain: the reasoning is complete without an expert' : undefined),
    buildContext(_input, state) {
      const lines: string[] = [];
      const context = state.extra['problem_context'];
      const focus = state.extra['focus_areas'];
      if (typeof context === 'string' && context.trim()) lines.push(`Problem context: ${context}`);
      if (Array.isArray(focus) && focus.length > 0) lines.push(`Focus areas: ${focus.join(', ')}`);
      return lines.join('\n');
    },
  },
});
