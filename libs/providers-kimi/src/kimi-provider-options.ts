import { z } from 'zod';
import { invalidRequest } from './invalid-request.js';

/** Bounds of auto-continue: continuation calls and total output tokens over all rounds. */
const autoContinueSchema = z.strictObject({
  /** Continuation calls after the first answer (default 3). */
  maxRounds: z.number().int().min(1).max(20).optional(),
  /** Output tokens over all rounds (default 32768). */
  maxTotalTokens: z.number().int().positive().optional(),
});

/**
 * `request.providerOptions.kimi`. Unknown keys are refused rather than forwarded, so a typo or an
 * option meant for another vendor fails loudly instead of being silently ignored.
 */
export const kimiProviderOptionsSchema = z.strictObject({
  /** Files (uploaded with purpose `file-extract`) whose extracted text is put into the conversation as system messages. */
  fileIds: z.array(z.string().min(1)).optional(),
  /** Most characters of file content over all `fileIds` (default 400,000). */
  fileContentMaxChars: z.number().int().positive().optional(),
  /** A legacy context cache from `createCache()` (moonshot-v1 models only). */
  cacheId: z.string().min(1).optional(),
  /** Resets the cache's TTL to this many seconds on use. */
  cacheResetTtlSeconds: z.number().int().positive().optional(),
  /** Continue answers cut at `max_tokens` with partial mode; `true` uses the defaults. */
  autoContinue: z.union([z.boolean(), autoContinueSchema]).optional(),
  top_p: z.number().min(0).max(1).optional(),
  n: z.number().int().min(1).max(5).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  prompt_cache_key: z.string().min(1).optional(),
  safety_identifier: z.string().min(1).optional(),
});

/** Kimi-only request options, passed as `request.providerOptions.kimi`. */
export type KimiProviderOptions = z.infer<typeof kimiProviderOptionsSchema>;

/** Validates `providerOptions.kimi`; throws `InvalidRequestError` naming the bad field. */
export function parseKimiProviderOptions(raw: unknown): KimiProviderOptions {
  if (raw === undefined) return {};
  const parsed = kimiProviderOptionsSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((issue) => {
      const path = ['providerOptions', 'kimi', ...issue.path.map(String)].join('.');
      return issue.code === 'unrecognized_keys'
        ? `${path}: unknown option(s) ${issue.keys.join(', ')}`
        : `${path}: ${issue.message}`;
    })
    .join('; ');
  throw invalidRequest(
    `Invalid providerOptions.kimi (${problems}). Known options: ${Object.keys(kimiProviderOptionsSchema.shape).join(', ')}.`,
  );
}
