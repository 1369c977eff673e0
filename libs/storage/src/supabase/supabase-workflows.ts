import type { WorkflowStateRepository } from '../storage.js';
import type { WorkflowState, WorkflowStateInput } from '../storage-records.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import type { UserScope } from './supabase-gateway.js';
import { WORKFLOW_COLUMNS, toWorkflowState, type WorkflowRow } from './supabase-rows.js';
import { requireText } from './supabase-validation.js';

const operation = (name: string): string => `workflows.${name}`;

/**
 * One user's workflow states. The key `(continuation_id, tool)` does not include the owner, so a
 * put is an owner-filtered update first and an insert that ignores a duplicate second, never an
 * upsert that merges: under the service key a merge would overwrite another user's state.
 */
export function createSupabaseWorkflows({ db, ownerId }: UserScope): WorkflowStateRepository {
  const states = () => db.client.from('workflow_states');

  return {
    async get(continuationId: string, tool: string): Promise<WorkflowState | undefined> {
      const [row] = await db.rows<WorkflowRow>(
        operation('get'),
        states().select(WORKFLOW_COLUMNS).eq('continuation_id', continuationId).eq('tool', tool).eq('owner_id', ownerId).limit(1),
      );
      return row && toWorkflowState(row);
    },

    async put(continuationId: string, tool: string, input: WorkflowStateInput): Promise<WorkflowState> {
      requireText(continuationId, 'continuationId');
      requireText(tool, 'tool');
      const values = {
        step_number: input.stepNumber,
        total_steps: input.totalSteps ?? null,
        state: input.state,
        expires_at: input.expiresAt?.toISOString() ?? null,
        updated_at: new Date().toISOString(),
      };
      const update = async (): Promise<WorkflowRow | undefined> =>
        (
          await db.rows<WorkflowRow>(
            operation('put'),
            states().update(values).eq('continuation_id', continuationId).eq('tool', tool).eq('owner_id', ownerId).select(WORKFLOW_COLUMNS),
          )
        )[0];
      const updated = await update();
      if (updated) return toWorkflowState(updated);
      const [inserted] = await db.rows<WorkflowRow>(
        operation('put'),
        states()
          .upsert({ continuation_id: continuationId, tool, owner_id: ownerId, ...values }, { onConflict: 'continuation_id,tool', ignoreDuplicates: true })
          .select(WORKFLOW_COLUMNS),
      );
      if (inserted) return toWorkflowState(inserted);
      // Another put of this state inserted it between the two requests: update that row.
      const raced = await update();
      if (raced) return toWorkflowState(raced);
      throw new InvalidStorageInputError({ field: 'continuationId', message: `already has ${tool} state of another user` });
    },

    async delete(continuationId: string, tool: string): Promise<boolean> {
      const deleted = await db.rows(operation('delete'), states().delete().eq('continuation_id', continuationId).eq('tool', tool).eq('owner_id', ownerId).select('tool'));
      return deleted.length > 0;
    },
  };
}
