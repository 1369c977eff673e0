import { z } from 'zod';
import { ToolInputError } from '../tool-input-error.js';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { severityCounts, severityFilterLine, severityFilterShape } from './review-fields.js';
import { defineWorkflowTool } from './workflow-engine.js';

const extraShape = {
  review_validation_type: z.enum(['external', 'internal']).optional().describe('internal: no expert.'),
  review_type: z.enum(['full', 'security', 'performance', 'quick']).optional(),
  focus_on: z.string().optional(),
  standards: z.string().optional(),
  severity_filter: severityFilterShape,
};

/** `codereview`: a structured review of code, finished by an expert model's review. */
export const codereviewTool = defineWorkflowTool({
  name: 'codereview',
  title: 'Code review',
  description: 'Multi-step code review (bugs, security, performance, maintainability); a GLM/Kimi model reviews independently at the end.',
  profile: 'lean',
  extraShape,
  pauseStatus: 'pause_for_code_review',
  validate(input) {
    if (input.step_number === 1 && !input.relevant_files?.length) {
      throw new ToolInputError('relevant_files', 'codereview step 1 needs relevant_files: the absolute paths of the files (or folders) to review.');
    }
  },
  requiredActions(input, state) {
    const external = state.extra['review_validation_type'] !== 'internal';
    if (input.step_number === 1) {
      return [
        'Read every file in relevant_files completely and understand what the code is for',
        'Map its structure, dependencies and entry points',
        'Check correctness first: logic errors, edge cases, error handling, concurrency',
        ...(external ? ['A review validated by the expert takes two steps: put everything you found in your next call and finish it with next_step_required=false'] : []),
      ];
    }
    switch (confidenceStage(input.confidence)) {
      case 'early':
      case 'middle':
        return [
          'Check security (input validation, injection, secrets, authorisation) and performance (complexity, I/O, memory)',
          'Check maintainability: naming, duplication, coupling, tests',
          'Record every issue in issues_found with its severity and file:line',
        ];
      default:
        return ['Verify each recorded issue against the code and drop false positives, then finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'deep',
    systemPrompt: expertSystemPrompt({
      role: 'You are an expert code reviewer. An AI coding assistant has reviewed code step by step and asks for your independent review of the same code.',
      instructions:
        'Review for correctness, security, performance, maintainability and architecture, in that order of weight. Report real problems in the given code only, each with its exact location; confirm or reject the assistant\'s issues. Respect the review type, focus, standards and severity filter you are given.',
      outputFormat: [
        'One line per issue, most severe first:',
        '[CRITICAL|HIGH|MEDIUM|LOW] path/to/file.ts:LINE – the issue → the fix',
        'Then: ## Summary (2–3 sentences), ## Top 3 fixes, ## Positives (what is done well).',
      ].join('\n'),
    }),
    skip: (_input, state) => (state.extra['review_validation_type'] === 'internal' ? 'review_validation_type is internal: the review is validated without an expert model' : undefined),
    buildContext: (_input, state) => reviewContext(state.extra),
  },
  complete: (_input, state) => ({ issues_by_severity: severityCounts(state.issues) }),
});

function reviewContext(extra: Record<string, unknown>): string {
  const lines: string[] = [];
  if (extra['review_type']) lines.push(`Review type: ${String(extra['review_type'])}`);
  if (extra['focus_on']) lines.push(`Focus on: ${String(extra['focus_on'])}`);
  if (extra['standards']) lines.push(`Standards: ${String(extra['standards'])}`);
  const filter = severityFilterLine(extra['severity_filter']);
  if (filter) lines.push(filter);
  return lines.join('\n');
}
