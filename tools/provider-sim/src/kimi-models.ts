/** A Kimi model as the simulator knows it (provider-wire.md §2.2, §2.4, §3). */
export interface KimiModel {
  /** Context window in tokens (prompt + max_tokens must fit). */
  context: number;
  /** Returns `reasoning_content` (unless `thinking: {type: "disabled"}`). */
  thinking: boolean;
  /** K2 thinking models: only temperature 1, and `reasoning_content` required on tool-call turns. */
  k2Thinking: boolean;
  /** Accepts image and video parts. */
  vision: boolean;
  /** Accepts `tools` (kimi-thinking-preview does not). */
  tools: boolean;
  /** Legacy context caching (`POST /caching`, `role: "cache"`) applies: moonshot-v1 only (§2.8). */
  contextCaching: boolean;
  /** Default temperature (moonshot-v1 0.0, K2 0.6, K2 thinking 1.0). */
  defaultTemperature: number;
  /** `created` in `GET /models`. */
  created: number;
}

const base: KimiModel = {
  context: 262_144,
  thinking: false,
  k2Thinking: false,
  vision: false,
  tools: true,
  contextCaching: false,
  defaultTemperature: 0.6,
  created: 1_757_000_000,
};
const k2 = (context: number): KimiModel => ({ ...base, context });
const k2Thinking: KimiModel = { ...base, thinking: true, k2Thinking: true, defaultTemperature: 1 };
const moonshot = (context: number, vision: boolean): KimiModel => ({
  ...base,
  context,
  vision,
  contextCaching: true,
  defaultTemperature: 0,
  created: 1_711_000_000,
});

/** The Kimi models served. */
export const kimiModels: ReadonlyMap<string, KimiModel> = new Map([
  ['kimi-k2-0905-preview', k2(262_144)],
  ['kimi-k2-turbo-preview', k2(262_144)],
  ['kimi-k2-0711-preview', k2(131_072)],
  ['kimi-k2-thinking', k2Thinking],
  ['kimi-k2-thinking-turbo', k2Thinking],
  // Multimodal reasoning without tools; 128K context is assumed (§2.4, §6).
  ['kimi-thinking-preview', { ...base, context: 131_072, thinking: true, vision: true, tools: false, defaultTemperature: 1 }],
  ['moonshot-v1-8k', moonshot(8_192, false)],
  ['moonshot-v1-32k', moonshot(32_768, false)],
  ['moonshot-v1-128k', moonshot(131_072, false)],
  ['moonshot-v1-auto', moonshot(131_072, false)],
  ['moonshot-v1-8k-vision-preview', moonshot(8_192, true)],
  ['moonshot-v1-32k-vision-preview', moonshot(32_768, true)],
  ['moonshot-v1-128k-vision-preview', moonshot(131_072, true)],
]);
