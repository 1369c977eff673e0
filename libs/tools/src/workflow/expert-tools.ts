import type { AnyExaiTool } from '../tool-definition.js';
import { analyzeTool } from './analyze-tool.js';
import { codereviewTool } from './codereview-tool.js';
import { debugTool } from './debug-tool.js';
import { precommitTool } from './precommit-tool.js';
import { refactorTool } from './refactor-tool.js';
import { secauditTool } from './secaudit-tool.js';
import { testgenTool } from './testgen-tool.js';
import { thinkdeepTool } from './thinkdeep-tool.js';

/** Workflow tools that end with an expert model's analysis: thinkdeep, debug, codereview, precommit, analyze, refactor, secaudit, testgen. */
export const expertWorkflowTools: AnyExaiTool[] = [thinkdeepTool, debugTool, codereviewTool, precommitTool, analyzeTool, refactorTool, secauditTool, testgenTool];
