import { randomUUID } from 'node:crypto';
import type { ToolCallRepository } from '../storage.js';
import type { NewToolCall, ToolCall, ToolCallFilter, ToolCallFinish } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, TOOL_CALL_COLUMNS, toToolCall } from './sql-rows.js';
import { isUuid, listLimit, optionalUuid } from './sql-validation.js';

/** One user's tool calls. Finishing a call that does not exist (or is not the caller's) changes nothing. */
export class SqlToolCalls implements ToolCallRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async start(call: NewToolCall): Promise<string> {
    const id = optionalUuid('id', call.id) ?? randomUUID();
    await this.#scope.query(
      `insert into public.tool_calls (id, user_id, session_id, tool, status, continuation_id, started_at)
       values ($1, $2, $3, $4, 'running', $5, coalesce($6::timestamptz, now()))
       on conflict (id) do nothing`,
      [id, this.#userId, call.sessionId ?? null, call.tool, call.continuationId ?? null, call.startedAt ?? null],
    );
    return id;
  }

  async finish(id: string, outcome: ToolCallFinish): Promise<void> {
    if (!isUuid(id)) return;
    await this.#scope.query(
      `update public.tool_calls set status = $2, duration_ms = coalesce($3, duration_ms), provider = coalesce($4, provider), model = coalesce($5, model),
              continuation_id = coalesce($6, continuation_id), error_code = $7, error_message = $8, finished_at = coalesce($9::timestamptz, now())
       where id = $1`,
      [
        id,
        outcome.status,
        outcome.durationMs === undefined ? null : Math.round(outcome.durationMs),
        outcome.provider ?? null,
        outcome.model ?? null,
        outcome.continuationId ?? null,
        outcome.errorCode ?? null,
        outcome.errorMessage ?? null,
        outcome.finishedAt ?? null,
      ],
    );
  }

  async list(filter: ToolCallFilter = {}): Promise<ToolCall[]> {
    const rows = await this.#scope.query<Row>(
      `select ${TOOL_CALL_COLUMNS} from public.tool_calls
       where user_id = $1 and ($2::text is null or tool = $2) and ($3::text is null or status = $3) and ($4::timestamptz is null or started_at >= $4)
       order by started_at desc, id desc limit $5`,
      [this.#userId, filter.tool ?? null, filter.status ?? null, filter.since ?? null, listLimit(filter.limit)],
    );
    return rows.map(toToolCall);
  }
}
