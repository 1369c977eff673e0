import type { SessionRepository } from '../storage.js';
import type { NewSession, SessionRecord } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { type Row, SESSION_COLUMNS, toSession } from './sql-rows.js';
import { listLimit } from './sql-validation.js';

/** One user's MCP sessions. Opening one twice keeps the first; touching an unknown one changes nothing. */
export class SqlSessions implements SessionRepository {
  readonly #scope: SqlScope;
  readonly #userId: string;

  constructor(scope: SqlScope, userId: string) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async open(session: NewSession): Promise<void> {
    await this.#scope.query(
      `insert into public.sessions (id, user_id, transport, client_name, client_version, ip, replica) values ($1, $2, $3, $4, $5, $6, $7)
       on conflict (id) do nothing`,
      [session.id, this.#userId, session.transport, session.clientName ?? null, session.clientVersion ?? null, session.ip ?? null, session.replica ?? null],
    );
  }

  async seen(sessionId: string, at?: Date): Promise<void> {
    await this.#scope.query('update public.sessions set last_seen_at = greatest(last_seen_at, coalesce($2::timestamptz, now())) where id = $1', [
      sessionId,
      at ?? null,
    ]);
  }

  async close(sessionId: string, at?: Date): Promise<void> {
    await this.#scope.query(
      `update public.sessions set ended_at = coalesce(ended_at, coalesce($2::timestamptz, now())),
              last_seen_at = greatest(last_seen_at, coalesce($2::timestamptz, now()))
       where id = $1`,
      [sessionId, at ?? null],
    );
  }

  async list(options: { open?: boolean; limit?: number } = {}): Promise<SessionRecord[]> {
    const rows = await this.#scope.query<Row>(
      `select ${SESSION_COLUMNS} from public.sessions
       where user_id = $1 and ($2::boolean is null or (ended_at is null) = $2)
       order by last_seen_at desc, id desc limit $3`,
      [this.#userId, options.open ?? null, listLimit(options.limit)],
    );
    return rows.map(toSession);
  }
}
