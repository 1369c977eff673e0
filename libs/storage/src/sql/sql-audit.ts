import type { AuditRepository } from '../storage.js';
import type { AuditEntry, NewAuditEntry } from '../storage-records.js';
import type { SqlScope } from './sql-scope.js';
import { AUDIT_COLUMNS, type Row, toAuditEntry } from './sql-rows.js';
import { jsonParam, listLimit, optionalUuid } from './sql-validation.js';

/**
 * The append-only audit trail: a user scope writes and reads its own records; the service scope
 * (no `userId`) writes records about anyone (or no one) and reads them all.
 */
export class SqlAudit implements AuditRepository {
  readonly #scope: SqlScope;
  readonly #userId: string | undefined;

  constructor(scope: SqlScope, userId: string | undefined) {
    this.#scope = scope;
    this.#userId = userId;
  }

  async append(entry: NewAuditEntry): Promise<void> {
    const userId = this.#userId ?? optionalUuid('userId', entry.userId) ?? null;
    await this.#scope.query(
      `insert into public.audit_logs (id, user_id, action, resource, outcome, ip, details, created_at)
       values (coalesce($1::uuid, gen_random_uuid()), $2, $3, $4, $5, $6, $7::jsonb, coalesce($8::timestamptz, now()))
       on conflict (id) do nothing`,
      [
        optionalUuid('id', entry.id) ?? null,
        userId,
        entry.action,
        entry.resource ?? null,
        entry.outcome,
        entry.ip ?? null,
        jsonParam(entry.details ?? {}),
        entry.createdAt ?? null,
      ],
    );
  }

  async list(options: { action?: string; since?: Date; limit?: number } = {}): Promise<AuditEntry[]> {
    const rows = await this.#scope.query<Row>(
      `select ${AUDIT_COLUMNS} from public.audit_logs
       where ($1::uuid is null or user_id = $1) and ($2::text is null or action = $2) and ($3::timestamptz is null or created_at >= $3)
       order by created_at desc, id desc limit $4`,
      [this.#userId ?? null, options.action ?? null, options.since ?? null, listLimit(options.limit)],
    );
    return rows.map(toAuditEntry);
  }
}
