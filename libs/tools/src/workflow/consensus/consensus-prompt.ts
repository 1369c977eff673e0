import type { ConsensusParticipant, ConsensusStance } from './consensus-schema.js';

const stanceInstructions: Record<ConsensusStance, string> = {
  for: [
    'STANCE: FOR. Make the strongest honest case for the proposal: its real strengths, how to overcome its',
    'challenges, the best version of it worth building.',
  ].join('\n'),
  against: [
    'STANCE: AGAINST. Make the strongest honest case against the proposal: risks, hidden costs, weaker',
    'assumptions, and better alternatives.',
  ].join('\n'),
  neutral: [
    'STANCE: NEUTRAL. Weigh the proposal on the evidence. Balance means an accurate weighting, not an',
    'artificial 50/50: if the evidence points clearly one way, say so.',
  ].join('\n'),
};

/**
 * Holds for every stance, custom ones included: an assigned side is a lens, never a licence to argue
 * for something harmful or against something plainly right.
 */
const ethicalOverride = [
  'INTEGRITY OVERRIDES THE STANCE:',
  '- Never argue for something harmful, insecure, privacy-violating, unlawful or technically infeasible;',
  '  if the proposal is, say plainly that it is a bad idea, whatever your stance.',
  '- Never invent flaws or strengths. If the proposal is sound and your stance is against, say so and',
  '  limit yourself to the real risks; if it is unsound and your stance is for, say so.',
  '- Judge as an engineer whose advice will be acted on: the questioner\'s real interest comes first.',
].join('\n');

/** The reply format every consulted model must use, so the caller can compare verdicts side by side. */
export const consensusReplyFormat = [
  'Reply in Markdown with exactly these sections, in this order:',
  '## Verdict',
  'One or two sentences: your bottom line.',
  '## Analysis',
  'Technical feasibility, fit with the project, user value, implementation complexity, alternatives, risks.',
  'Cite file paths and line numbers when files are given.',
  '## Confidence Score',
  'X/10 — one sentence on why.',
  '## Key Takeaways',
  '3 to 6 bullet points the decision-maker should remember.',
].join('\n');

/** The system prompt of one consulted model: its role, its stance (or the caller's), the overrides and the format. */
export function consensusSystemPrompt(participant: ConsensusParticipant): string {
  return [
    'You are a senior engineer giving an independent expert opinion on a proposal, one of several experts',
    'consulted separately. You do not see the other opinions and must not guess them.',
    '',
    participant.stancePrompt ? `STANCE (given by the caller):\n${participant.stancePrompt}` : stanceInstructions[participant.stance],
    '',
    ethicalOverride,
    '',
    consensusReplyFormat,
  ].join('\n');
}

/**
 * The user turn every model receives: the original proposal and the files, nothing else. Blinding is
 * structural: no other model's verdict and no caller notes can reach it (#162: models echoed the first
 * stance when they saw it).
 */
export function consensusUserPrompt(proposal: string, fileBlocks: readonly string[]): string {
  if (fileBlocks.length === 0) return proposal;
  return `${proposal}\n\n=== CONTEXT FILES ===\n${fileBlocks.join('\n\n')}\n=== END CONTEXT ===`;
}

/** The `X` of `## Confidence Score X/10`, when the model followed the format. */
export function confidenceScoreOf(verdict: string): number | undefined {
  const match = /##\s*Confidence Score\b[^\d]{0,20}(\d{1,2}(?:\.\d+)?)\s*\/\s*10/i.exec(verdict);
  if (!match) return undefined;
  const score = Number(match[1]);
  return score >= 0 && score <= 10 ? score : undefined;
}
