import { ExaiError } from '@exai/router/spec';
import type { WorkflowStateRepository } from '../storage.js';
import { InvalidStorageInputError } from '../storage-errors.js';
import type { WorkflowState, WorkflowStateInput } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, toWorkflowState, WORKFLOW_COLUMNS } from './sql-rows.js';
import { jsonParam } from './sql-validation.js';

/** One user's workflow states, one per continuation id and tool. */
export class SqlWorkflows implements WorkflowStateRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async get(continuationId: string, tool: string): Promise<WorkflowState | undefined> {
    const [row] = await this.#scope.query<Row>(`select ${WORKFLOW_COLUMNS} from public.workflow_states where continuation_id = $1 and tool = $2`, [
      continuationId,
      tool,
    ]);
    return row === undefined ? undefined : toWorkflowState(row);
  }

  async put(continuationId: string, tool: string, state: WorkflowStateInput): Promise<WorkflowState> {
    try {
      const [row] = await this.#scope.query<Row>(
        `insert into public.workflow_states (continuation_id, tool, owner_id, step_number, total_steps, state, expires_at, updated_at)
         values ($1, $2, $3, $4, $5, $6::jsonb, $7, now())
         on conflict (continuation_id, tool) do update set
           step_number = excluded.step_number, total_steps = excluded.total_steps, state = excluded.state,
           expires_at = excluded.expires_at, updated_at = now()
         returning ${WORKFLOW_COLUMNS}`,
        [continuationId, tool, this.#userId, state.stepNumber, state.totalSteps ?? null, jsonParam(state.state), state.expiresAt ?? null],
      );
      if (row === undefined) throw new Error('workflow state upsert returned no row');
      return toWorkflowState(row);
    } catch (error) {
      // The key exists but row-level security hides it: another user's workflow.
      if (ExaiError.isInstance(error) && error.code === 'invalid_storage_input' && (error as InvalidStorageInputError).field === 'workflow_states') {
        throw new InvalidStorageInputError({ field: 'continuationId', message: `${JSON.stringify(continuationId)} holds another user's ${tool} workflow.` });
      }
      throw error;
    }
  }

  async delete(continuationId: string, tool: string): Promise<boolean> {
    const rows = await this.#scope.query('delete from public.workflow_states where continuation_id = $1 and tool = $2 returning tool', [continuationId, tool]);
    return rows.length > 0;
  }
}
