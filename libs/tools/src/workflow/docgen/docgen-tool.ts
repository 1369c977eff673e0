import { z } from 'zod';
import { ToolInputError } from '../../tool-input-error.js';
import { defineLocalWorkflowTool } from '../planner/local-workflow-tool.js';
import type { WorkflowInput, WorkflowState, WorkflowStep } from '../workflow-engine.js';

const TOOL = 'docgen';

const flagNames = ['document_complexity', 'document_flow', 'update_existing', 'comments_on_complex_logic'] as const;
type Flag = (typeof flagNames)[number];

const extraShape = {
  num_files_documented: z.number().min(0).describe('Files done so far: 0 at step 1, then +1 per step.'),
  total_files_to_document: z.number().min(0).describe('Files found in discovery; finish when equal.'),
  document_complexity: z.boolean().optional().describe('Flags default to true.'),
  document_flow: z.boolean().optional(),
  update_existing: z.boolean().optional(),
  comments_on_complex_logic: z.boolean().optional(),
};

type DocgenInput = WorkflowInput<typeof extraShape>;

/** The flags in effect: the latest value given (kept in `state.extra` by the engine), true by default. */
function flagsOf(state: WorkflowState): Record<Flag, boolean> {
  return Object.fromEntries(flagNames.map((flag) => [flag, state.extra[flag] !== false])) as Record<Flag, boolean>;
}

/** Documented-file counts by step number, kept by `onStep` (the engine's `extra` holds only the latest). */
function countsOf(state: WorkflowState): Record<string, number> {
  const counts = state.extra['documented_by_step'];
  return typeof counts === 'object' && counts !== null ? (counts as Record<string, number>) : {};
}

/** The count of the latest step before this one, or 0. */
function previousCount(state: WorkflowState, stepNumber: number): number {
  const earlier = Object.entries(countsOf(state))
    .map(([step, count]) => [Number(step), count] as const)
    .filter(([step]) => step < stepNumber)
    .sort((a, b) => b[0] - a[0]);
  return earlier[0]?.[1] ?? 0;
}

/** The counter rules: discovery first, one file per step, finish only when every file is documented. */
function validateDocgenStep(input: DocgenInput, state: WorkflowState): void {
  const documented = input.num_files_documented;
  const total = input.total_files_to_document;
  if (!Number.isInteger(documented) || !Number.isInteger(total)) {
    throw new ToolInputError('num_files_documented', 'num_files_documented and total_files_to_document count whole files');
  }
  if (documented > total) {
    throw new ToolInputError('num_files_documented', `num_files_documented (${documented}) exceeds total_files_to_document (${total}); recount the files found in discovery`);
  }
  if (input.step_number === 1 && documented !== 0) {
    throw new ToolInputError('num_files_documented', 'step 1 is discovery: list the files that need documentation and count them, document none yet (num_files_documented 0)');
  }
  const before = previousCount(state, input.step_number);
  if (documented < before) {
    throw new ToolInputError('num_files_documented', `num_files_documented went down from ${before} to ${documented}; it counts files finished so far and never decreases`);
  }
  if (documented > before + 1) {
    throw new ToolInputError(
      'num_files_documented',
      `num_files_documented jumped from ${before} to ${documented}: document one file per step, so this step may finish at most file ${before + 1}`,
    );
  }
  if (!input.next_step_required && documented !== total) {
    throw new ToolInputError(
      'next_step_required',
      `docgen cannot finish: ${documented} of ${total} files documented. Document the remaining ${total - documented} file(s), one per step, with next_step_required=true until num_files_documented equals total_files_to_document`,
    );
  }
}

function docgenRequiredActions(input: DocgenInput, state: WorkflowState): string[] {
  const never = 'Do NOT change code logic: add or fix documentation only; if you find a bug, stop and report it to the user';
  if (input.step_number === 1) {
    return [
      never,
      'Discover every file in scope that needs documentation, and list them by name',
      'Count them: that is total_files_to_document',
      'Note the language(s) and their modern documentation style (/** */ for TypeScript and Java, """ for Python, /// for Rust and Swift)',
      'Document nothing yet: this step is discovery only',
    ];
  }
  const flags = flagsOf(state);
  return [
    never,
    'Take the next undocumented file from your list, and only that one',
    'Document every function, method and class in it, parameters and return values included',
    ...(flags.document_complexity ? ['Give the time and space complexity (Big O) of non-trivial algorithms'] : []),
    ...(flags.document_flow ? ['Note what the file calls and what calls into it'] : []),
    ...(flags.update_existing ? ['Correct existing documentation that is wrong or outdated'] : ['Leave existing documentation as it is']),
    ...(flags.comments_on_complex_logic ? ['Add inline comments where the logic is not obvious'] : []),
    `When the file is fully documented, increase num_files_documented to ${input.num_files_documented + 1}`,
  ];
}

/** Keeps the count of this step and reports progress; the next call carries the counters forward. */
async function onDocgenStep(input: WorkflowStep<typeof extraShape>, state: WorkflowState): Promise<Record<string, unknown>> {
  state.extra['documented_by_step'] = { ...countsOf(state), [input.step_number]: input.num_files_documented };
  const documented = input.num_files_documented;
  const total = input.total_files_to_document;
  const response: Record<string, unknown> = {
    docgen_progress: { files_documented: documented, total_files: total, remaining: total - documented, ...flagsOf(state) },
    // One discovery step plus one step per file.
    total_steps: Math.max(input.total_steps, input.step_number, total + 1),
  };
  if (!input.next_step_required) return response;
  const next = input.step_number + 1;
  response['next_steps'] =
    input.step_number === 1
      ? `Discovery recorded. Now call docgen with step_number 2 and continuation_id ${input.continuation_id}, total_files_to_document set to the exact count you found, documenting the first file in that step (num_files_documented 1 when it is done).`
      : `Document exactly one more file, then call docgen with step_number ${next} and continuation_id ${input.continuation_id}, num_files_documented ${Math.min(documented + 1, total)} of ${total}. Set next_step_required=false only on the step that documents the last file.`;
  response['next_call'] = {
    tool: TOOL,
    arguments: {
      step: '<the file documented in this step>',
      step_number: next,
      total_steps: Math.max(input.total_steps, next, total + 1),
      next_step_required: documented + 1 < total,
      findings: '<what was documented, and any bug found>',
      num_files_documented: Math.min(documented + 1, total),
      total_files_to_document: total,
    },
  };
  return response;
}

function completeDocgen(input: DocgenInput): Record<string, unknown> {
  const total = input.total_files_to_document;
  return {
    next_steps:
      total === 0
        ? 'Discovery found nothing to document. Tell the user so, with the scope you searched.'
        : `Documentation complete: ${total} of ${total} files. Summarise for the user what was documented per file, any outdated docs corrected, and any bugs noticed (reported, not fixed).`,
  };
}

/** `docgen`: documents a codebase one file per step, counters enforced; no model call. */
export const docgenTool = defineLocalWorkflowTool(
  {
    name: TOOL,
    title: 'Generate code documentation',
    description: 'Document code file by file: step 1 discovers the files, then one file per step; finishes only when every file is documented. No model call.',
    profile: 'full',
    extraShape,
    pauseStatus: 'pause_for_docgen',
    requiredActions: docgenRequiredActions,
    validate: validateDocgenStep,
    onStep: onDocgenStep,
    complete: completeDocgen,
  },
  {
    omit: ['files_checked', 'relevant_context', 'issues_found', 'confidence', 'hypothesis', 'images', 'backtrack_from_step'],
    override: {
      step: z.string().min(1).describe('Step 1: discovery. Later: the one file documented now.'),
      relevant_files: z.array(z.string()).optional().describe('Absolute path of that file.'),
    },
  },
);
