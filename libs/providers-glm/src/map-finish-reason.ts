import type { FinishReason } from '@exai/router/spec';

/**
 * Maps GLM's `finish_reason` (`stop | tool_calls | length | sensitive | network_error`,
 * provider-wire.md §1.3) to exai's reason, keeping the raw value.
 */
export function mapGlmFinishReason(raw: string | null | undefined): FinishReason {
  const value = raw ?? undefined;
  switch (value) {
    case 'stop':
      return { unified: 'stop', raw: value };
    case 'length':
      return { unified: 'length', raw: value };
    case 'tool_calls':
      return { unified: 'tool-calls', raw: value };
    case 'sensitive':
      return { unified: 'content-filter', raw: value };
    case 'network_error':
      return { unified: 'error', raw: value };
    default:
      return { unified: 'other', raw: value };
  }
}
