import type { AnyExaiTool } from '../tool-definition.js';
import { listModelsTool } from './listmodels-tool.js';
import { versionTool } from './version-tool.js';

/** The simple tools (one request, at most one model call), in `tools/list` order. */
export const simpleTools: AnyExaiTool[] = [listModelsTool, versionTool];
