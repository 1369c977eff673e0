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
