import { ExaiError } from '@exai/router/spec';
import { z } from 'zod';
import { ToolInputError } from '../tool-input-error.js';
import { confidenceStage } from './confidence-stage.js';
import { expertSystemPrompt } from './expert-prompts.js';
import { collectGitChanges, gitChangesSummary, type GitChanges } from './git-changes.js';
import { severityCounts, severityFilterLine, severityFilterShape } from './review-fields.js';
import { resolveReadableDirectory } from './workflow-files.js';
import { defineWorkflowTool, type WorkflowState } from './workflow-engine.js';

const extraShape = {
  path: z.string().optional().describe('Git repository folder (absolute; step 1).'),
  compare_to: z.string().max(256).optional().describe('Git ref to diff against instead.'),
  include_staged: z.boolean().optional(),
  include_unstaged: z.boolean().optional(),
  precommit_type: z.enum(['external', 'internal']).optional().describe('internal: no expert.'),
  focus_on: z.string().optional(),
  severity_filter: severityFilterShape,
};

/** Most characters of diff sent to the expert (besides `EXAI_MAX_FILE_BYTES`). */
const MAX_DIFF_CHARS = 200_000;

/** A changeset saved by the agent (zen's `pal_precommit.changeset`), reviewed when git cannot run. */
const DIFF_FILE = /\.(diff|patch|changeset)$/i;

/**
 * The diff of the final step, for the expert context of the same call. Keyed by that call's own
 * state object, so nothing is shared between calls and nothing large is persisted.
 */
const changesets = new WeakMap<WorkflowState, GitChanges>();

/** `precommit`: validates the changes in a git repository before they are committed. */
export const precommitTool = defineWorkflowTool({
  name: 'precommit',
  title: 'Pre-commit validation',
  description: 'Multi-step validation of git changes before committing; exai runs git diff itself and a GLM/Kimi model reviews it.',
  profile: 'standard',
  extraShape,
  pauseStatus: 'pause_for_validation',
  validate(input, state) {
    if (input.step_number === 1 && input.path === undefined) {
      throw new ToolInputError('path', 'precommit step 1 needs path: the absolute path of the git repository (or a folder in it) to validate.');
    }
    if (state.extra['compare_to'] === undefined && state.extra['include_staged'] === false && state.extra['include_unstaged'] === false) {
      throw new ToolInputError('include_staged', 'Nothing to validate: include_staged and include_unstaged are both false and there is no compare_to.');
    }
  },
  requiredActions(input) {
    if (input.step_number === 1) {
      return [
        'Read the changed files listed in git_changes and the code around each change',
        'Check that every change does what the commit intends, and nothing else',
        'Look for leftovers: debug output, commented code, secrets, unrelated edits',
        'Validation by the expert takes at most three steps: plan to finish with next_step_required=false by step 3',
      ];
    }
    switch (confidenceStage(input.confidence)) {
      case 'early':
      case 'middle':
        return [
          'Check the callers and tests of the changed code for breakage',
          'Check security, error handling and edge cases in the new code',
          'Record every issue in issues_found with its severity and file:line',
        ];
      default:
        return ['Verify each recorded issue, then finish with next_step_required=false'];
    }
  },
  async onStep(input, state, context) {
    const { deps } = context;
    const extra = state.extra;
    const path = String(extra['path']);
    const compareTo = typeof extra['compare_to'] === 'string' ? extra['compare_to'] : undefined;
    const directory = await resolveReadableDirectory(deps, 'path', path);
    const final = !input.next_step_required;
    try {
      const changes = await collectGitChanges({
        directory,
        compareTo,
        includeStaged: extra['include_staged'] !== false,
        includeUnstaged: extra['include_unstaged'] !== false,
        budgetChars: Math.min(deps.limits.maxFileBytes, MAX_DIFF_CHARS),
        withDiff: final,
        signal: context.signal,
      });
      if (final) changesets.set(state, changes);
      return { git_changes: gitChangesSummary(changes, { compareTo }) };
    } catch (error) {
      if (!ExaiError.isInstance(error) || error.code !== 'git_failed') throw error;
      const diffFiles = state.relevantFiles.filter((file) => DIFF_FILE.test(file));
      if (diffFiles.length === 0) {
        throw new ToolInputError('path', `${path}: git cannot read changes there (${error.message}). Pass a folder inside a git repository, or save the diff to a .diff file and list it in relevant_files.`);
      }
      return { git_changes: { error: error.message, reviewed_instead: diffFiles } };
    }
  },
  expert: {
    category: 'deep',
    systemPrompt: expertSystemPrompt({
      role: 'You are an expert reviewer validating changes before they are committed. An AI coding assistant has examined the changes and gives you the diff, its findings and the relevant files.',
      instructions:
        'Judge the diff: does it do what is intended, completely and nothing more? Find bugs, security problems, broken callers or tests, missing error handling, leftovers and secrets. Each issue points at the changed code.',
      outputFormat: [
        'One line per issue, most severe first:',
        '[CRITICAL|HIGH|MEDIUM|LOW] path/to/file.ts:LINE – the issue → the fix',
        'Then: ## Verdict (ready to commit, or what must change first), ## Summary, ## Positives.',
      ].join('\n'),
    }),
    skip: (_input, state) => (state.extra['precommit_type'] === 'internal' ? 'precommit_type is internal: the changes are validated without an expert model' : undefined),
    // The diff exai collected itself is what the expert reviews: a one-step validation of real changes is not "nothing to analyse".
    hasOwnMaterial: (_input, state) => Boolean(changesets.get(state)?.diff),
    buildContext(_input, state) {
      const lines: string[] = [];
      if (state.extra['focus_on']) lines.push(`Focus on: ${String(state.extra['focus_on'])}`);
      const filter = severityFilterLine(state.extra['severity_filter']);
      if (filter) lines.push(filter);
      const changes = changesets.get(state);
      if (!changes?.diff) {
        lines.push('No git diff is included; review the changeset files among the essential files.');
        return lines.join('\n');
      }
      lines.push(`Repository: ${changes.repository}${changes.branch ? ` (branch ${changes.branch})` : ''}`, `Changes (git diff):\n${changes.diff}`);
      if (changes.omittedFiles.length > 0) lines.push(`Diffs left out for size (ask for them if they matter): ${changes.omittedFiles.join(', ')}`);
      if (changes.secretFiles.length > 0) lines.push(`Changed files holding secrets, not shown: ${changes.secretFiles.join(', ')}`);
      return lines.join('\n');
    },
  },
  complete: (_input, state) => ({ issues_by_severity: severityCounts(state.issues) }),
});
