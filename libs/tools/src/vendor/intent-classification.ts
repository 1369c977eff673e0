import type { AiClassification } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';
import { z } from 'zod';

/** Routing hints for a prompt: what tier it needs, and whether it needs the web, thinking or files. */
export const intentHintsSchema = z.object({
  category: z.enum(['fast', 'balanced', 'deep']),
  needs_web: z.boolean(),
  needs_thinking: z.boolean(),
  needs_files: z.boolean(),
  complexity: z.enum(['low', 'medium', 'high']),
  suggested_model: z.string(),
});

export type IntentHints = z.infer<typeof intentHintsSchema>;

/** Hints before a model is suggested (the classifier's own answer, or the rules'). */
export type IntentClassification = Omit<IntentHints, 'suggested_model'> & { suggested_model?: string };

// Lenient: the model's JSON is untrusted. A missing or wrong category fails the parse (the rules
// decide); missing flags count as false, an unknown complexity as medium.
const answerSchema = z.object({
  category: z.enum(['fast', 'balanced', 'deep']),
  needs_web: z.boolean().nullish(),
  needs_thinking: z.boolean().nullish(),
  needs_files: z.boolean().nullish(),
  complexity: z.enum(['low', 'medium', 'high']).nullish().catch(undefined),
  suggested_model: z.string().nullish().catch(undefined),
});

/** Characters of the prompt (and of the context) the classifier reads. */
const PROMPT_CHARS = 4_000;

const SYSTEM_PROMPT = [
  'You classify a task for a model router. Answer with one JSON object and nothing else:',
  '{"category":"fast"|"balanced"|"deep","needs_web":boolean,"needs_thinking":boolean,"needs_files":boolean,"complexity":"low"|"medium"|"high","suggested_model":string}',
  'fast: short answers, lookups, small edits. balanced: ordinary coding, explanation, analysis of a few files.',
  'deep: multi-step reasoning, debugging, architecture, proofs, reviews of large changes.',
  'needs_web: current information from the internet. needs_thinking: step-by-step reasoning. needs_files: documents or files must be read.',
].join('\n');

/**
 * The classification request: a short JSON-mode call without thinking. `models` (usable model ids)
 * lets the classifier suggest one; without it `suggested_model` is left to the caller.
 */
export function buildIntentRequest(prompt: string, options: { context?: string | undefined; models?: readonly string[] } = {}): ChatRequest {
  const system = options.models?.length ? `${SYSTEM_PROMPT}\nsuggested_model: one of ${options.models.join(', ')}.` : SYSTEM_PROMPT;
  const user = [`Task:\n${prompt.slice(0, PROMPT_CHARS)}`, ...(options.context ? [`Context:\n${options.context.slice(0, PROMPT_CHARS)}`] : [])].join('\n\n');
  return {
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: user },
    ],
    responseFormat: { type: 'json_object' },
    thinking: { enabled: false },
    temperature: 0,
    maxTokens: 300,
  };
}

/** Parses the classifier's answer (JSON, possibly fenced or with prose around it); undefined when it is not valid. */
export function parseIntentHints(text: string): IntentClassification | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start === -1 || end < start) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const hints: IntentClassification = {
    category: parsed.data.category,
    needs_web: parsed.data.needs_web ?? false,
    needs_thinking: parsed.data.needs_thinking ?? false,
    needs_files: parsed.data.needs_files ?? false,
    complexity: parsed.data.complexity ?? 'medium',
  };
  if (parsed.data.suggested_model) hints.suggested_model = parsed.data.suggested_model;
  return hints;
}

const webWords = /\b(latest|current(ly)?|today|tonight|this (week|month|year)|news|recent(ly)?|right now|up[- ]to[- ]date|release notes|price of|weather|stock|search the web|look up|google)\b|https?:\/\//i;
const thinkingWords = /\b(why|prove|proof|debug|root cause|architecture|design|trade-?offs?|step[- ]by[- ]step|reason about|analy[sz]e|optimi[sz]e|race condition|deadlock|refactor|review)\b/i;
const fileWords = /\b(this|the|attached|uploaded) (file|document|pdf|spreadsheet|log|report)s?\b|\.(pdf|docx?|xlsx?|pptx?|csv|md|txt|json|log)\b|(^|\s)\/[\w.-]+\/[\w./-]+/i;

/** Rules-only hints, for when no model answers (or answers nonsense). Deterministic, no I/O. */
export function classifyIntentByRules(prompt: string, context?: string): IntentClassification & { reasons: string[] } {
  const text = context ? `${prompt}\n${context}` : prompt;
  const reasons: string[] = [];
  const needsWeb = webWords.test(text);
  const needsThinking = thinkingWords.test(text);
  const needsFiles = fileWords.test(text);
  if (needsWeb) reasons.push('mentions current information or a URL');
  if (needsThinking) reasons.push('asks for reasoning (why, debug, design, review, …)');
  if (needsFiles) reasons.push('refers to files or documents');
  const complexity = text.length > 2_000 || (needsThinking && text.length > 400) ? 'high' : text.length > 300 || needsThinking ? 'medium' : 'low';
  const category = complexity === 'high' || (needsThinking && complexity === 'medium') ? 'deep' : complexity === 'medium' || needsFiles ? 'balanced' : 'fast';
  reasons.push(`${text.length} characters: complexity ${complexity}, category ${category}`);
  return { category, needs_web: needsWeb, needs_thinking: needsThinking, needs_files: needsFiles, complexity, reasons };
}

/** The hints in the router AI manager's shape (`AiClassification`), so routing can use them as they are. */
export function toAiClassification(hints: IntentClassification): AiClassification {
  return { category: hints.category, needsWeb: hints.needs_web, needsThinking: hints.needs_thinking, complexity: hints.complexity };
}
