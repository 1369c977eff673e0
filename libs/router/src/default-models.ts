import type { ModelCapabilities, ModelInfo, ModelPrices, TemperatureRange } from '@exai/router/spec';

// Figures come from provider-wire.md §3 (USD per million tokens) and §1.2/§2.2 (temperatures).
// Items marked [unverified] are assumptions listed in provider-wire.md §6 or not documented at all;
// EXAI_MODELS_FILE can correct any of them without a release.

/** GLM's in-chat `web_search` tool costs $0.01 per search (§1.6). */
const GLM_WEB_SEARCH_USD = 0.01;
/** Kimi's `$web_search` builtin costs $0.005 per search (§2.5). */
const KIMI_WEB_SEARCH_USD = 0.005;

const glmPrices = (input: number, cachedInput: number, output: number): ModelPrices => ({
  inputPerMillion: input,
  cachedInputPerMillion: cachedInput,
  outputPerMillion: output,
  perWebSearch: GLM_WEB_SEARCH_USD,
});

const kimiPrices = (input: number, cachedInput: number, output: number): ModelPrices => ({
  inputPerMillion: input,
  cachedInputPerMillion: cachedInput,
  outputPerMillion: output,
  perWebSearch: KIMI_WEB_SEARCH_USD,
});

const temperature = (defaultValue: number): TemperatureRange => ({ min: 0, max: 1, default: defaultValue });
/** Kimi's thinking models reject any temperature but 1.0 (§2.2, §4.8). */
const fixedTemperature = (value: number): TemperatureRange => ({ min: value, max: value, default: value, fixed: value });

/** GLM text models: hybrid thinking, function tools, in-chat web search, JSON mode (§1.2, §1.6). */
const glmText: ModelCapabilities = {
  thinking: 'hybrid',
  vision: false,
  tools: true,
  webSearch: true,
  files: false,
  streaming: true,
  jsonMode: true,
  partialMode: false,
};

/** K2 models: tools, JSON mode, partial mode, web search; no vision (§3 "K2 vision"); files via file-extract (§2.6). */
const kimiK2: ModelCapabilities = {
  thinking: 'none',
  vision: false,
  tools: true,
  webSearch: true,
  files: true,
  streaming: true,
  jsonMode: true,
  partialMode: true,
};

/**
 * K2 thinking models always think. `$web_search` needs thinking disabled (§2.5), which these models
 * cannot do, so web search is off [unverified].
 */
const kimiK2Thinking: ModelCapabilities = { ...kimiK2, thinking: 'always', webSearch: false };

/** moonshot-v1: tools, JSON mode, web search, files; partial mode is documented for K2 only (§2.4). */
const moonshotV1: ModelCapabilities = { ...kimiK2, partialMode: false };

/** moonshot-v1 vision previews: images; tools, JSON mode and web search with images [unverified]. */
const moonshotV1Vision: ModelCapabilities = { ...moonshotV1, vision: true, webSearch: false, jsonMode: false };

/**
 * Kimi documents no output cap separate from the context window (§3: output is bounded by context minus
 * prompt, and prompt + max_tokens over the window is a 400). These caps [unverified] keep a defaulted
 * max_tokens well inside the window; raise them with EXAI_MODELS_FILE if needed.
 */
const KIMI_OUTPUT_CAP = 32_768;
const KIMI_THINKING_OUTPUT_CAP = 65_536;

/** Every model exai knows out of the box: provider-wire.md §3. */
export const defaultModels: readonly ModelInfo[] = [
  // GLM (Z.ai). Context and output: §3; temperature defaults: §1.2.
  {
    id: 'glm-4.6',
    provider: 'glm',
    aliases: ['glm-latest'],
    contextWindow: 204_800,
    maxOutputTokens: 131_072,
    prices: glmPrices(0.6, 0.11, 2.2),
    capabilities: glmText,
    temperature: temperature(1.0),
    qualityTier: 'deep',
    description: "Z.ai's flagship: 200K context, hybrid thinking, strongest GLM for coding and agentic work.",
  },
  {
    id: 'glm-4.5',
    provider: 'glm',
    aliases: [],
    contextWindow: 131_072,
    maxOutputTokens: 98_304,
    prices: glmPrices(0.6, 0.11, 2.2),
    capabilities: glmText,
    temperature: temperature(0.6),
    qualityTier: 'balanced',
    description: 'GLM-4.5: 128K context, hybrid thinking, solid general reasoning and tool use.',
  },
  {
    id: 'glm-4.5-x',
    provider: 'glm',
    aliases: ['glm-x'],
    contextWindow: 131_072,
    maxOutputTokens: 98_304,
    prices: glmPrices(2.2, 0.45, 8.9),
    capabilities: glmText,
    temperature: temperature(0.6),
    qualityTier: 'balanced',
    description: 'GLM-4.5 on faster serving; same quality, several times the price.',
  },
  {
    id: 'glm-4.5-air',
    provider: 'glm',
    aliases: ['glm-air'],
    contextWindow: 131_072,
    maxOutputTokens: 98_304,
    prices: glmPrices(0.2, 0.03, 1.1),
    capabilities: glmText,
    temperature: temperature(0.6),
    qualityTier: 'fast',
    description: 'GLM-4.5-Air: lighter and cheap, 128K context, hybrid thinking.',
  },
  {
    id: 'glm-4.5-airx',
    provider: 'glm',
    aliases: ['glm-airx'],
    contextWindow: 131_072,
    maxOutputTokens: 98_304,
    prices: glmPrices(1.1, 0.22, 4.5),
    capabilities: glmText,
    temperature: temperature(0.6),
    qualityTier: 'fast',
    description: 'GLM-4.5-Air on faster serving.',
  },
  {
    id: 'glm-4.5-flash',
    provider: 'glm',
    aliases: ['glm-flash', 'flash'],
    contextWindow: 131_072,
    maxOutputTokens: 98_304,
    prices: glmPrices(0, 0, 0),
    capabilities: glmText,
    temperature: temperature(0.6),
    qualityTier: 'fast',
    description: 'GLM-4.5-Flash: free and rate-limited; quick answers and light tasks.',
  },
  {
    id: 'glm-4.5v',
    provider: 'glm',
    aliases: ['glm-vision'],
    contextWindow: 65_536,
    maxOutputTokens: 16_384,
    prices: glmPrices(0.6, 0.11, 1.8),
    // Thinking can be switched off; when on, 4.5V always thinks (§1.2), so it is switchable: hybrid.
    // Tools [unverified]; web search and JSON mode with images [unverified], so off.
    capabilities: { ...glmText, vision: true, webSearch: false, jsonMode: false },
    temperature: temperature(0.8),
    qualityTier: 'balanced',
    description: 'GLM-4.5V: vision (images, video), 64K context, thinks when thinking is on.',
  },

  // Kimi (Moonshot). Prices: §3 (USD, cache hit / miss / output); temperature defaults: §2.2.
  {
    id: 'kimi-k2-0905-preview',
    provider: 'kimi',
    aliases: ['kimi-k2', 'kimi-k2-0905', 'kimi'],
    contextWindow: 262_144,
    maxOutputTokens: KIMI_OUTPUT_CAP,
    prices: kimiPrices(0.6, 0.15, 2.5),
    capabilities: kimiK2,
    temperature: temperature(0.6),
    qualityTier: 'balanced',
    description: 'Kimi K2 (0905): 256K context, strong coding and tool use, no thinking.',
  },
  {
    id: 'kimi-k2-turbo-preview',
    provider: 'kimi',
    aliases: ['kimi-k2-turbo', 'kimi-turbo'],
    contextWindow: 262_144,
    maxOutputTokens: KIMI_OUTPUT_CAP,
    prices: kimiPrices(1.15, 0.15, 8.0),
    capabilities: kimiK2,
    temperature: temperature(0.6),
    qualityTier: 'fast',
    description: 'Kimi K2 Turbo: K2 at 60–100 tokens/s, 256K context.',
  },
  {
    id: 'kimi-k2-0711-preview',
    provider: 'kimi',
    aliases: ['kimi-k2-0711'],
    contextWindow: 131_072,
    maxOutputTokens: KIMI_OUTPUT_CAP,
    prices: kimiPrices(0.6, 0.15, 2.5),
    capabilities: kimiK2,
    temperature: temperature(0.6),
    qualityTier: 'balanced',
    description: 'Kimi K2 (0711): the first K2 release, 128K context.',
  },
  {
    id: 'kimi-k2-thinking',
    provider: 'kimi',
    aliases: ['kimi-thinking'],
    contextWindow: 262_144,
    maxOutputTokens: KIMI_THINKING_OUTPUT_CAP,
    prices: kimiPrices(0.6, 0.15, 2.5),
    capabilities: kimiK2Thinking,
    temperature: fixedTemperature(1.0),
    qualityTier: 'deep',
    description: 'Kimi K2 Thinking: always reasons before answering, 256K context, long tool-using chains.',
  },
  {
    id: 'kimi-k2-thinking-turbo',
    provider: 'kimi',
    aliases: ['kimi-thinking-turbo'],
    contextWindow: 262_144,
    maxOutputTokens: KIMI_THINKING_OUTPUT_CAP,
    prices: kimiPrices(1.15, 0.15, 8.0),
    capabilities: kimiK2Thinking,
    temperature: fixedTemperature(1.0),
    qualityTier: 'deep',
    description: 'Kimi K2 Thinking on faster serving.',
  },
  {
    id: 'kimi-thinking-preview',
    provider: 'kimi',
    aliases: [],
    // [unverified] context 128K (§2.4, §6). Price is not published in the reference: a deliberately
    // high placeholder (the ¥200/M reported at launch) so cost estimates err high and automatic routing
    // prefers verified models. Temperature default [unverified].
    contextWindow: 131_072,
    maxOutputTokens: KIMI_OUTPUT_CAP,
    prices: kimiPrices(27.5, 27.5, 27.5),
    // Multimodal reasoning, no tools (§2.4 per LiteLLM).
    capabilities: { ...moonshotV1Vision, thinking: 'always', tools: false },
    temperature: temperature(1.0),
    qualityTier: 'deep',
    description: 'Kimi thinking preview: multimodal reasoning, no tools (price and context unverified).',
  },
  // moonshot-v1: prices [3p] per §3; no automatic prompt cache (§2.8), so cached input costs full price.
  ...(
    [
      ['8k', 8_192, 8_192, 0.2, 2.0, 'fast'],
      ['32k', 32_768, 16_384, 1.0, 3.0, 'balanced'],
      ['128k', 131_072, KIMI_OUTPUT_CAP, 2.0, 5.0, 'balanced'],
    ] as const
  ).flatMap(([size, contextWindow, maxOutputTokens, input, output, qualityTier]): ModelInfo[] => [
    {
      id: `moonshot-v1-${size}`,
      provider: 'kimi',
      aliases: [`moonshot-${size}`],
      contextWindow,
      maxOutputTokens,
      prices: kimiPrices(input, input, output),
      capabilities: moonshotV1,
      temperature: temperature(0.0),
      qualityTier,
      description: `Moonshot v1 with a ${size.toUpperCase()} context window: older, text only.`,
    },
    {
      id: `moonshot-v1-${size}-vision-preview`,
      provider: 'kimi',
      aliases: [`moonshot-${size}-vision`],
      contextWindow,
      maxOutputTokens,
      prices: kimiPrices(input, input, output),
      capabilities: moonshotV1Vision,
      temperature: temperature(0.0),
      qualityTier,
      description: `Moonshot v1 vision preview with a ${size.toUpperCase()} context window: reads images.`,
    },
  ]),
];
