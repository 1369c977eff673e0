import type { UsageRepository } from '../storage.js';
import type { NewUsageEvent, UsageEvent, UsageTotals } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, toUsageEvent, USAGE_COLUMNS } from './sql-rows.js';
import { listLimit, optionalUuid } from './sql-validation.js';

/** One user's token and cost records. */
export class SqlUsage implements UsageRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async append(event: NewUsageEvent): Promise<void> {
    await this.#scope.query(
      `insert into public.usage_events (id, user_id, provider, model, tool, continuation_id, input_tokens, cached_input_tokens,
                                        output_tokens, reasoning_tokens, total_tokens, web_search_calls, cost_usd, created_at)
       values (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, coalesce($14::timestamptz, now()))
       on conflict (id) do nothing`,
      [
        optionalUuid('id', event.id) ?? null,
        this.#userId,
        event.provider,
        event.model,
        event.tool ?? null,
        event.continuationId ?? null,
        event.usage.inputTokens,
        event.usage.cachedInputTokens,
        event.usage.outputTokens,
        event.usage.reasoningTokens,
        event.usage.totalTokens,
        event.webSearchCalls ?? 0,
        event.costUsd,
        event.createdAt ?? null,
      ],
    );
  }

  async list(options: { since?: Date; limit?: number } = {}): Promise<UsageEvent[]> {
    const rows = await this.#scope.query<Row>(
      `select ${USAGE_COLUMNS} from public.usage_events where user_id = $1 and ($2::timestamptz is null or created_at >= $2)
       order by created_at desc, id desc limit $3`,
      [this.#userId, options.since ?? null, listLimit(options.limit)],
    );
    return rows.map(toUsageEvent);
  }

  async totalsByDay(options: { since: Date; until?: Date }): Promise<UsageTotals[]> {
    // Grouped in SQL by the UTC calendar day, whatever the session's time zone.
    const rows = await this.#scope.query<Row>(
      `select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD') as day, count(*) as calls,
              coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,
              coalesce(sum(total_tokens), 0) as total_tokens, coalesce(sum(cost_usd), 0) as cost_usd
       from public.usage_events
       where user_id = $1 and created_at >= $2 and created_at < coalesce($3::timestamptz, now())
       group by 1 order by 1 desc`,
      [this.#userId, options.since, options.until ?? null],
    );
    return rows.map((row) => ({
      day: String(row.day),
      calls: Number(row.calls),
      inputTokens: Number(row.input_tokens),
      outputTokens: Number(row.output_tokens),
      totalTokens: Number(row.total_tokens),
      costUsd: Number(row.cost_usd),
    }));
  }
}
