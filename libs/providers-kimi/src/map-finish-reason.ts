import type { FinishReason } from '@exai/router/spec';

/** Maps Kimi's `finish_reason` (OpenAI names, provider-wire.md §2.3) to exai's, keeping the raw value. */
export function mapFinishReason(raw: string | null | undefined): FinishReason {
  const value = raw ?? undefined;
  switch (value) {
    case 'stop':
      return { unified: 'stop', raw: value };
    case 'length':
      return { unified: 'length', raw: value };
    case 'tool_calls':
      return { unified: 'tool-calls', raw: value };
    case 'content_filter':
      return { unified: 'content-filter', raw: value };
    default:
      return { unified: 'other', raw: value };
  }
}
