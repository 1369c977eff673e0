import pg from 'pg';
import type { SqlLogger } from './sql-logger.js';
import type { SqlClient, SqlExecutor } from './sql-client.js';

/** Options of {@link PgClient}. */
export interface PgClientOptions {
  /** `postgres://…`: Supabase's direct URL or its pooled (Supavisor, port 6543) URL both work. */
  connectionString: string;
  /** Most connections the pool opens. Default 10. */
  poolSize?: number;
  /** How long to wait for a connection before failing. Default 5 s. */
  connectionTimeoutMs?: number;
  logger?: SqlLogger;
}

/** `host:port/database` of a connection string, without user or password. */
export function describeConnection(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname || 'localhost'}:${url.port || '5432'}${url.pathname || '/'}`;
  } catch {
    return 'postgres';
  }
}

/**
 * A `pg.Pool`. Every query is an unnamed statement (node-postgres prepares a named one only when
 * given a `name`), which Supabase's transaction pooler requires: a named statement would live on a
 * server connection the next transaction may not get.
 */
export class PgClient implements SqlClient {
  readonly kind = 'postgres';
  readonly location: string;
  readonly #pool: pg.Pool;

  constructor(options: PgClientOptions) {
    this.location = describeConnection(options.connectionString);
    this.#pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
      idleTimeoutMillis: 30_000,
      application_name: 'exai',
    });
    // An idle connection the server drops (restart, failover) is reported here; without a listener
    // the pool's 'error' event would end the process. The next checkout opens a fresh connection.
    this.#pool.on('error', (error) => options.logger?.warn({ err: error, location: this.location }, 'idle PostgreSQL connection failed'));
  }

  async query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    const result = await this.#pool.query(text, params as unknown[] | undefined);
    return result.rows as T[];
  }

  async exec(text: string): Promise<void> {
    // Without parameters node-postgres uses the simple protocol, which accepts several statements.
    await this.#pool.query(text);
  }

  async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, setup?: string): Promise<T> {
    const connection = await this.#pool.connect();
    let broken: Error | undefined;
    // A connection the server drops while checked out reports it as an 'error' event once no query
    // is waiting (the pool listens only on idle ones): unhandled, that event would end the process.
    const onError = (error: Error): void => {
      broken = error;
    };
    connection.on('error', onError);
    try {
      // One simple-protocol round trip for both: a call's latency is mostly round trips on loopback.
      await connection.query(setup === undefined ? 'begin' : `begin; ${setup}`);
      const result = await fn(wrapConnection(connection));
      await connection.query('commit');
      return result;
    } catch (error) {
      try {
        await connection.query('rollback');
      } catch (rollbackError) {
        // The connection is unusable: let the pool discard it instead of handing it out again.
        broken = rollbackError as Error;
      }
      throw error;
    } finally {
      connection.off('error', onError);
      connection.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.#pool.ended) await this.#pool.end();
  }
}

function wrapConnection(connection: pg.PoolClient): SqlExecutor {
  return {
    query: async <T>(text: string, params?: readonly unknown[]) => (await connection.query(text, params as unknown[] | undefined)).rows as T[],
    exec: async (text: string) => {
      await connection.query(text);
    },
  };
}
