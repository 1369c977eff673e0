import type { RoutedCall, RoutedChatResult } from '@exai/router';
import type { ChatRequest } from '@exai/router/spec';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { runModelCall } from '../model-call.js';
import { resultMetadata, type ResultMetadata } from '../result-metadata.js';
import { defineTool, type ToolContext } from '../tool-definition.js';
import { checkPromptLength } from './ask-with-files.js';
import { buildIntentRequest, classifyIntentByRules, intentHintsSchema, parseIntentHints, type IntentClassification, type IntentHints } from './intent-classification.js';
import { messageOf } from './provider-uploads.js';
import { metadataFooter, metadataOutputSchema, providerModel } from './vendor-models.js';

const TOOL = 'kimi_intent_analysis';

/** Kimi's fast model answers the classification (JSON mode, no thinking). */
export const DEFAULT_KIMI_INTENT_MODELS = ['kimi-k2-turbo-preview'] as const;

export const kimiIntentAnalysisInputShape = {
  prompt: z.string().min(1),
  context: z.string().optional(),
  model: z.string().optional().describe('Default kimi-k2-turbo-preview.'),
};

export const kimiIntentAnalysisOutputShape = {
  hints: intentHintsSchema,
  classified_by: z.enum(['model', 'rules']),
  reasons: z.array(z.string()),
  metadata: metadataOutputSchema.optional(),
};

type Input = z.infer<z.ZodObject<typeof kimiIntentAnalysisInputShape>>;
export type KimiIntentAnalysisOutput = Omit<z.infer<z.ZodObject<typeof kimiIntentAnalysisOutputShape>>, 'metadata'> & { metadata?: ResultMetadata };

/** `kimi_intent_analysis`: routing hints for a prompt, from a fast Kimi call with a rules fallback. */
export const kimiIntentAnalysisTool = defineTool({
  name: TOOL,
  title: 'Classify a prompt (Kimi)',
  description: 'Classify a prompt into routing hints (tier, web, thinking, files, complexity, model) with a fast Kimi call; rules when it fails.',
  inputShape: kimiIntentAnalysisInputShape,
  outputShape: kimiIntentAnalysisOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  profile: 'full',
  run: (input, context) => analyse(input, context),
});

async function analyse(input: Input, context: ToolContext): Promise<CallToolResult> {
  const started = Date.now();
  const { router } = context.deps;
  checkPromptLength(input.prompt, context);
  const model = providerModel(router, { provider: 'kimi', requested: input.model, tool: TOOL, preferred: DEFAULT_KIMI_INTENT_MODELS, tier: 'fast', needs: (info) => info.capabilities.jsonMode });
  const usable = router.listModels().filter((candidate) => candidate.available).map((candidate) => candidate.info.id);
  const call: RoutedCall = { model: model.id, request: buildIntentRequest(input.prompt, { context: input.context, models: usable }), task: { tool: TOOL, category: 'fast' } };
  if (context.deps.session !== undefined) call.session = context.deps.session;

  const reasons: string[] = [];
  let classification: IntentClassification | undefined;
  let result: RoutedChatResult | undefined;
  try {
    result = await runModelCall(router, call, context);
    classification = parseIntentHints(result.text);
    if (classification) reasons.push(`${result.model.id} classified the prompt`);
    else reasons.push(`${result.model.id} answered without valid JSON; the rules decided`);
  } catch (error) {
    if (context.signal?.aborted) throw error;
    reasons.push(`the classifying call failed (${messageOf(error)}); the rules decided`);
  }
  const classifiedBy = classification ? 'model' : 'rules';
  if (!classification) {
    const rules = classifyIntentByRules(input.prompt, input.context);
    reasons.push(...rules.reasons);
    classification = rules;
  }
  const hints: IntentHints = {
    category: classification.category,
    needs_web: classification.needs_web,
    needs_thinking: classification.needs_thinking,
    needs_files: classification.needs_files,
    complexity: classification.complexity,
    suggested_model: suggestModel(context, input.prompt, classification, usable, reasons),
  };
  const output: KimiIntentAnalysisOutput = { hints, classified_by: classifiedBy, reasons };
  if (result) output.metadata = resultMetadata(result, { durationMs: Date.now() - started, streamed: context.progress !== undefined });
  const text = [
    `category ${hints.category}, complexity ${hints.complexity}; web ${yesNo(hints.needs_web)}, thinking ${yesNo(hints.needs_thinking)}, files ${yesNo(hints.needs_files)}; suggested model ${hints.suggested_model} (by ${classifiedBy})`,
    ...reasons.map((reason) => `- ${reason}`),
    ...(output.metadata ? [metadataFooter(output.metadata)] : []),
  ].join('\n');
  return { content: [{ type: 'text', text }], structuredContent: output };
}

/**
 * The classifier's suggestion when it names a usable model; otherwise what the router would pick
 * for these hints (`explain`, no I/O).
 */
function suggestModel(context: ToolContext, prompt: string, hints: IntentClassification, usable: readonly string[], reasons: string[]): string {
  const { router } = context.deps;
  if (hints.suggested_model) {
    try {
      const { info } = router.resolve(hints.suggested_model);
      if (usable.includes(info.id)) return info.id;
    } catch {
      // Unknown or unusable: the router suggests instead.
    }
    reasons.push(`suggested model ${hints.suggested_model} is not usable; the router chose`);
  }
  const request: ChatRequest = { messages: [{ role: 'user', content: prompt }] };
  if (hints.needs_web) request.webSearch = { enabled: true };
  if (hints.needs_thinking) request.thinking = { enabled: true };
  try {
    return router.explain({ model: 'auto', request, task: { tool: TOOL, category: hints.category } }).model;
  } catch {
    // No model honours every need (say web search and thinking together): the tier alone decides.
    return router.explain({ model: 'auto', request: { messages: request.messages }, task: { tool: TOOL, category: hints.category } }).model;
  }
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');
