import { z } from 'zod';
import { defineTool } from '../tool-definition.js';
import { ToolInputError } from '../tool-input-error.js';

/** Structured output of `challenge`. */
export const challengeOutputShape = {
  status: z.literal('challenge_accepted'),
  original_statement: z.string(),
  challenge_prompt: z.string(),
  instructions: z.string(),
};

export type ChallengeOutput = z.infer<z.ZodObject<typeof challengeOutputShape>>;

/** What the assistant should do with the wrapped statement (Zen's wording, kept so habits carry over). */
const challengeInstructions =
  'Present the challenge_prompt to yourself and follow its instructions. Reassess the statement carefully and critically before responding. ' +
  'If, after reflection, you find reasons to disagree or qualify it, explain your reasoning. ' +
  'Likewise, if you find reasons to agree, articulate them clearly and justify your agreement.';

/** The statement wrapped in the instruction to reassess it rather than agree by reflex. */
export function challengePrompt(statement: string): string {
  return (
    `CRITICAL REASSESSMENT – Do not automatically agree:\n\n"${statement}"\n\n` +
    'Carefully evaluate the statement above. Is it accurate, complete, and well-reasoned? ' +
    'Investigate if needed before replying, and stay focused. If you identify flaws, gaps, or misleading points, explain them clearly. ' +
    'Likewise, if you find the reasoning sound, explain why it holds up. ' +
    'Respond with thoughtful analysis—stay to the point and avoid reflexive agreement.'
  );
}

/** `challenge`: no model call; hands the statement back wrapped in a critical-reassessment instruction. */
export const challengeTool = defineTool({
  name: 'challenge',
  title: 'Challenge a statement',
  description: 'Makes you reassess a statement critically instead of agreeing by reflex (no model call).',
  inputShape: {
    prompt: z.string().describe('The statement or pushback to reassess'),
  },
  outputShape: challengeOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'standard',
  async run(input, context) {
    const statement = input.prompt.trim();
    if (statement === '') throw new ToolInputError('prompt', 'prompt is empty: pass the statement to reassess');
    const max = context.deps.limits.promptMaxChars;
    if (statement.length > max) throw new ToolInputError('prompt', `prompt has ${statement.length} characters; the limit is ${max} (EXAI_PROMPT_MAX_CHARS)`);
    const output: ChallengeOutput = {
      status: 'challenge_accepted',
      original_statement: statement,
      challenge_prompt: challengePrompt(statement),
      instructions: challengeInstructions,
    };
    return { content: [{ type: 'text', text: `${output.challenge_prompt}\n\n${output.instructions}` }], structuredContent: output };
  },
});
