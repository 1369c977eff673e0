import type { ModelInfo } from '@exai/router/spec';
import { z } from 'zod';
import { defineTool, type ToolDependencies } from '../tool-definition.js';

/** One thing a provider can do, and the vendor endpoint (relative to its base URL) that does it. */
interface Feature {
  name: string;
  endpoint: string;
}

/** What GLM (Z.ai) and Kimi (Moonshot) offer through exai (provider-wire.md). */
const knownFeatures: Readonly<Record<string, readonly Feature[]>> = {
  glm: [
    { name: 'chat', endpoint: '/chat/completions' },
    { name: 'thinking', endpoint: '/chat/completions, thinking' },
    { name: 'vision', endpoint: '/chat/completions, image_url (vision models)' },
    { name: 'web search in chat', endpoint: '/chat/completions, web_search tool' },
    { name: 'web search standalone', endpoint: '/web_search' },
    { name: 'files', endpoint: '/files' },
  ],
  kimi: [
    { name: 'chat', endpoint: '/chat/completions' },
    { name: 'thinking', endpoint: '/chat/completions (thinking models)' },
    { name: '$web_search', endpoint: '/chat/completions, builtin_function' },
    { name: 'file extraction', endpoint: '/files, /files/{id}/content' },
    { name: 'context caching', endpoint: '/caching' },
    { name: 'partial mode', endpoint: '/chat/completions, partial: true' },
  ],
};

/** Structured output of `provider_capabilities`. */
export const providerCapabilitiesOutputShape = {
  providers: z.array(
    z.object({
      provider: z.string(),
      configured: z.boolean(),
      base_url: z.string(),
      keys: z.number(),
      /** `name: endpoint`, the endpoint relative to base_url. */
      features: z.array(z.string()),
      available_models: z.array(z.string()),
      /** `model: reason`. */
      unavailable: z.array(z.string()),
    }),
  ),
  tools: z.array(z.string()),
};

export type ProviderCapabilitiesOutput = z.infer<z.ZodObject<typeof providerCapabilitiesOutputShape>>;

/** A provider exai has no table for: what its models say they support. */
function featuresFromModels(models: readonly ModelInfo[]): Feature[] {
  const features: Feature[] = [{ name: 'chat', endpoint: '/chat/completions' }];
  const any = (test: (info: ModelInfo) => boolean): boolean => models.some(test);
  if (any((info) => info.capabilities.thinking !== 'none')) features.push({ name: 'thinking', endpoint: '/chat/completions' });
  if (any((info) => info.capabilities.vision)) features.push({ name: 'vision', endpoint: '/chat/completions' });
  if (any((info) => info.capabilities.webSearch)) features.push({ name: 'web search in chat', endpoint: '/chat/completions' });
  if (any((info) => info.capabilities.files)) features.push({ name: 'files', endpoint: '/files' });
  if (any((info) => info.capabilities.partialMode)) features.push({ name: 'partial mode', endpoint: '/chat/completions' });
  return features;
}

/** Providers (never their keys: only how many), base URLs, features, models, and the tools served. */
export function providerCapabilities(deps: ToolDependencies): ProviderCapabilitiesOutput {
  const models = deps.router.listModels();
  const keys = deps.router.status().keys;
  const names = [...new Set([...deps.providers.map((provider) => provider.provider), ...models.map((model) => model.info.provider)])];
  const providers = names.map((name) => {
    const summary = deps.providers.find((provider) => provider.provider === name);
    const own = models.filter((model) => model.info.provider === name);
    return {
      provider: name,
      configured: summary?.configured ?? own.some((model) => model.available),
      base_url: summary?.baseUrl ?? '',
      keys: keys.filter((key) => key.provider === name).length,
      features: (knownFeatures[name] ?? featuresFromModels(own.map((model) => model.info))).map((feature) => `${feature.name}: ${feature.endpoint}`),
      available_models: own.filter((model) => model.available).map((model) => model.info.id),
      unavailable: own.filter((model) => !model.available).map((model) => `${model.info.id}: ${model.reason ?? 'unavailable'}`),
    };
  });
  return { providers, tools: [...deps.enabledTools()] };
}

/** Plain-text rendering of `provider_capabilities`. */
export function renderProviderCapabilities(output: ProviderCapabilitiesOutput): string {
  const lines: string[] = [];
  for (const provider of output.providers) {
    lines.push(
      `${provider.provider.toUpperCase()}: ${provider.configured ? `configured (${provider.keys} key${provider.keys === 1 ? '' : 's'})` : 'not configured'}${provider.base_url ? ` — ${provider.base_url}` : ''}`,
    );
    for (const feature of provider.features) lines.push(`  - ${feature}`);
    lines.push(`  Models available: ${provider.available_models.length ? provider.available_models.join(', ') : 'none'}`);
    if (provider.unavailable.length) lines.push(`  Unavailable: ${provider.unavailable.join('; ')}`);
  }
  lines.push(`Tools served: ${output.tools.join(', ')}`);
  return lines.join('\n');
}

/** `provider_capabilities`: what each configured provider can do here, and the tools this server serves. */
export const providerCapabilitiesTool = defineTool({
  name: 'provider_capabilities',
  title: 'Provider capabilities',
  description: 'Configured providers (never keys), base URLs, features, usable models and active tools.',
  inputShape: {},
  outputShape: providerCapabilitiesOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'standard',
  async run(_input, context) {
    const output = providerCapabilities(context.deps);
    return { content: [{ type: 'text', text: renderProviderCapabilities(output) }], structuredContent: output };
  },
});
