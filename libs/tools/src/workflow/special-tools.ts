import type { AnyExaiTool } from '../tool-definition.js';
import { consensusTool } from './consensus/consensus-tool.js';
import { docgenTool } from './docgen/docgen-tool.js';
import { plannerTool } from './planner/planner-tool.js';
import { tracerTool } from './tracer/tracer-tool.js';

/** Workflow tools with their own shape: planner, consensus, docgen, tracer. */
export const specialWorkflowTools: AnyExaiTool[] = [plannerTool, consensusTool, docgenTool, tracerTool];
