import { ExaiError } from '@exai/router/spec';
import type { StorageUnavailableError } from '../storage-errors.js';
import { mapSqlError } from './map-sql-error.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';
import type { SqlHealth } from './sql-health.js';
import { sqlLiteral } from './sql-literal.js';
import { requireUuid } from './sql-validation.js';

/** Options of {@link SqlScope}. */
export interface SqlScopeOptions {
  client: SqlClient;
  health: SqlHealth;
  /** The user (JWT subject, a UUID) for the `authenticated` role; undefined for the service role. */
  userId?: string;
  /** Per-transaction `statement_timeout` (works through a transaction pooler, unlike a startup option). */
  statementTimeoutMs?: number;
}

/**
 * Runs work as PostgREST runs a request: in a transaction that first switches to the caller's role
 * and sets `request.jwt.claims`, so row-level security decides what each statement sees (the
 * connecting superuser's bypass never applies). Errors come out mapped by `mapSqlError`.
 */
export class SqlScope {
  readonly userId: string | undefined;
  readonly #client: SqlClient;
  readonly #health: SqlHealth;
  readonly #setup: string;

  constructor(options: SqlScopeOptions) {
    this.#client = options.client;
    this.#health = options.health;
    this.userId = options.userId === undefined ? undefined : requireUuid(options.userId, 'userId');
    const role = options.userId === undefined ? 'service_role' : 'authenticated';
    const claims = options.userId === undefined ? { role } : { sub: options.userId, role };
    // PostgREST's `select set_config('role', …, true), set_config('request.jwt.claims', $1, true)`,
    // with the claims inlined (a UUID and a role name, quoted) so PostgreSQL receives it together
    // with `begin`. Both settings are transaction-local: a pooled connection never carries one
    // user's identity into the next transaction.
    let setup = `select set_config('role', '${role}', true), set_config('request.jwt.claims', ${sqlLiteral(JSON.stringify(claims))}, true)`;
    if (options.statementTimeoutMs !== undefined) {
      setup += `, set_config('statement_timeout', '${Math.max(0, Math.round(options.statementTimeoutMs))}', true)`;
    }
    this.#setup = setup;
  }

  /** Runs `fn` in one transaction under this scope's role and claims. */
  async run<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    try {
      const result = await this.#client.transaction(fn, this.#setup);
      this.#health.answered();
      return result;
    } catch (error) {
      const mapped = mapSqlError(error);
      if (ExaiError.isInstance(mapped) && mapped.code === 'storage_unavailable') this.#health.unreachable(mapped as StorageUnavailableError);
      else this.#health.answered();
      throw mapped;
    }
  }

  /** One statement in its own transaction. */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    return this.run((tx) => tx.query<T>(text, params));
  }
}
