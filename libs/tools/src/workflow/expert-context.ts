import type { WorkflowState } from './workflow-state.js';

/**
 * The user message of an expert call (zen-lineage §1b step 5): the request, the findings as they
 * progressed, hypotheses with their confidence, issues, methods, the tool's own context, and the
 * essential files embedded in full.
 */
export function buildExpertContext(options: { tool: string; state: WorkflowState; toolContext?: string; filesText: string }): string {
  const { state, tool } = options;
  const sections: string[] = [section(`${tool.toUpperCase()} REQUEST`, state.initialRequest)];
  if (options.toolContext?.trim()) sections.push(section('TOOL CONTEXT', options.toolContext.trim()));
  sections.push(section(`WORK PROGRESSION (${state.steps.length} step${state.steps.length === 1 ? '' : 's'})`, state.steps.map((step) => `Step ${step.stepNumber}: ${step.findings}`).join('\n\n')));
  const hypotheses = state.steps.filter((step) => step.hypothesis !== undefined);
  if (hypotheses.length > 0) {
    sections.push(section('HYPOTHESIS EVOLUTION', hypotheses.map((step) => `Step ${step.stepNumber} (${step.confidence ?? 'unrated'} confidence): ${step.hypothesis}`).join('\n')));
  }
  if (state.issues.length > 0) {
    sections.push(section('ISSUES FOUND', state.issues.map((issue) => `[${issue.severity.toUpperCase()}] ${issue.description}`).join('\n')));
  }
  if (state.relevantContext.length > 0) sections.push(section('RELEVANT METHODS/FUNCTIONS', state.relevantContext.join('\n')));
  if (state.filesChecked.length > 0) sections.push(section('FILES EXAMINED', state.filesChecked.join('\n')));
  if (state.images.length > 0) sections.push(section('IMAGES', `${state.images.length} image(s) attached to this message.`));
  if (options.filesText) sections.push(section('ESSENTIAL FILES', options.filesText));
  return sections.join('\n\n');
}

function section(title: string, body: string): string {
  return `=== ${title} ===\n${body}\n=== END ${title.replace(/ \(.*\)$/, '')} ===`;
}

/** The findings as "Step N: …" lines, for `work_summary` and the recorded turn. */
export function workSummary(state: WorkflowState): string {
  return state.steps.map((step) => `Step ${step.stepNumber}: ${step.findings}`).join('\n');
}
