/** A GLM model as the simulator knows it (provider-wire.md §3). */
export interface GlmModel {
  /** Context window in tokens. */
  context: number;
  /** Largest `max_tokens`. */
  maxOutput: number;
  /** Accepts image/video/file parts. */
  vision: boolean;
}

const text = (context: number, maxOutput: number): GlmModel => ({ context, maxOutput, vision: false });

/** The GLM models served. */
export const glmModels: ReadonlyMap<string, GlmModel> = new Map([
  ['glm-4.6', text(204_800, 131_072)],
  ['glm-4.5', text(131_072, 98_304)],
  ['glm-4.5-air', text(131_072, 98_304)],
  ['glm-4.5-x', text(131_072, 98_304)],
  ['glm-4.5-airx', text(131_072, 98_304)],
  ['glm-4.5-flash', text(131_072, 98_304)],
  ['glm-4.5v', { context: 65_536, maxOutput: 16_384, vision: true }],
]);
