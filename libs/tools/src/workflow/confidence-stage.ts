/** Where a workflow stands, read from its confidence (either scale): what the agent should do next depends on it. */
export type ConfidenceStage = 'early' | 'middle' | 'late' | 'done';

const stages: Record<string, ConfidenceStage> = {
  exploring: 'early',
  low: 'early',
  incomplete: 'early',
  medium: 'middle',
  high: 'middle',
  partial: 'middle',
  very_high: 'late',
  almost_certain: 'late',
  certain: 'done',
  complete: 'done',
};

/** The stage of a confidence level; no confidence yet means early. */
export function confidenceStage(confidence: string | undefined): ConfidenceStage {
  return (confidence !== undefined ? stages[confidence] : undefined) ?? 'early';
}
