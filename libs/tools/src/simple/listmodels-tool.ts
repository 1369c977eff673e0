import { defineTool } from '../tool-definition.js';
import type { ModelInfo } from '@exai/router/spec';
import { z } from 'zod';
import type { ToolsRouter } from '../tools-router.js';
import { currentTrouble } from './router-health.js';

const modelShape = z.object({
  id: z.string(),
  aliases: z.array(z.string()),
  available: z.boolean(),
  reason: z.string().optional(),
  /** Set while a usable model cannot be served: breaker open, every key out of rotation. */
  trouble: z.string().optional(),
  description: z.string(),
  context_window: z.number(),
  max_output_tokens: z.number(),
  quality_tier: z.string(),
  usd_per_million: z.object({ input: z.number(), cached_input: z.number(), output: z.number() }),
  usd_per_web_search: z.number(),
  capabilities: z.array(z.string()),
});

/** Structured output of `listmodels`. */
export const listModelsOutputShape = {
  default_model: z.string().optional(),
  providers: z.array(
    z.object({
      provider: z.string(),
      configured: z.boolean(),
      reason: z.string().optional(),
      models: z.array(modelShape),
    }),
  ),
};

export type ListModelsOutput = z.infer<z.ZodObject<typeof listModelsOutputShape>>;

function capabilityNames(info: ModelInfo): string[] {
  const { capabilities } = info;
  const names: string[] = [];
  if (capabilities.thinking !== 'none') names.push(capabilities.thinking === 'always' ? 'thinking(always)' : 'thinking');
  if (capabilities.vision) names.push('vision');
  if (capabilities.tools) names.push('tools');
  if (capabilities.webSearch) names.push('web-search');
  if (capabilities.files) names.push('files');
  if (capabilities.jsonMode) names.push('json');
  if (capabilities.partialMode) names.push('partial');
  return names;
}

/**
 * Models grouped by provider, with availability, the reason a provider or model is unavailable, and
 * what keeps a usable model from being served right now (an open breaker, every key out of rotation).
 */
export function listModels(router: ToolsRouter, options: { defaultModel?: string } = {}): ListModelsOutput {
  const status = router.status();
  const byProvider = new Map<string, ListModelsOutput['providers'][number]>();
  for (const { info, available, reason } of router.listModels()) {
    let group = byProvider.get(info.provider);
    if (!group) {
      group = { provider: info.provider, configured: false, models: [] };
      byProvider.set(info.provider, group);
    }
    const trouble = available ? currentTrouble(status, info) : undefined;
    group.models.push({
      id: info.id,
      aliases: info.aliases,
      available,
      ...(reason ? { reason } : {}),
      ...(trouble ? { trouble } : {}),
      description: info.description,
      context_window: info.contextWindow,
      max_output_tokens: info.maxOutputTokens,
      quality_tier: info.qualityTier,
      usd_per_million: {
        input: info.prices.inputPerMillion,
        cached_input: info.prices.cachedInputPerMillion,
        output: info.prices.outputPerMillion,
      },
      usd_per_web_search: info.prices.perWebSearch,
      capabilities: capabilityNames(info),
    });
  }
  // A provider with keys is configured even when its allow-list leaves no model usable.
  const withKeys = new Set(status.keys.map((key) => key.provider));
  for (const group of byProvider.values()) {
    group.configured = withKeys.has(group.provider) || group.models.some((model) => model.available);
    if (!group.configured) {
      const reason = group.models.find((model) => model.reason)?.reason;
      if (reason) group.reason = reason;
    }
  }
  return { ...(options.defaultModel ? { default_model: options.defaultModel } : {}), providers: [...byProvider.values()] };
}

/** Plain-text rendering of `listmodels` for clients that show only text. */
export function renderModels(output: ListModelsOutput): string {
  const lines: string[] = [];
  for (const group of output.providers) {
    lines.push(`${group.provider.toUpperCase()}: ${group.configured ? 'configured' : `not configured — ${group.reason ?? 'unavailable'}`}`);
    for (const model of group.models) {
      const price = model.usd_per_million;
      const why = !model.available && model.reason && group.configured ? ` — ${model.reason}` : model.trouble ? ` — now: ${model.trouble}` : '';
      lines.push(
        `  ${model.available ? (model.trouble ? '!' : '✓') : '✗'} ${model.id}${model.aliases.length ? ` (${model.aliases.join(', ')})` : ''} — ${Math.round(model.context_window / 1024)}K context, ${model.quality_tier}, $${price.input}/$${price.output} per M in/out${model.capabilities.length ? `, ${model.capabilities.join(', ')}` : ''}${why}`,
      );
      if (model.description) lines.push(`      ${model.description}`);
    }
  }
  lines.push('', `Pass an id or alias as \`model\`, or \`auto\` to let exai choose${output.default_model ? ` (default: ${output.default_model})` : ''}. ✓ usable, ! usable but failing now, ✗ unavailable.`);
  return lines.join('\n');
}

/** `listmodels`: every model by provider, with availability and the reason when unavailable. */
export const listModelsTool = defineTool({
  name: 'listmodels',
  title: 'List models',
  description: 'GLM and Kimi models with aliases, context, prices, capabilities, and whether each is available and why not.',
  inputShape: {},
  outputShape: listModelsOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'lean',
  async run(_input, context) {
    const output = listModels(context.deps.router, { defaultModel: context.deps.defaultModel });
    return { content: [{ type: 'text', text: renderModels(output) }], structuredContent: output };
  },
});
