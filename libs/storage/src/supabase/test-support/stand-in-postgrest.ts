import { TABLES, type AuthContext, type ColumnSpec, type TableSpec, type Verb } from './stand-in-schema.js';

// Just enough of PostgREST (https://docs.postgrest.org/en/stable/references/api.html) over in-memory
// tables to drive the Supabase adapter: reads with eq/neq/lt/lte/gt/gte/is/in/not and `or=(…)`,
// `order`, `limit`, `offset`, select lists with many-to-one embedding (`file_metadata(*)`); inserts
// with `on_conflict` and `Prefer: resolution=ignore-duplicates|merge-duplicates`, `return=
// representation|minimal`, `missing=default`; updates; deletes following the foreign keys; the
// RPC functions the adapter calls. Errors carry PostgreSQL's SQLSTATE and PostgREST's status.

export type Row = Record<string, unknown>;

/** A PostgREST answer: status, JSON body (undefined: none). */
export interface RestReply {
  status: number;
  body?: unknown;
}

/** A refused request, shaped as PostgREST reports it. */
export class RestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: string | null = null,
  ) {
    super(message);
  }

  toBody(): Record<string, unknown> {
    return { code: this.code, details: this.details, hint: null, message: this.message };
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A `timestamptz` as PostgreSQL's JSON prints it: microseconds and an explicit offset. */
export function formatTimestamp(value: Date): string {
  return value.toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

/** Parses `value` as a column of `spec` reads it (from JSON or from a filter's text). */
function coerce(spec: ColumnSpec, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const invalid = (type: string): RestError => new RestError(400, '22P02', `invalid input syntax for type ${type}: "${String(value)}"`);
  switch (spec.type) {
    case 'uuid':
      if (typeof value !== 'string' || !uuidPattern.test(value)) throw invalid('uuid');
      return value.toLowerCase();
    case 'text':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'timestamptz': {
      const parsed = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
      if (!parsed || Number.isNaN(parsed.getTime())) throw new RestError(400, '22007', `invalid input syntax for type timestamp with time zone: "${String(value)}"`);
      return parsed;
    }
    case 'integer':
    case 'bigint': {
      const number = Number(value);
      if (!Number.isInteger(number)) throw invalid(spec.type);
      return number;
    }
    case 'numeric':
    case 'float': {
      const number = Number(value);
      if (!Number.isFinite(number)) throw invalid(spec.type);
      return number;
    }
    case 'jsonb':
      return structuredClone(value);
    case 'text[]':
      if (!Array.isArray(value)) throw new RestError(400, '22P02', `malformed array literal: "${JSON.stringify(value)}"`);
      return value.map(String);
  }
}

function compare(a: unknown, b: unknown): number {
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const left = String(a);
  const right = String(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function equal(a: unknown, b: unknown): boolean {
  if (a === null || b === null) return false;
  return compare(a, b) === 0;
}

/** Splits `text` on commas outside parentheses and double quotes. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')') depth--;
    if (char === ',' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  if (current !== '') parts.push(current);
  return parts;
}

type Predicate = (row: Row) => boolean;

/** Which row-level-security verb a request needs on its table. */
const verbOf: Record<string, Verb> = { GET: 'select', HEAD: 'select', POST: 'insert', PATCH: 'update', DELETE: 'delete' };

/** In-memory tables and the PostgREST requests over them. */
export class StandInPostgrest {
  readonly tables = new Map<string, Row[]>();
  readonly #identity = new Map<string, number>();

  constructor() {
    for (const table of TABLES) this.tables.set(`${table.schema}.${table.name}`, []);
  }

  /** The rows of `name` (`public.` by default), for tests to inspect or seed. */
  rows(name: string): Row[] {
    const rows = this.tables.get(name.includes('.') ? name : `public.${name}`);
    if (!rows) throw new Error(`no table ${name}`);
    return rows;
  }

  handle(method: string, path: string, query: URLSearchParams, headers: Record<string, string>, body: unknown, auth: AuthContext): RestReply {
    try {
      if (path.startsWith('rpc/')) return this.#rpc(path.slice(4), body, auth);
      const profile = (method === 'GET' || method === 'HEAD' ? headers['accept-profile'] : headers['content-profile']) ?? 'public';
      if (profile !== 'public' && profile !== 'monitoring') throw new RestError(406, 'PGRST106', `The schema must be one of the following: public, monitoring`);
      const table = TABLES.find((candidate) => candidate.schema === profile && candidate.name === path);
      if (!table) throw new RestError(404, 'PGRST205', `Could not find the table '${profile}.${path}' in the schema cache`);
      const verb = verbOf[method];
      if (!verb) throw new RestError(405, 'PGRST117', `Unsupported HTTP method: ${method}`);
      this.#checkGrant(table, verb, auth);
      const prefer = this.#prefer(headers['prefer']);
      switch (method) {
        case 'GET':
          return { status: 200, body: this.#select(table, query, auth) };
        case 'POST':
          return this.#insert(table, query, prefer, body, auth);
        case 'PATCH':
          return this.#update(table, query, prefer, body, auth);
        default:
          return this.#delete(table, query, prefer, auth);
      }
    } catch (error) {
      if (error instanceof RestError) return { status: error.status, body: error.toBody() };
      throw error;
    }
  }

  #prefer(header: string | undefined): Map<string, string> {
    const prefer = new Map<string, string>();
    for (const part of (header ?? '').split(',')) {
      const [key, value] = part.trim().split('=');
      if (key) prefer.set(key, value ?? '');
    }
    return prefer;
  }

  #checkGrant(table: TableSpec, verb: Verb, auth: AuthContext): void {
    if (auth.role === 'service_role' && !table.serviceRevoked?.includes(verb)) return;
    if (auth.role === 'authenticated' && table.owner?.verbs.includes(verb)) return;
    // PostgREST answers 401 to the anonymous role and 403 to a signed-in one.
    throw new RestError(auth.role === 'anon' ? 401 : 403, '42501', `permission denied for table ${table.name}`);
  }

  /** Row-level security's USING for `authenticated`: the user's own rows. */
  #visible(table: TableSpec, auth: AuthContext): Predicate {
    if (auth.role === 'service_role') return () => true;
    const owner = table.owner?.column;
    return (row) => owner !== undefined && auth.sub !== undefined && row[owner] === auth.sub;
  }

  #column(table: TableSpec, column: string): ColumnSpec {
    const spec = table.columns[column];
    if (!spec) throw new RestError(400, '42703', `column ${table.name}.${column} does not exist`);
    return spec;
  }

  /** One `col.op.value` (or `col=op.value` split already) as a predicate. */
  #condition(table: TableSpec, column: string, expression: string): Predicate {
    const spec = this.#column(table, column);
    let negate = false;
    let rest = expression;
    if (rest.startsWith('not.')) {
      negate = true;
      rest = rest.slice(4);
    }
    const dot = rest.indexOf('.');
    const operator = dot < 0 ? rest : rest.slice(0, dot);
    const raw = dot < 0 ? '' : rest.slice(dot + 1);
    const value = (text: string): unknown => coerce(spec, text.replace(/^"(.*)"$/, '$1'));
    let test: Predicate;
    switch (operator) {
      case 'eq': {
        const target = value(raw);
        test = (row) => equal(row[column], target);
        break;
      }
      case 'neq': {
        const target = value(raw);
        test = (row) => row[column] !== null && !equal(row[column], target);
        break;
      }
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        const target = value(raw);
        test = (row) => {
          if (row[column] === null || row[column] === undefined) return false;
          const order = compare(row[column], target);
          return operator === 'lt' ? order < 0 : operator === 'lte' ? order <= 0 : operator === 'gt' ? order > 0 : order >= 0;
        };
        break;
      }
      case 'is':
        if (raw !== 'null') throw new RestError(400, 'PGRST100', `failed to parse filter (is.${raw})`);
        test = (row) => row[column] === null || row[column] === undefined;
        break;
      case 'in': {
        if (!raw.startsWith('(') || !raw.endsWith(')')) throw new RestError(400, 'PGRST100', `failed to parse filter (in.${raw})`);
        const targets = splitTopLevel(raw.slice(1, -1)).map(value);
        test = (row) => targets.some((target) => equal(row[column], target));
        break;
      }
      default:
        throw new RestError(400, 'PGRST100', `failed to parse filter (${operator}.${raw}): unknown operator`);
    }
    // SQL's three-valued logic: NOT of a comparison with null is still not true.
    return negate ? (row) => (operator === 'is' || row[column] !== null) && !test(row) : test;
  }

  /** `or=(a.eq.1,b.lt.2)`: each part is `column.operator.value`. */
  #logic(table: TableSpec, expression: string): Predicate {
    if (!expression.startsWith('(') || !expression.endsWith(')')) throw new RestError(400, 'PGRST100', `failed to parse logic tree (${expression})`);
    const parts = splitTopLevel(expression.slice(1, -1)).map((part) => {
      const dot = part.indexOf('.');
      return this.#condition(table, part.slice(0, dot), part.slice(dot + 1));
    });
    return (row) => parts.some((part) => part(row));
  }

  #filters(table: TableSpec, query: URLSearchParams): Predicate[] {
    const predicates: Predicate[] = [];
    for (const [key, value] of query) {
      if (['select', 'order', 'limit', 'offset', 'on_conflict', 'columns'].includes(key)) continue;
      if (key === 'or') predicates.push(this.#logic(table, value));
      else if (key.includes('.')) throw new RestError(400, 'PGRST100', `the stand-in does not filter embedded resources (${key})`);
      else predicates.push(this.#condition(table, key, value));
    }
    return predicates;
  }

  #matching(table: TableSpec, query: URLSearchParams, auth: AuthContext): Row[] {
    const visible = this.#visible(table, auth);
    const predicates = this.#filters(table, query);
    return this.rows(`${table.schema}.${table.name}`).filter((row) => visible(row) && predicates.every((predicate) => predicate(row)));
  }

  #select(table: TableSpec, query: URLSearchParams, auth: AuthContext): Row[] {
    let rows = this.#matching(table, query, auth);
    const order = query.get('order');
    if (order) {
      const keys = order.split(',').map((term) => {
        const [column = '', ...modifiers] = term.split('.');
        this.#column(table, column);
        const descending = modifiers.includes('desc');
        const nullsFirst = modifiers.includes('nullsfirst') || (descending && !modifiers.includes('nullslast'));
        return { column, descending, nullsFirst };
      });
      rows = [...rows].sort((a, b) => {
        for (const key of keys) {
          const left = a[key.column] ?? null;
          const right = b[key.column] ?? null;
          if (left === null && right === null) continue;
          if (left === null) return key.nullsFirst ? -1 : 1;
          if (right === null) return key.nullsFirst ? 1 : -1;
          const result = compare(left, right);
          if (result !== 0) return key.descending ? -result : result;
        }
        return 0;
      });
    }
    const offset = Number(query.get('offset') ?? 0);
    const limit = query.get('limit');
    rows = rows.slice(offset, limit === null ? undefined : offset + Number(limit));
    return rows.map((row) => this.#project(table, row, query.get('select') ?? '*', auth));
  }

  /** The JSON of `row` for a select list: columns, `alias:column`, and many-to-one embeds `table(list)`. */
  #project(table: TableSpec, row: Row, select: string, auth: AuthContext): Row {
    const out: Row = {};
    for (const item of splitTopLevel(select)) {
      const embed = /^(?:(\w+):)?(\w+)\((.*)\)$/.exec(item);
      if (embed) {
        const [, alias, target = '', inner = '*'] = embed;
        const reference = table.references.find((candidate) => candidate.table === target || candidate.column === target);
        const targetTable = reference && TABLES.find((candidate) => candidate.schema === table.schema && candidate.name === reference.table);
        if (!reference || !targetTable) throw new RestError(400, 'PGRST200', `Could not find a relationship between '${table.name}' and '${target}' in the schema cache`);
        const visible = this.#visible(targetTable, auth);
        const related = this.rows(`${targetTable.schema}.${targetTable.name}`).find((candidate) => visible(candidate) && equal(candidate['id'], row[reference.column]));
        out[alias ?? target] = related ? this.#project(targetTable, related, inner, auth) : null;
        continue;
      }
      if (item === '*') {
        for (const column of Object.keys(table.columns)) out[column] = this.#json(row[column]);
        continue;
      }
      const [alias, column = ''] = item.includes(':') ? item.split(':') : [item, item];
      this.#column(table, column);
      out[alias as string] = this.#json(row[column]);
    }
    return out;
  }

  #json(value: unknown): unknown {
    if (value === undefined) return null;
    if (value instanceof Date) return formatTimestamp(value);
    return structuredClone(value);
  }

  /** A full row for `values` (keys already checked): defaults, identity, coercion, constraints. */
  #build(table: TableSpec, values: Row, auth: AuthContext, useDefaultsForMissing: boolean): Row {
    const row: Row = {};
    for (const [column, spec] of Object.entries(table.columns)) {
      if (spec.identity) {
        if (values[column] !== undefined) throw new RestError(400, '428C9', `cannot insert a non-DEFAULT value into column "${column}"`);
        const next = (this.#identity.get(table.name) ?? 0) + 1;
        this.#identity.set(table.name, next);
        row[column] = next;
      } else if (column in values && !(values[column] === undefined && useDefaultsForMissing)) {
        row[column] = coerce(spec, values[column]);
      } else {
        row[column] = spec.default ? coerce(spec, spec.default(auth)) : null;
      }
    }
    return row;
  }

  #checkRow(table: TableSpec, row: Row): void {
    for (const [column, spec] of Object.entries(table.columns)) {
      if (row[column] === null && !spec.nullable) {
        throw new RestError(400, '23502', `null value in column "${column}" of relation "${table.name}" violates not-null constraint`);
      }
      if (row[column] !== null && spec.check && !spec.check(row[column])) {
        throw new RestError(400, '23514', `new row for relation "${table.name}" violates check constraint "${table.name}_${column}_check"`);
      }
    }
    for (const reference of table.references) {
      const value = row[reference.column];
      if (value === null) continue;
      if (!this.rows(reference.table).some((target) => equal(target['id'], value))) {
        throw new RestError(
          409,
          '23503',
          `insert or update on table "${table.name}" violates foreign key constraint "${table.name}_${reference.column}_fkey"`,
          `Key (${reference.column})=(${String(value)}) is not present in table "${reference.table}".`,
        );
      }
    }
  }

  /** Row-level security's WITH CHECK, and the restrictive insert policies on referenced rows. */
  #checkPolicy(table: TableSpec, row: Row, auth: AuthContext, insert: boolean): void {
    if (auth.role === 'service_role') return;
    const refuse = (): RestError => new RestError(403, '42501', `new row violates row-level security policy for table "${table.name}"`);
    const owner = table.owner?.column;
    if (owner === undefined || row[owner] !== auth.sub) throw refuse();
    if (!insert) return;
    for (const column of table.ownReferences ?? []) {
      const value = row[column];
      if (value === null) continue;
      const reference = table.references.find((candidate) => candidate.column === column);
      const target = TABLES.find((candidate) => candidate.name === reference?.table);
      const found = target && this.rows(target.name).find((candidate) => equal(candidate['id'], value));
      if (found && target.owner && found[target.owner.column] !== auth.sub) throw refuse();
    }
  }

  #keys(table: TableSpec): string[][] {
    return [table.primaryKey, ...table.unique];
  }

  #conflictWith(table: TableSpec, rows: Row[], row: Row, key: string[], except?: Row): Row | undefined {
    if (key.some((column) => row[column] === null)) return undefined;
    return rows.find((other) => other !== except && key.every((column) => equal(other[column], row[column])));
  }

  #checkUnique(table: TableSpec, rows: Row[], row: Row, except?: Row): void {
    for (const key of this.#keys(table)) {
      if (this.#conflictWith(table, rows, row, key, except)) {
        throw new RestError(
          409,
          '23505',
          `duplicate key value violates unique constraint "${table.name}_${key.join('_')}_key"`,
          `Key (${key.join(', ')})=(${key.map((column) => String(this.#json(row[column]))).join(', ')}) already exists.`,
        );
      }
    }
  }

  #checkKeys(table: TableSpec, values: Row): void {
    for (const key of Object.keys(values)) {
      if (!(key in table.columns)) throw new RestError(400, 'PGRST204', `Could not find the '${key}' column of '${table.name}' in the schema cache`);
    }
  }

  #reply(table: TableSpec, rows: Row[], prefer: Map<string, string>, query: URLSearchParams, status: number, auth: AuthContext): RestReply {
    if (prefer.get('return') !== 'representation') return { status: status === 200 ? 204 : status };
    return { status, body: rows.map((row) => this.#project(table, row, query.get('select') ?? '*', auth)) };
  }

  #insert(table: TableSpec, query: URLSearchParams, prefer: Map<string, string>, body: unknown, auth: AuthContext): RestReply {
    const payload = (Array.isArray(body) ? body : [body]) as Row[];
    const columnsParam = query.get('columns');
    const listed = columnsParam?.split(',').map((column) => column.replace(/^"(.*)"$/, '$1'));
    const resolution = prefer.get('resolution');
    const onConflict = query.get('on_conflict')?.split(',') ?? (resolution ? table.primaryKey : undefined);
    if (onConflict && !this.#keys(table).some((key) => key.length === onConflict.length && key.every((column) => onConflict.includes(column)))) {
      throw new RestError(400, '42P10', 'there is no unique or exclusion constraint matching the ON CONFLICT specification');
    }
    // One statement: all rows or none, so the work happens on a copy.
    const name = `${table.schema}.${table.name}`;
    const staged = [...this.rows(name)];
    const written: Row[] = [];
    for (const item of payload) {
      const values: Row = listed ? Object.fromEntries(listed.map((column) => [column, item[column] ?? (prefer.get('missing') === 'default' ? undefined : null)])) : item;
      this.#checkKeys(table, values);
      const row = this.#build(table, values, auth, prefer.get('missing') === 'default');
      this.#checkRow(table, row);
      const existing = onConflict && resolution ? this.#conflictWith(table, staged, row, onConflict) : undefined;
      if (existing && resolution === 'ignore-duplicates') continue;
      if (existing) {
        // merge-duplicates: ON CONFLICT DO UPDATE, which the existing row must allow (USING).
        if (!this.#visible(table, auth)(existing)) throw new RestError(403, '42501', `new row violates row-level security policy (USING expression) for table "${table.name}"`);
        const merged = { ...existing };
        for (const column of Object.keys(values)) if (!table.columns[column]?.identity) merged[column] = row[column];
        this.#checkPolicy(table, merged, auth, false);
        this.#checkUnique(table, staged, merged, existing);
        staged[staged.indexOf(existing)] = merged;
        written.push(merged);
        continue;
      }
      this.#checkPolicy(table, row, auth, true);
      this.#checkUnique(table, staged, row);
      staged.push(row);
      written.push(row);
    }
    this.tables.set(name, staged);
    return this.#reply(table, written, prefer, query, 201, auth);
  }

  #update(table: TableSpec, query: URLSearchParams, prefer: Map<string, string>, body: unknown, auth: AuthContext): RestReply {
    const values = (body ?? {}) as Row;
    this.#checkKeys(table, values);
    const targets = this.#matching(table, query, auth);
    if (targets.length > 0 && table.appendOnly) throw new RestError(403, '42501', `${table.name} is append-only (UPDATE refused)`);
    const name = `${table.schema}.${table.name}`;
    const staged = [...this.rows(name)];
    const written: Row[] = [];
    for (const target of targets) {
      const updated = { ...target };
      for (const [column, value] of Object.entries(values)) {
        const spec = this.#column(table, column);
        if (spec.identity) throw new RestError(400, '428C9', `column "${column}" can only be updated to DEFAULT`);
        updated[column] = coerce(spec, value);
      }
      this.#checkRow(table, updated);
      this.#checkPolicy(table, updated, auth, false);
      this.#checkUnique(table, staged, updated, target);
      staged[staged.indexOf(target)] = updated;
      written.push(updated);
    }
    this.tables.set(name, staged);
    return this.#reply(table, written, prefer, query, 200, auth);
  }

  #delete(table: TableSpec, query: URLSearchParams, prefer: Map<string, string>, auth: AuthContext): RestReply {
    const targets = this.#matching(table, query, auth);
    if (targets.length > 0 && table.appendOnly) throw new RestError(403, '42501', `${table.name} is append-only (DELETE refused)`);
    this.removeRows(table, targets);
    return this.#reply(table, targets, prefer, query, 200, auth);
  }

  /** Deletes `targets` and follows the foreign keys that point at them (as their owner: no RLS). */
  removeRows(table: TableSpec, targets: Row[]): void {
    const name = `${table.schema}.${table.name}`;
    this.tables.set(
      name,
      this.rows(name).filter((row) => !targets.includes(row)),
    );
    const ids = targets.map((row) => row['id']);
    for (const other of TABLES) {
      for (const reference of other.references) {
        if (reference.table !== table.name) continue;
        const pointing = this.rows(other.name).filter((row) => ids.some((id) => equal(row[reference.column], id)));
        if (reference.onDelete === 'cascade') this.removeRows(other, pointing);
        else for (const row of pointing) row[reference.column] = null;
      }
    }
  }

  // --- RPC: the functions of 20261124000300_rpc.sql and purge_audit_logs, as their SQL says ---

  #rpc(name: string, body: unknown, auth: AuthContext): RestReply {
    const args = (body ?? {}) as Record<string, unknown>;
    const signatures: Record<string, { required: string[]; optional?: string[]; serviceOnly?: boolean }> = {
      exai_storage_quota: { required: ['p_user_id'] },
      exai_usage_totals_by_day: { required: ['p_user_id', 'p_since', 'p_until'] },
      exai_touch_file: { required: ['p_owner_id', 'p_file_id'] },
      purge_audit_logs: { required: ['older_than'], serviceOnly: true },
    };
    const signature = signatures[name];
    const names = Object.keys(args);
    if (
      !signature ||
      !signature.required.every((argument) => names.includes(argument)) ||
      !names.every((argument) => signature.required.includes(argument) || signature.optional?.includes(argument))
    ) {
      throw new RestError(404, 'PGRST202', `Could not find the function public.${name}(${names.sort().join(', ')}) in the schema cache`);
    }
    if (auth.role === 'anon' || (signature.serviceOnly && auth.role !== 'service_role')) {
      throw new RestError(auth.role === 'anon' ? 401 : 403, '42501', `permission denied for function ${name}`);
    }
    const spec = (table: string): TableSpec => TABLES.find((candidate) => candidate.name === table) as TableSpec;
    const visibleRows = (table: string): Row[] => this.rows(table).filter(this.#visible(spec(table), auth));
    const uuidArgument = (argument: string): string => coerce({ type: 'uuid' }, args[argument]) as string;
    const timeArgument = (argument: string): Date => coerce({ type: 'timestamptz' }, args[argument]) as Date;
    switch (name) {
      case 'exai_storage_quota': {
        const userId = uuidArgument('p_user_id');
        const quota = visibleRows('user_quotas').find((row) => row['user_id'] === userId);
        const used = visibleRows('file_metadata')
          .filter((row) => row['owner_id'] === userId)
          .reduce((sum, row) => sum + Number(row['size_bytes']), 0);
        return {
          status: 200,
          body: [
            {
              user_id: userId,
              storage_quota_bytes: quota?.['storage_quota_bytes'] ?? null,
              storage_used_bytes: used,
              monthly_token_budget: quota?.['monthly_token_budget'] ?? null,
              monthly_cost_budget_usd: quota?.['monthly_cost_budget_usd'] ?? null,
            },
          ],
        };
      }
      case 'exai_usage_totals_by_day': {
        const userId = uuidArgument('p_user_id');
        const since = timeArgument('p_since');
        const until = timeArgument('p_until');
        const days = new Map<string, { day: string; calls: number; input_tokens: number; output_tokens: number; total_tokens: number; cost_usd: number }>();
        for (const row of visibleRows('usage_events')) {
          const at = row['created_at'] as Date;
          if (row['user_id'] !== userId || at < since || at >= until) continue;
          const day = at.toISOString().slice(0, 10);
          const total = days.get(day) ?? { day, calls: 0, input_tokens: 0, output_tokens: 0, total_tokens: 0, cost_usd: 0 };
          total.calls++;
          total.input_tokens += Number(row['input_tokens']);
          total.output_tokens += Number(row['output_tokens']);
          total.total_tokens += Number(row['total_tokens']);
          total.cost_usd += Number(row['cost_usd']);
          days.set(day, total);
        }
        return { status: 200, body: [...days.values()].sort((a, b) => (a.day < b.day ? 1 : -1)) };
      }
      case 'exai_touch_file': {
        const ownerId = uuidArgument('p_owner_id');
        const fileId = uuidArgument('p_file_id');
        const files = spec('file_metadata');
        const touched = visibleRows('file_metadata').filter((row) => row['id'] === fileId && row['owner_id'] === ownerId);
        for (const row of touched) {
          row['access_count'] = Number(row['access_count']) + 1;
          row['last_accessed_at'] = new Date();
        }
        return { status: 200, body: touched.map((row) => this.#project(files, row, '*', auth)) };
      }
      default: {
        // purge_audit_logs: security definer, so no row-level security; returns the count.
        const olderThan = timeArgument('older_than');
        const audit = spec('audit_logs');
        const old = this.rows('audit_logs').filter((row) => (row['created_at'] as Date) < olderThan);
        this.removeRows(audit, old);
        return { status: 200, body: old.length };
      }
    }
  }
}
