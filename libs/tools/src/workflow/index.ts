import type { AnyExaiTool } from '../tool-definition.js';
import { expertWorkflowTools } from './expert-tools.js';
import { specialWorkflowTools } from './special-tools.js';

/** The multi-step workflow tools, in `tools/list` order. */
export const workflowTools: AnyExaiTool[] = [...expertWorkflowTools, ...specialWorkflowTools];
