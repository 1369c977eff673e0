import { ProviderUnavailableError } from '@exai/router/spec';
import type { z } from 'zod';

/**
 * Validates an untrusted vendor response at the edge. A response of the wrong shape is the
 * vendor's fault (`unexpected_output`), so it is reported as a retryable `ProviderUnavailableError`.
 */
export function parseWire<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const detail = issue ? ` (${issue.path.join('.') || 'body'}: ${issue.message})` : '';
  throw new ProviderUnavailableError({
    message: `Kimi returned a ${what} response exai cannot read${detail}. Retry later; if it persists, the API may have changed.`,
    provider: 'kimi',
    vendorCode: 'unexpected_output',
  });
}

/** `JSON.parse` for untrusted text, failing like `parseWire` on malformed JSON. */
export function parseJsonText(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ProviderUnavailableError({
      message: `Kimi returned a ${what} response that is not JSON (${text.slice(0, 80)}). Retry later.`,
      provider: 'kimi',
      vendorCode: 'unexpected_output',
      cause: error,
    });
  }
}
