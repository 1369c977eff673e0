/**
 * Expert statuses that need the agent to act before the workflow can finish; they become the
 * response's own status (zen promotes the first three; the rest ask for more material too).
 */
export const PROMOTED_EXPERT_STATUSES: readonly string[] = [
  'files_required_to_continue',
  'investigation_paused',
  'refactoring_paused',
  'full_codereview_required',
  'focused_review_required',
  'test_sample_needed',
  'more_tests_required',
  'code_too_large',
];

/** The expert's reply as an object: `status` is always a string. */
export type ExpertAnalysis = Record<string, unknown> & { status: string };

/**
 * Reads the expert's reply as JSON: a fenced ```json block, the whole text, or the outermost
 * `{…}` in it. Anything else is kept verbatim as `{ status: 'analysis_complete', raw_analysis }`.
 */
export function parseExpertReply(text: string): ExpertAnalysis {
  for (const candidate of jsonCandidates(text)) {
    const value = tryParseObject(candidate);
    if (value) return typeof value['status'] === 'string' ? (value as ExpertAnalysis) : { status: 'analysis_complete', ...value };
  }
  return { status: 'analysis_complete', raw_analysis: text.trim() };
}

function* jsonCandidates(text: string): Generator<string> {
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/i.exec(text);
  if (fenced?.[1] !== undefined) yield fenced[1];
  const trimmed = text.trim();
  yield trimmed;
  // A top-level JSON array is not an analysis, even when it holds objects; prose that merely starts
  // with a bracket ("[CRITICAL] …") is searched like any other text.
  if (isJsonArray(trimmed)) return;
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) yield text.slice(first, last + 1);
}

/** JSON.parse that answers only plain objects (the reply is untrusted model output). */
function tryParseObject(candidate: string): Record<string, unknown> | undefined {
  const trimmed = candidate.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function isJsonArray(text: string): boolean {
  if (!text.startsWith('[')) return false;
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}
