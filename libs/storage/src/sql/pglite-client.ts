import { mkdir } from 'node:fs/promises';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import type { SqlClient, SqlExecutor } from './sql-client.js';
import { sqlLiteral } from './sql-literal.js';

/** Options of {@link createPgliteClient}. */
export interface PgliteClientOptions {
  /** Folder of the database files; in memory when undefined. */
  dataDir?: string;
}

/** Statements kept prepared at most; past this (a caller building SQL text per call), statements are planned each time. */
const MAX_PREPARED = 256;

/**
 * Wraps one PGlite instance (an embedded PostgreSQL in WebAssembly).
 *
 * A statement with parameters run in a transaction (as storage runs every statement) is prepared
 * once per instance (`PREPARE`) and then run with its values as literals (`EXECUTE name('…', …)`,
 * see {@link sqlLiteral}): PGlite plans every `query` again, and planning is most of what storage's
 * statements cost there (row-level security, CTEs); a thread append went from about 1.0 ms to
 * 0.4 ms. PGlite is a single session, so a prepared statement lives as long as the instance (a
 * rolled-back transaction keeps it too).
 */
export class PgliteClient implements SqlClient {
  readonly kind = 'pglite';
  readonly location: string;
  readonly #db: PGlite;
  readonly #prepared = new Map<string, Promise<string>>();
  #nextName = 0;
  #prepare: boolean;

  /** `prepare: false` plans every statement (PGlite's `query`); the default prepares them, as described above. */
  constructor(db: PGlite, location: string, options: { prepare?: boolean } = {}) {
    this.#db = db;
    this.location = location;
    this.#prepare = options.prepare ?? true;
  }

  async query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]> {
    // Outside a transaction statements are planned each time: a PREPARE sent here could wait behind
    // a running transaction that waits for it. Storage runs every statement in a transaction.
    return (await this.#db.query<T>(text, params as unknown[] | undefined)).rows;
  }

  async exec(text: string): Promise<void> {
    await this.#db.exec(text);
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, setup?: string): Promise<T> {
    // PGlite runs one transaction at a time and queues every other query behind it.
    return this.#db.transaction(async (tx) => {
      // `query`, not `exec`: measured faster for one statement in PGlite 0.5.
      if (setup !== undefined) await tx.query(setup);
      return fn(this.#wrapTransaction(tx));
    });
  }

  async close(): Promise<void> {
    if (!this.#db.closed) await this.#db.close();
  }

  /**
   * Checks that literals mean what {@link sqlLiteral} writes (`standard_conforming_strings` on);
   * otherwise statements are planned each time, with bound parameters.
   */
  async checkLiterals(): Promise<void> {
    const [row] = (await this.#db.query<{ standard_conforming_strings: string }>('show standard_conforming_strings')).rows;
    if (row?.standard_conforming_strings !== 'on') this.#prepare = false;
  }

  #wrapTransaction(tx: Transaction): SqlExecutor {
    return {
      query: <T>(text: string, params?: readonly unknown[]) => this.#run<T>(tx, text, params),
      exec: async (text: string) => {
        await tx.exec(text);
      },
    };
  }

  async #run<T>(runner: Transaction, text: string, params: readonly unknown[] | undefined): Promise<T[]> {
    if (!params?.length || !this.#prepare) return (await runner.query<T>(text, params as unknown[] | undefined)).rows;
    // Literals are made before anything runs, so a value PostgreSQL would refuse fails the same way.
    const values = params.map(sqlLiteral).join(', ');
    const name = this.#nameFor(runner, text);
    if (name === undefined) return (await runner.query<T>(text, params as unknown[])).rows;
    const results = await runner.exec(`execute ${await name}(${values})`);
    return (results.at(-1)?.rows ?? []) as T[];
  }

  /** The name `text` is prepared under, preparing it on first use; undefined once the cap is reached. */
  #nameFor(runner: Transaction, text: string): Promise<string> | undefined {
    const known = this.#prepared.get(text);
    if (known) return known;
    if (this.#prepared.size >= MAX_PREPARED) return undefined;
    const name = `exai_${this.#nextName++}`;
    const preparing = runner.exec(`prepare ${name} as ${text}`).then(() => name);
    this.#prepared.set(text, preparing);
    // A statement that does not prepare (invalid SQL) is tried again next time, and fails as it would unprepared.
    preparing.catch(() => this.#prepared.delete(text));
    return preparing;
  }
}

/** Opens PGlite on `dataDir` (created if missing), or in memory. */
export async function createPgliteClient(options: PgliteClientOptions = {}): Promise<PgliteClient> {
  let client: PgliteClient;
  if (options.dataDir === undefined) client = new PgliteClient(await PGlite.create(), 'memory');
  else {
    await mkdir(options.dataDir, { recursive: true });
    client = new PgliteClient(await PGlite.create(options.dataDir), options.dataDir);
  }
  await client.checkLiterals();
  return client;
}
