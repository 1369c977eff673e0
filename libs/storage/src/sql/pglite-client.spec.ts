import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PGlite } from '@electric-sql/pglite';
import { PgliteClient } from './pglite-client.js';
import { sqlLiteral } from './sql-literal.js';

// One PGlite for the file (opening one takes seconds).
let db: PGlite;
let client: PgliteClient;
let plain: PgliteClient;

beforeAll(async () => {
  db = await PGlite.create();
  client = new PgliteClient(db, 'memory');
  await client.checkLiterals();
  plain = new PgliteClient(db, 'memory', { prepare: false });
  await db.exec(`create table things (id serial primary key, label text, tags text[], body jsonb, data bytea, at timestamptz, amount numeric(12, 4), flag boolean, ref uuid)`);
});
afterAll(async () => db.close());

const insert = `insert into things (label, tags, body, data, at, amount, flag, ref) values ($1, $2::text[], $3::jsonb, $4, $5, $6, $7, $8) returning *`;

const hostile = [
  "it's",
  "'); drop table things; --",
  'back\\slash \\x41 \\\\ end\\',
  '$1 $$ dollar $tag$ quoting $tag$',
  'line\nbreak\ttab\r',
  'unicode: ünïcødé — 中文 — 🙂',
  '"double" quotes',
  '',
];

describe('PgliteClient prepared statements', () => {
  it('stores and returns every kind of value as unprepared statements do, hostile strings included', async () => {
    for (const label of hostile) {
      const values = [label, [label, 'plain', null, 'a,b', '{x}'], JSON.stringify({ label, nested: { quote: "'" } }), new Uint8Array([0, 1, 39, 92, 255]), new Date('2026-11-25T01:02:03.456Z'), 12.5, true, '7f1c8a8e-8d0b-4c41-9d0e-3c9f0f1a2b3c'];
      const [viaPrepared] = await client.transaction((tx) => tx.query<Record<string, unknown>>(insert, values));
      const [viaPlain] = await plain.transaction((tx) => tx.query<Record<string, unknown>>(insert, values));
      const { id: preparedId, ...prepared } = viaPrepared as Record<string, unknown>;
      const { id: plainId, ...unprepared } = viaPlain as Record<string, unknown>;
      expect(prepared).toEqual(unprepared);
      expect(prepared['label']).toBe(label);
      expect(prepared['tags']).toEqual([label, 'plain', null, 'a,b', '{x}']);
      expect(preparedId).not.toBe(plainId);
    }
    // The injection attempt stayed a value: the table is still there, with every row.
    expect((await client.query<{ count: number }>('select count(*)::int as count from things'))[0]?.count).toBe(hostile.length * 2);
  });

  it('prepares a statement once and reuses it', async () => {
    const before = await client.query<{ count: number }>('select count(*)::int as count from pg_prepared_statements');
    for (let index = 0; index < 3; index++) await client.transaction((tx) => tx.query('select label from things where id = $1', [index]));
    const after = await client.query<{ count: number }>('select count(*)::int as count from pg_prepared_statements');
    expect((after[0]?.count ?? 0) - (before[0]?.count ?? 0)).toBe(1);
  });

  it('passes null, undefined, numbers, booleans and empty arrays', async () => {
    const [row] = await client.transaction((tx) =>
      tx.query<{ a: number | null; b: boolean; c: string[]; d: string | null; e: string }>('select $1::int as a, $2::boolean as b, $3::text[] as c, $4::text as d, $5::numeric::text as e', [null, false, [], undefined, 1e-7]),
    );
    expect(row).toEqual({ a: null, b: false, c: [], d: null, e: '0.0000001' });
  });

  it('refuses a NUL character as PostgreSQL does (22021), and the statement fails as it would unprepared', async () => {
    await expect(client.transaction((tx) => tx.query(insert, ['nul\0here', [], '{}', null, null, null, null, null]))).rejects.toMatchObject({ code: '22021' });
    await expect(plain.transaction((tx) => tx.query(insert, ['nul\0here', [], '{}', null, null, null, null, null]))).rejects.toMatchObject({ code: '22021' });
    await expect(client.transaction((tx) => tx.query('select no_such_column from things where id = $1', [1]))).rejects.toMatchObject({ code: '42703' });
    // Tried again (not cached as prepared): same error.
    await expect(client.transaction((tx) => tx.query('select no_such_column from things where id = $1', [1]))).rejects.toMatchObject({ code: '42703' });
  });

  it('keeps a statement prepared in a rolled-back transaction usable', async () => {
    const text = 'select $1::text as value';
    await expect(
      client.transaction(async (tx) => {
        await tx.query(text, ['first']);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await client.transaction((tx) => tx.query(text, ['second']))).toEqual([{ value: 'second' }]);
  });
});

describe('sqlLiteral', () => {
  it('writes PostgreSQL literals', () => {
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(undefined)).toBe('NULL');
    expect(sqlLiteral(true)).toBe('true');
    expect(sqlLiteral("it's")).toBe("'it''s'");
    expect(sqlLiteral(42)).toBe("'42'");
    expect(sqlLiteral(new Date('2026-11-25T00:00:00Z'))).toBe("'2026-11-25T00:00:00.000Z'");
    expect(sqlLiteral(new Uint8Array([1, 255]))).toBe("'\\x01ff'");
    expect(sqlLiteral(['a"b', 'c\\d', null])).toBe(`'{"a\\"b","c\\\\d",NULL}'`);
    expect(sqlLiteral({ a: "'" })).toBe(`'{"a":"''"}'`);
  });
});

describe('PgliteClient without standard_conforming_strings', () => {
  it('plans every statement with bound parameters instead of literals', async () => {
    const other = await PGlite.create();
    try {
      await other.exec('set standard_conforming_strings = off');
      const guarded = new PgliteClient(other, 'memory');
      await guarded.checkLiterals();
      expect(await guarded.transaction((tx) => tx.query('select $1::text as value', ['back\\slash']))).toEqual([{ value: 'back\\slash' }]);
      expect((await other.query<{ count: number }>('select count(*)::int as count from pg_prepared_statements')).rows[0]?.count).toBe(0);
    } finally {
      await other.close();
    }
  });
});
