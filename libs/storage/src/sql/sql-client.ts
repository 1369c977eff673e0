/** What a client and an open transaction both do: run SQL. */
export interface SqlExecutor {
  /**
   * Runs one statement with `$1`-style parameters and returns its rows. On PostgreSQL this is an
   * unnamed statement, so it works through Supabase's transaction pooler.
   */
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs several statements without parameters (a migration file). */
  exec(text: string): Promise<void>;
}

/** The little both engines (PGlite, PostgreSQL) have to offer @exai/storage. */
export interface SqlClient extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Where the data lives: a folder, `memory`, or `host:port/database` (never credentials). */
  readonly location: string;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws. `setup` (statements without parameters) runs first, sent with `begin` in one round trip
   * where the engine allows.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, setup?: string): Promise<T>;
  /** Closes the connections (or the embedded database). */
  close(): Promise<void>;
}
