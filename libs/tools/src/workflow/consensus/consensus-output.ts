import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ConsensusVerdict } from './consult-models.js';

/** What the caller does with the verdicts: the synthesis is its job, not another model's. */
export const SYNTHESIS_GUIDANCE = [
  'CONSENSUS GATHERED. Synthesise the verdicts yourself and present:',
  '1. Points of AGREEMENT across the models.',
  '2. Points of DISAGREEMENT, and why the models differ (stance, evidence, assumptions).',
  '3. Your consolidated recommendation, weighing each verdict by its reasoning, not by its stance.',
  '4. Concrete next steps.',
  '5. Risks or concerns that must be addressed first.',
  'A failed model is listed with its error: say which perspective is missing.',
].join('\n');

/** The structured result of a consensus call (one-call form, or a step of the stepwise form). */
export interface ConsensusOutput {
  status: 'consensus_workflow_complete' | 'model_consulted';
  verdicts: ConsensusVerdict[];
  models_consulted: number;
  models_failed: number;
  total_cost_usd: number;
  next_steps: string;
  continuation_id?: string;
  step_number?: number;
  total_steps?: number;
  next_step_required?: boolean;
}

/** Builds the output from the verdicts gathered so far. */
export function consensusOutput(verdicts: ConsensusVerdict[], extra: Omit<ConsensusOutput, 'verdicts' | 'models_consulted' | 'models_failed' | 'total_cost_usd'>): ConsensusOutput {
  const failed = verdicts.filter((verdict) => verdict.status === 'error').length;
  // Summed in micro-dollars to keep float noise out of the reported total.
  const micros = verdicts.reduce((sum, verdict) => sum + Math.round((verdict.metadata?.cost_usd ?? 0) * 1e9), 0);
  return {
    ...extra,
    verdicts,
    models_consulted: verdicts.length - failed,
    models_failed: failed,
    total_cost_usd: micros / 1e9,
  };
}

/** One verdict as Markdown: heading, the model's text (or its error) and a footer with the call's numbers. */
export function renderVerdict(verdict: ConsensusVerdict, index: number): string {
  const heading = `### ${index + 1}. ${verdict.model} — ${verdict.stance}`;
  if (verdict.status === 'error') return `${heading} — FAILED\n${verdict.error ?? 'unknown error'}`;
  const meta = verdict.metadata;
  const footer = meta
    ? `\n\n— answered by ${meta.model} (${meta.provider}) · ${meta.tokens.input} in / ${meta.tokens.output} out tokens · $${meta.cost_usd.toFixed(6)} · ${meta.duration_ms} ms`
    : '';
  return `${heading}\n${verdict.verdict ?? ''}${footer}`;
}

/** The tool result: readable Markdown for the caller, the same data as structured content. */
export function consensusResult(output: ConsensusOutput, firstIndex = 0): CallToolResult {
  const head =
    `status: ${output.status} · ${output.models_consulted} answered, ${output.models_failed} failed · $${output.total_cost_usd.toFixed(6)} total` +
    (output.step_number !== undefined ? ` · step ${output.step_number}/${output.total_steps}` : '') +
    (output.continuation_id ? ` · continuation_id: ${output.continuation_id}` : '');
  const text = [head, '', ...output.verdicts.map((verdict, index) => renderVerdict(verdict, firstIndex + index) + '\n'), '---', output.next_steps].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: output as unknown as Record<string, unknown> };
}
