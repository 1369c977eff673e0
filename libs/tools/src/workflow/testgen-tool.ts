import { ToolInputError } from '../tool-input-error.js';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { defineWorkflowTool } from './workflow-engine.js';

/** `testgen`: plans tests for code; the expert writes them or asks for a sample of the project's tests. */
export const testgenTool = defineWorkflowTool({
  name: 'testgen',
  title: 'Generate tests',
  description: "Multi-step test planning (paths, edge cases, failures); a GLM/Kimi model writes the tests in the project's style.",
  profile: 'full',
  extraShape: {},
  pauseStatus: 'pause_for_test_analysis',
  validate(input) {
    if (input.step_number === 1 && !input.relevant_files?.length) {
      throw new ToolInputError('relevant_files', 'testgen step 1 needs relevant_files: the absolute paths of the code to test (and an existing test file to show the style).');
    }
  },
  requiredActions(input) {
    switch (confidenceStage(input.confidence)) {
      case 'early':
        return [
          'Read the code to test: its public functions, branches and dependencies',
          'Find the existing tests and the framework, helpers and style they use',
          'List the behaviours to cover: main paths, edge cases, failures',
        ];
      case 'middle':
        return [
          'Work out the edge cases: empty, boundary, invalid, concurrent, time-dependent inputs',
          'Decide what to fake and what to run for real',
          'Add an existing test file to relevant_files as a style sample',
        ];
      default:
        return ['Your test plan is complete: finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'balanced',
    systemPrompt: expertSystemPrompt({
      role: 'You are an expert in software testing. An AI coding assistant has analysed code and planned its tests; write the tests.',
      instructions:
        'Write tests that can fail: each asserts behaviour that could break. Cover the main paths, the edge cases and the failure modes in the plan. Use the framework, helpers and style of the existing tests. If you have no sample of the project\'s tests, ask for one with {"status": "test_sample_needed", "reason": "..."}; if the plan leaves important behaviour untested, add {"status": "more_tests_required", "pending_tests": "..."}.',
      outputFormat:
        'Markdown: ## Test plan (what each test proves), then the complete test files in fenced code blocks with their paths, then ## Notes (fixtures, what was left out and why).',
    }),
    skip: (input) => (input.confidence === 'certain' ? 'confidence is certain: the tests are planned without an expert' : undefined),
  },
});
