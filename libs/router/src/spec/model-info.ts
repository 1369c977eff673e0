/** How a model thinks: never, when asked (hybrid: the model may decide), or always. */
export type ThinkingSupport = 'none' | 'hybrid' | 'always';

/** The quality a task needs; the router picks the cheapest model of the tier a task asks for. */
export type QualityTier = 'fast' | 'balanced' | 'deep';

/** Prices in USD. Token prices are per million tokens. */
export interface ModelPrices {
  inputPerMillion: number;
  cachedInputPerMillion: number;
  outputPerMillion: number;
  /** Price of one web search call made by the model (GLM `web_search` tool, Kimi `$web_search`). */
  perWebSearch: number;
}

/** What a model can do. */
export interface ModelCapabilities {
  thinking: ThinkingSupport;
  vision: boolean;
  /** Function tools (`tools` with `type: "function"`). */
  tools: boolean;
  /** Web search inside chat (GLM's `web_search` tool, Kimi's `$web_search` builtin). */
  webSearch: boolean;
  /** Questions over uploaded files (Kimi file extraction). */
  files: boolean;
  streaming: boolean;
  /** `response_format: { type: "json_object" }`. */
  jsonMode: boolean;
  /** Kimi partial mode (assistant prefix). */
  partialMode: boolean;
}

/** Temperature range the vendor accepts for this model, and its default. */
export interface TemperatureRange {
  min: number;
  max: number;
  default: number;
  /** When set, the vendor accepts only this value (some thinking models). */
  fixed?: number;
}

/** Everything exai knows about one model. */
export interface ModelInfo {
  /** The vendor's model id, sent on the wire (`glm-4.6`, `kimi-k2-0905-preview`). */
  id: string;
  /** Provider id: `glm` or `kimi`. */
  provider: string;
  /** Other names that resolve to this model. */
  aliases: string[];
  /** Context window in tokens (prompt plus output). */
  contextWindow: number;
  /** Largest `max_tokens` the vendor accepts. */
  maxOutputTokens: number;
  prices: ModelPrices;
  capabilities: ModelCapabilities;
  temperature: TemperatureRange;
  qualityTier: QualityTier;
  /** One line for `listmodels`. */
  description: string;
}
