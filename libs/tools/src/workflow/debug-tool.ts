import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { defineWorkflowTool } from './workflow-engine.js';

/** `debug`: a systematic root-cause investigation; "no bug found" is a valid outcome. */
export const debugTool = defineWorkflowTool({
  name: 'debug',
  title: 'Debug (root-cause investigation)',
  description: 'Multi-step root-cause investigation of a bug; a GLM/Kimi model validates the cause at the end. "No bug found" is valid.',
  profile: 'lean',
  extraShape: {},
  pauseStatus: 'pause_for_investigation',
  statusNoun: 'investigation',
  requiredActions(input) {
    if (input.step_number === 1) {
      return [
        'Read the code where the symptom appears and trace how execution reaches it',
        'Reproduce or pin down the failure: inputs, error messages, logs, stack traces',
        'Note recent changes that touch this code path',
      ];
    }
    switch (confidenceStage(input.confidence)) {
      case 'early':
        return [
          'Follow the data and control flow further from where the symptom appears',
          'Collect concrete evidence: values, states, error lines',
          'Form a testable hypothesis, or record that the code behaves correctly',
        ];
      case 'middle':
        return [
          'Test your hypothesis: find the exact lines that cause the behaviour',
          'Rule out the alternatives with evidence',
          'Check whether the same defect exists elsewhere',
        ];
      case 'late':
        return ['Confirm the root cause with a minimal reproduction or a decisive trace', 'Sketch the minimal fix and what it could break'];
      case 'done':
        return ['Write down the root cause with file:line evidence and the minimal fix, then finish with next_step_required=false'];
    }
  },
  expert: {
    category: 'deep',
    systemPrompt: expertSystemPrompt({
      role: 'You are an expert debugger. An AI coding assistant has investigated a bug systematically and gives you its evidence, hypotheses and the relevant code.',
      instructions:
        'Validate or refute its hypotheses against the code. Find the root cause, not the symptom, and propose the minimal fix. If the evidence shows the code is correct, say so: "no bug found" is a valid answer.',
      outputFormat: [
        'ONLY JSON, one of:',
        '{"status": "analysis_complete", "summary": "...", "hypotheses": [{"name": "...", "confidence": "high|medium|low", "root_cause": "...", "evidence": "file:line ...", "minimal_fix": "...", "regression_check": "..."}], "key_findings": ["..."], "immediate_actions": ["..."]}',
        '{"status": "no_bug_found", "summary": "...", "investigation_steps": ["..."], "areas_examined": ["..."], "confidence_level": "high|medium|low", "alternative_explanations": ["..."], "recommended_questions": ["..."], "next_steps": ["..."]}',
        'Rank hypotheses by likelihood, most likely first.',
      ].join('\n'),
    }),
    skip: (input) => (input.confidence === 'certain' ? 'confidence is certain: the root cause is confirmed, so no expert validation is needed' : undefined),
  },
  complete(_input, _state, outcome) {
    if (outcome.skipReason?.startsWith('confidence is certain')) {
      return {
        status: 'certain_confidence_proceed_with_fix',
        next_steps: 'Root cause confirmed with certain confidence. Implement the minimal fix, then verify it with the reproduction and the tests around the changed code.',
      };
    }
    if (outcome.expertAnalysis?.status === 'no_bug_found') {
      return {
        status: 'no_bug_found',
        next_steps: 'The expert found no bug. Report the evidence to the user, ask the recommended questions, and do not change code without new evidence.',
      };
    }
    return {};
  },
});
