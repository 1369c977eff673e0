import type { WorkflowStateRepository } from '../storage.js';
import type { WorkflowState, WorkflowStateInput } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import { copy, type MemoryStore } from './memory-store.js';

/** The primary key of `workflow_states`. */
export const workflowKey = (continuationId: string, tool: string): string => `${continuationId}\0${tool}`;

/** Workflow states of one owner in a {@link MemoryStore}, one per continuation id and tool. */
export function createMemoryWorkflows(store: MemoryStore, ownerId: string): WorkflowStateRepository {
  const own = (continuationId: string, tool: string): WorkflowState | undefined => {
    const row = store.workflows.get(workflowKey(continuationId, tool));
    return row?.ownerId === ownerId ? row : undefined;
  };

  return {
    async get(continuationId: string, tool: string): Promise<WorkflowState | undefined> {
      const row = own(continuationId, tool);
      return row && copy(row);
    },

    async put(continuationId: string, tool: string, input: WorkflowStateInput): Promise<WorkflowState> {
      const existing = store.workflows.get(workflowKey(continuationId, tool));
      if (existing && existing.ownerId !== ownerId) throw new InvalidStorageInputError({ field: 'continuationId', message: 'already has a workflow state of another user' });
      const row: WorkflowState = {
        continuationId,
        tool,
        ownerId,
        stepNumber: input.stepNumber,
        totalSteps: input.totalSteps,
        state: copy(input.state),
        expiresAt: input.expiresAt === undefined ? undefined : new Date(input.expiresAt),
        updatedAt: new Date(),
      };
      store.workflows.set(workflowKey(continuationId, tool), row);
      return copy(row);
    },

    async delete(continuationId: string, tool: string): Promise<boolean> {
      if (!own(continuationId, tool)) return false;
      store.workflows.delete(workflowKey(continuationId, tool));
      return true;
    },
  };
}
