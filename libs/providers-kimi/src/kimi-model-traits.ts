/** What exai must know about a Kimi model id to build a valid request (provider-wire.md §2.2, §2.4). */
export interface KimiModelTraits {
  /** The model always reasons (`kimi-k2-thinking*`, `kimi-thinking-preview`); it returns `reasoning_content`. */
  alwaysThinks: boolean;
  /** The model takes the `thinking: { type }` switch (K2.5 and later only, §2.2). */
  acceptsThinkingSwitch: boolean;
  /** `tools` are accepted; `kimi-thinking-preview` takes none (§2.4, per LiteLLM). */
  supportsTools: boolean;
  /** The only temperature the vendor accepts (`kimi-k2-thinking*`: 1.0, §2.2). */
  fixedTemperature: number | undefined;
  /**
   * Assistant tool-call turns must carry `reasoning_content`, else the vendor answers 400
   * "thinking is enabled but reasoning_content is missing" (§2.4).
   */
  requiresReasoningOnToolTurns: boolean;
  /** Legacy `moonshot-v1-*` models: the only ones with explicit context caching (§2.8). */
  legacyMoonshot: boolean;
  /** Prompt plus `max_tokens` must fit this (§2.2, §3); undefined for ids exai does not know. */
  contextWindow: number | undefined;
}

/** Model-id families; unknown ids get the permissive defaults of a plain K2 model. */
export function kimiModelTraits(modelId: string): KimiModelTraits {
  const k2Thinking = modelId.startsWith('kimi-k2-thinking');
  const thinkingPreview = modelId.startsWith('kimi-thinking-preview');
  return {
    alwaysThinks: k2Thinking || thinkingPreview,
    acceptsThinkingSwitch: /^kimi-k(?:2\.\d|[3-9])/.test(modelId),
    supportsTools: !thinkingPreview,
    fixedTemperature: k2Thinking ? 1 : undefined,
    requiresReasoningOnToolTurns: k2Thinking,
    legacyMoonshot: modelId.startsWith('moonshot-v1'),
    contextWindow: contextWindowOf(modelId),
  };
}

/** Context windows of provider-wire.md §3 (kimi-thinking-preview's 128K is assumed there). */
function contextWindowOf(modelId: string): number | undefined {
  const moonshot = /^moonshot-v1-(8k|32k|128k|auto)\b/.exec(modelId)?.[1];
  if (moonshot) return { '8k': 8_192, '32k': 32_768, '128k': 131_072, auto: 131_072 }[moonshot];
  if (modelId.startsWith('kimi-k2-0711') || modelId.startsWith('kimi-thinking-preview')) return 131_072;
  if (/^kimi-k2-(0905|turbo|thinking)/.test(modelId)) return 262_144;
  return undefined;
}

/** A model to suggest when a thinking model cannot do what was asked (web search, tools). */
export const kimiNonThinkingSuggestion = 'kimi-k2-turbo-preview';
