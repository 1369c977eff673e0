import type { RequestFeatures } from './request-features.js';
import type { ClassifiedBy, RoutingTask, TaskCategory } from './routing-decision.js';

/** A task's category and why. */
export interface TaskClassification {
  category: TaskCategory;
  classifiedBy: ClassifiedBy;
  reasons: string[];
}

/** Input above this many tokens is long enough to want a balanced model. */
export const LONG_INPUT_TOKENS = 32_000;

// Tool names of the original's workflow tools (original-system.md §1): the ones that reason step by
// step want deep models, the document-producing ones balanced models.
const deepTools = /thinkdeep|debug|codereview|secaudit|precommit|consensus|planner|refactor|tracer/i;
const balancedTools = /analy[sz]e|testgen|docgen/i;

/**
 * The rules: the task's own category if it gives one; otherwise thinking level high or max → deep, a
 * reasoning workflow tool → deep, thinking on, files, a document tool or a long input → balanced,
 * anything else → fast.
 */
export function classifyByRules(task: RoutingTask | undefined, features: RequestFeatures): TaskClassification {
  if (task?.category) return { category: task.category, classifiedBy: 'task', reasons: [`category ${task.category} given by the task`] };
  const { needs } = features;
  const tool = task?.tool;
  const rule = (category: TaskCategory, reason: string): TaskClassification => ({ category, classifiedBy: 'rules', reasons: [reason] });
  if (needs.thinkingLevel === 'high' || needs.thinkingLevel === 'max') return rule('deep', `thinking level ${needs.thinkingLevel} asks for deep reasoning`);
  if (tool !== undefined && deepTools.test(tool)) return rule('deep', `tool ${tool} reasons step by step`);
  if (needs.thinking === 'on') return rule('balanced', 'thinking is requested');
  if (needs.files > 0) return rule('balanced', `${needs.files} uploaded file(s) to read`);
  if (tool !== undefined && balancedTools.test(tool)) return rule('balanced', `tool ${tool} produces a document`);
  if (features.inputTokens > LONG_INPUT_TOKENS) return rule('balanced', `long input (about ${features.inputTokens.toLocaleString('en-US')} tokens)`);
  return rule('fast', 'a short request with no special needs');
}
