import type { AnyExaiTool } from '../tool-definition.js';
import { activityTool } from './activity-tool.js';
import { challengeTool } from './challenge-tool.js';
import { listModelsTool } from './listmodels-tool.js';
import { providerCapabilitiesTool } from './provider-capabilities-tool.js';
import { statusTool } from './status-tool.js';
import { threadsTool } from './threads-tool.js';
import { versionTool } from './version-tool.js';

/** The simple tools (one request, at most one model call), in `tools/list` order. */
export const simpleTools: AnyExaiTool[] = [challengeTool, listModelsTool, versionTool, statusTool, activityTool, threadsTool, providerCapabilitiesTool];

export { activityTool, challengeTool, listModelsTool, providerCapabilitiesTool, statusTool, threadsTool, versionTool };
