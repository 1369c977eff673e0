import { z } from 'zod';
import { ToolInputError } from '../tool-input-error.js';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { requireAbsolutePaths } from './workflow-files.js';
import { defineWorkflowTool } from './workflow-engine.js';

/** Refactoring confidence: how complete the list of opportunities is. */
export const refactorConfidenceLevels = ['exploring', 'incomplete', 'partial', 'complete'] as const;

const extraShape = {
  refactor_type: z.enum(['codesmells', 'decompose', 'modernize', 'organization']).optional(),
  focus_areas: z.array(z.string()).optional(),
  style_guide_examples: z.array(z.string()).max(10).optional().describe('Absolute paths.'),
};

/** `refactor`: finds refactoring opportunities; the expert returns precise changes. */
export const refactorTool = defineWorkflowTool({
  name: 'refactor',
  title: 'Refactoring analysis',
  description: 'Multi-step search for refactoring opportunities; a GLM/Kimi model proposes precise changes.',
  profile: 'full',
  extraShape,
  pauseStatus: 'pause_for_refactoring_analysis',
  confidenceLevels: refactorConfidenceLevels,
  pathFields: ['style_guide_examples'],
  validate(input) {
    requireAbsolutePaths('style_guide_examples', input.style_guide_examples);
    if (input.step_number === 1 && !input.relevant_files?.length) {
      throw new ToolInputError('relevant_files', 'refactor step 1 needs relevant_files: the absolute paths of the code to refactor.');
    }
  },
  requiredActions(input) {
    switch (confidenceStage(input.confidence)) {
      case 'early':
        return [
          'Read the code in relevant_files completely',
          'Find the opportunities of the refactor type: long functions, duplication, deep nesting, mixed responsibilities, outdated patterns',
          'Note exact file:line ranges for each opportunity',
        ];
      case 'middle':
        return [
          'Look for the opportunities you have not covered yet, in every relevant file',
          'Check what each change would affect: callers, tests, public API',
          'Record each opportunity in issues_found with its severity',
        ];
      default:
        return ['Your list is complete: finish with next_step_required=false'];
    }
  },
  async onStep(input, state) {
    // The style examples reach the expert as files; they are not part of the consolidated state.
    if (!input.next_step_required) {
      const examples = (state.extra['style_guide_examples'] as string[] | undefined) ?? [];
      for (const example of examples) if (!state.relevantFiles.includes(example)) state.relevantFiles.push(example);
    }
  },
  expert: {
    category: 'balanced',
    systemPrompt: expertSystemPrompt({
      role: 'You are an expert in refactoring. An AI coding assistant has examined code for refactoring opportunities and asks you for precise, safe changes.',
      instructions:
        'Propose refactorings of the requested type that make the code clearly better without changing behaviour. Be exact about line ranges. Order by value. Follow the style of the style guide examples when given.',
      outputFormat: [
        'ONLY JSON:',
        '{"status": "refactor_analysis_complete", "refactor_opportunities": [{"id": "refactor-001", "type": "codesmells|decompose|modernize|organization", "severity": "critical|high|medium|low", "file": "/abs/path", "start_line": 45, "end_line": 76, "context_start_text": "...", "context_end_text": "...", "issue": "...", "suggestion": "...", "rationale": "...", "code_to_replace": "...", "replacement_code_snippet": "...", "new_code_snippets": []}], "priority_sequence": ["refactor-001"], "next_actions": ["..."]}',
      ].join('\n'),
    }),
    skip: (input) => (input.confidence === 'complete' ? 'confidence is complete: the refactoring list is finished without an expert' : undefined),
    buildContext(_input, state) {
      const lines = [`Refactor type: ${String(state.extra['refactor_type'] ?? 'codesmells')}`];
      const focus = state.extra['focus_areas'];
      if (Array.isArray(focus) && focus.length > 0) lines.push(`Focus areas: ${focus.join(', ')}`);
      const examples = state.extra['style_guide_examples'];
      if (Array.isArray(examples) && examples.length > 0) lines.push(`Style guide examples (among the files): ${examples.join(', ')}`);
      return lines.join('\n');
    },
  },
});
