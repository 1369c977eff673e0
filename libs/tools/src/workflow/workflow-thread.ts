import { loadContinuation, recordExchange } from '../conversation/thread-turns.js';
import type { ToolDependencies } from '../tool-definition.js';

/** Starts the conversation thread a new workflow runs in; its id is the workflow's `continuation_id`. */
export function startThread(deps: ToolDependencies, tool: string): Promise<string> {
  return deps.conversations.create(tool);
}

/**
 * Checks that a `continuation_id` given at step 1 names a live thread (from chat or another tool)
 * with room for the workflow's outcome; throws the conversation's own `continuation_id` errors.
 */
export async function requireThread(deps: ToolDependencies, continuationId: string): Promise<void> {
  await loadContinuation(deps, continuationId);
}

/** The workflow's outcome as one exchange of its thread. */
export interface WorkflowTurn {
  continuationId: string;
  tool: string;
  /** The request and the findings, as the agent's turn. */
  user: string;
  /** The expert's analysis, or the local summary. */
  assistant: string;
  /** Files the expert saw (real paths), replayed when the thread continues in chat or another tool. */
  files: readonly string[];
  /** The expert model and its provider; absent when no model answered. */
  model?: { id: string; provider: string };
}

/** Records the outcome so chat and the other tools can go on from it with the same continuation id. */
export async function recordWorkflowTurn(deps: ToolDependencies, turn: WorkflowTurn): Promise<void> {
  if (turn.model) {
    await recordExchange(deps, { continuationId: turn.continuationId, tool: turn.tool, userText: turn.user, files: turn.files, answer: turn.assistant, model: turn.model.id, provider: turn.model.provider });
    return;
  }
  // No model answered: the agent's own conclusion is the assistant turn, attributed to no model.
  const at = (deps.now?.() ?? new Date()).getTime();
  await deps.conversations.append(turn.continuationId, { role: 'user', content: turn.user, tool: turn.tool, at }, { role: 'assistant', content: turn.assistant, tool: turn.tool, at });
}
