import type { RoutingDecisionRepository } from '../storage.js';
import type { NewRoutingDecision, RoutingDecisionRecord } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { ROUTING_DECISION_COLUMNS, type Row, toRoutingDecision } from './sql-rows.js';
import { jsonParam, listLimit, optionalUuid } from './sql-validation.js';

/** One user's routing decisions. */
export class SqlRoutingDecisions implements RoutingDecisionRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async append(decision: NewRoutingDecision): Promise<void> {
    await this.#scope.query(
      `insert into public.routing_decisions (id, user_id, tool_call_id, tool, mode, category, chosen_model, chain, reasons, rejected, estimated_cost_usd, created_at)
       values (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10::jsonb, $11, coalesce($12::timestamptz, now()))
       on conflict (id) do nothing`,
      [
        optionalUuid('id', decision.id) ?? null,
        this.#userId,
        optionalUuid('toolCallId', decision.toolCallId) ?? null,
        decision.tool ?? null,
        decision.mode,
        decision.category ?? null,
        decision.chosenModel,
        jsonParam(decision.chain ?? []),
        jsonParam(decision.reasons ?? []),
        jsonParam(decision.rejected ?? []),
        decision.estimatedCostUsd ?? null,
        decision.createdAt ?? null,
      ],
    );
  }

  async list(options: { since?: Date; limit?: number } = {}): Promise<RoutingDecisionRecord[]> {
    const rows = await this.#scope.query<Row>(
      `select ${ROUTING_DECISION_COLUMNS} from public.routing_decisions where user_id = $1 and ($2::timestamptz is null or created_at >= $2)
       order by created_at desc, id desc limit $3`,
      [this.#userId, options.since ?? null, listLimit(options.limit)],
    );
    return rows.map(toRoutingDecision);
  }
}
