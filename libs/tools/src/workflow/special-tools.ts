import type { AnyExaiTool } from '../tool-definition.js';

/** Workflow tools with their own shape: planner, consensus, docgen, tracer. */
export const specialWorkflowTools: AnyExaiTool[] = [];
