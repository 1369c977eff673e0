import type { AnyExaiTool } from '../tool-definition.js';

/** Workflow tools that end with an expert model's analysis: thinkdeep, debug, codereview, precommit, analyze, refactor, secaudit, testgen. */
export const expertWorkflowTools: AnyExaiTool[] = [];
