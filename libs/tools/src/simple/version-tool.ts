import { defineTool } from '../tool-definition.js';
import { z } from 'zod';

/** Structured output of `version`. */
export const versionOutputShape = {
  name: z.string(),
  version: z.string(),
  node: z.string(),
  transport: z.string(),
  providers: z.array(z.object({ provider: z.string(), configured: z.boolean(), base_url: z.string() })),
  default_model: z.string(),
  tools: z.array(z.string()),
};

export type VersionOutput = z.infer<z.ZodObject<typeof versionOutputShape>>;

/** Plain-text rendering of `version`. */
export function renderVersion(output: VersionOutput): string {
  return [
    `${output.name} ${output.version} (Node ${output.node}, ${output.transport})`,
    `Default model: ${output.default_model}`,
    ...output.providers.map((provider) => `${provider.provider}: ${provider.configured ? 'configured' : 'not configured'} — ${provider.base_url}`),
    `Tools: ${output.tools.join(', ')}`,
  ].join('\n');
}

/** `version`: exai's version, transport, providers (never keys) and the tools served. */
export const versionTool = defineTool({
  name: 'version',
  title: 'Version',
  description: 'exai version, configured providers and tools.',
  inputShape: {},
  outputShape: versionOutputShape,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  profile: 'lean',
  async run(_input, context) {
    const deps = context.deps;
    const output: VersionOutput = {
      name: 'exai',
      version: deps.version,
      node: process.versions.node,
      transport: deps.transport,
      providers: deps.providers.map((provider) => ({ provider: provider.provider, configured: provider.configured, base_url: provider.baseUrl })),
      default_model: deps.defaultModel,
      tools: [...deps.enabledTools()],
    };
    return { content: [{ type: 'text', text: renderVersion(output) }], structuredContent: output };
  },
});
