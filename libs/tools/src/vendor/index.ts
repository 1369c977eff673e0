import type { AnyExaiTool } from '../tool-definition.js';

/** The GLM, Kimi and cross-provider tools, in `tools/list` order. */
export const vendorTools: AnyExaiTool[] = [];
