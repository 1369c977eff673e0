import type { ModelInfo } from '@exai/router/spec';
import { z } from 'zod';

const price = z.number().nonnegative();
const pricesSchema = z.strictObject({
  inputPerMillion: price,
  cachedInputPerMillion: price,
  outputPerMillion: price,
  perWebSearch: price,
});

const capabilitiesSchema = z.strictObject({
  thinking: z.enum(['none', 'hybrid', 'always']),
  vision: z.boolean(),
  tools: z.boolean(),
  webSearch: z.boolean(),
  files: z.boolean(),
  streaming: z.boolean(),
  jsonMode: z.boolean(),
  partialMode: z.boolean(),
});

const temperatureObject = z.strictObject({
  min: z.number().nonnegative(),
  max: z.number().nonnegative(),
  default: z.number().nonnegative(),
  fixed: z.number().nonnegative().optional(),
});

const temperatureSchema = temperatureObject
  .refine((range) => range.min <= range.default && range.default <= range.max, {
    message: 'default must lie between min and max',
    path: ['default'],
  })
  .refine((range) => range.fixed === undefined || (range.min <= range.fixed && range.fixed <= range.max), {
    message: 'fixed must lie between min and max',
    path: ['fixed'],
  });

const tokens = z.int().positive();
const name = z.string().trim().min(1);
const qualityTier = z.enum(['fast', 'balanced', 'deep']);

/** The full shape of a model, as `ModelInfo`. Used for new models and for merged overrides. */
export const modelInfoSchema = z
  .strictObject({
    id: name,
    provider: name,
    aliases: z.array(name),
    contextWindow: tokens,
    maxOutputTokens: tokens,
    prices: pricesSchema,
    capabilities: capabilitiesSchema,
    temperature: temperatureSchema,
    qualityTier,
    description: z.string(),
  })
  .refine((model) => model.maxOutputTokens <= model.contextWindow, {
    message: 'maxOutputTokens must not exceed contextWindow',
    path: ['maxOutputTokens'],
  }) satisfies z.ZodType<ModelInfo>;

/** One entry of a models file: an `id` plus any fields to change; nested objects merge field by field. */
export const modelOverrideSchema = z.strictObject({
  id: name,
  provider: name.optional(),
  aliases: z.array(name).optional(),
  contextWindow: tokens.optional(),
  maxOutputTokens: tokens.optional(),
  prices: pricesSchema.partial().optional(),
  capabilities: capabilitiesSchema.partial().optional(),
  temperature: temperatureObject.partial().optional(),
  qualityTier: qualityTier.optional(),
  description: z.string().optional(),
});

/** A parsed models-file entry. */
export type ModelOverride = z.infer<typeof modelOverrideSchema>;

/** Formats a zod issue path as a JSON path under `base` (`$.models[2].prices.inputPerMillion`). */
export function jsonPath(base: string, path: readonly PropertyKey[]): string {
  let result = base;
  for (const segment of path) {
    if (typeof segment === 'number') result += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$]*$/.test(segment)) result += `.${segment}`;
    else result += `[${JSON.stringify(String(segment))}]`;
  }
  return result;
}

/** Every issue of a zod error as `<JSON path>: <message>`. */
export function describeIssues(error: z.ZodError, base: string): string[] {
  return error.issues.map((issue) => `${jsonPath(base, issue.path)}: ${issue.message}`);
}
