import { isAutoModelName } from '@exai/router';
import type { ModelInfo } from '@exai/router/spec';
import { ExaiError } from '@exai/router/spec';
import type { ProviderName } from '@exai/storage';
import { z } from 'zod';
import type { ResultMetadata } from '../result-metadata.js';
import { ToolInputError } from '../tool-input-error.js';
import type { ToolsRouter } from '../tools-router.js';
import { providerKeyVariables, VendorNotConfiguredError } from './vendor-clients.js';

/**
 * The model a provider-specific tool calls: the one named (which must be the provider's), else the
 * first usable of `preferred`, else the provider's first usable model of `tier`, else any usable one.
 * Without a usable model of the provider, the error names the key variable.
 */
export function providerModel(
  router: ToolsRouter,
  options: { provider: ProviderName; requested: string | undefined; tool: string; preferred: readonly string[]; tier?: ModelInfo['qualityTier']; needs?: (info: ModelInfo) => boolean },
): ModelInfo {
  const { provider, tool } = options;
  if (options.requested !== undefined && !isAutoModelName(options.requested)) {
    const { info } = router.resolve(options.requested);
    if (info.provider !== provider) {
      throw new ToolInputError('model', `${tool} calls ${providerKeyVariables[provider].label} models; ${info.id} is a ${info.provider} model. Leave model out or name a ${provider} model (see listmodels).`);
    }
    return info;
  }
  const models = router.listModels().filter((model) => model.info.provider === provider);
  const usable = models.filter((model) => model.available && (options.needs?.(model.info) ?? true)).map((model) => model.info);
  const chosen =
    options.preferred.map((id) => usable.find((info) => info.id === id)).find((info) => info !== undefined) ??
    usable.find((info) => info.qualityTier === options.tier) ??
    usable[0];
  if (chosen) return chosen;
  const reason = models.find((model) => !model.available)?.reason;
  if (models.length === 0 || reason === undefined || reason.includes(providerKeyVariables[provider].envVar)) throw new VendorNotConfiguredError(provider, tool);
  throw new ExaiError('no_qualifying_model', { message: `${tool} has no usable ${provider} model: ${reason}.` });
}

/** The one-line footer of a model answer: model, tokens, cost, time (and the thread, when there is one). */
export function metadataFooter(meta: ResultMetadata): string {
  const attempts = meta.routing.attempts.length > 1 ? `, ${meta.routing.attempts.length} attempts` : '';
  const thread = meta.continuation_id ? ` · continuation_id: ${meta.continuation_id}` : '';
  return `— ${meta.model} (${meta.provider}, ${meta.routing.mode}${attempts}) · ${meta.tokens.input} in / ${meta.tokens.output} out tokens · $${meta.cost_usd.toFixed(6)} · ${meta.duration_ms} ms${thread}`;
}

/**
 * The shared call metadata in output schemas, kept compact (`tools/list` is paid for in every client's
 * context); `structuredContent` carries all of `resultMetadata`.
 */
export const metadataOutputSchema = z
  .looseObject({ model: z.string(), provider: z.string(), cost_usd: z.number() })
  .describe('Also tokens, routing, continuation_id.');
