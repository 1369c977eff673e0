import fc from 'fast-check';
import { RawJson } from './raw-json.js';

/**
 * SQL injection strings: statement breaks, tautologies, dollar quoting, NUL and escape tricks,
 * comments, unicode quotes, PostgreSQL specifics (pg_sleep, COPY … PROGRAM, set_config of the
 * row-level-security claims) and the names of exai's own tables.
 */
export const sqlInjectionCorpus: readonly string[] = [
  "'; DROP TABLE conversations; --",
  "' OR '1'='1",
  '" OR ""="',
  "1; DELETE FROM messages WHERE 1=1; --",
  '$$; DROP TABLE tool_calls; $$',
  '$tag$ DROP TABLE workflow_states $tag$',
  "\\x00'; DROP TABLE file_metadata; --",
  "\u0000' OR 1=1 --",
  "/* comment */ SELECT pg_sleep(10) --",
  "'; SELECT pg_sleep(10); --",
  "' UNION SELECT id, user_id, title FROM conversations --",
  '\u2019 OR \u20181\u2019=\u20181',
  "\u02bc; DROP TABLE usage_events; --",
  '%27%20OR%201%3D1%20--',
  "admin'--",
  "'); TRUNCATE audit_logs; --",
  "'; COPY (SELECT '') TO PROGRAM 'touch /tmp/exai-fuzz-pwned'; --",
  "E'\\\\x27' OR 1=1",
  "1' AND (SELECT COUNT(*) FROM pg_tables) > 0 --",
  "'; SELECT set_config('request.jwt.claims', '{\"sub\":\"bob\"}', true); --",
  "'||(SELECT string_agg(content, ',') FROM messages)||'",
  '\\"; DROP TABLE sessions; --',
];

/**
 * The quick run's share of {@link sqlInjectionCorpus}: a tautology, dollar quoting, and a NUL with a
 * quote and a comment (a statement break rides along in the hostile file name every run uploads).
 */
export const quickSqlInjectionCorpus: readonly string[] = [1, 4, 7].map((index) => sqlInjectionCorpus[index] as string);

/** Characters and sequences that break naive handling: NUL, controls, bidi overrides, lone surrogates, BOM, ZWJ emoji. */
const nastyPieces = [
  '\u0000',
  '\u0001\u0002\u001b[31m',
  '\r\n\r\n',
  '\u202e\u2066',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\u{1f468}\u200d\u{1f469}\u200d\u{1f467}',
  '\u0301\u0301\u0301',
  '%s%n%x',
  '${process.env.GLM_API_KEY}',
  '{{constructor.constructor("return process")()}}',
  '__proto__',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '[[sim:latency:1]]',
  '\\u0000',
  'null',
  'undefined',
  'NaN',
];

/** Long strings: over the prompt limit (60,000 chars), and large but under the 1 MiB message limit of the run. */
const longString = fc
  .tuple(fc.constantFrom(4_096, 60_001, 200_000), fc.constantFrom('a', 'é', '\u4e2d', '\u{1f600}', 'ab\u0000', '\ud800'))
  .map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/** Hostile strings of every kind, weighted towards short ones (most fields). */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.string({ unit: 'binary', maxLength: 64 }), weight: 6 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 64 }), weight: 3 },
  { arbitrary: fc.array(fc.constantFrom(...nastyPieces), { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join('')), weight: 5 },
  { arbitrary: fc.constantFrom(...sqlInjectionCorpus), weight: 3 },
  { arbitrary: fc.constantFrom('', ' ', '\t', '\u0000'), weight: 2 },
  { arbitrary: longString, weight: 1 },
);

/** Numbers at the edges, and numbers only raw JSON can carry (`1e400` parses to Infinity, `-0`). */
export const edgeNumber: fc.Arbitrary<number | RawJson> = fc.oneof(
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER + 2, Number.MAX_VALUE, Number.MIN_VALUE, -Number.MAX_VALUE, 0.1, 1.5, 1e21),
  fc.constantFrom(new RawJson('1e400'), new RawJson('-1e400'), new RawJson('-0'), new RawJson('1.0000000000000000000001'), new RawJson('123456789012345678901234567890'), new RawJson('1E-400')),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Nesting far deeper than any schema: arrays or objects 1,000 to 100,000 levels down, as raw text. */
export const deepValue: fc.Arbitrary<RawJson> = fc
  .tuple(fc.constantFrom(1_000, 20_000, 100_000), fc.boolean())
  .map(([depth, arrays]) => new RawJson(arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}null${'}'.repeat(depth)}`));

/** Keys that poison naive object handling. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', '\u0000', 'a'.repeat(10_000)), fc.string({ unit: 'binary', maxLength: 20 }));

/** Any hostile value: strings, edge numbers, wrong types, deep nesting, poisoned objects, arbitrary JSON. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: hostileString, weight: 5 },
  { arbitrary: edgeNumber, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, [], {}), weight: 2 },
  { arbitrary: deepValue, weight: 1 },
  { arbitrary: fc.dictionary(hostileKey, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), weight: 2 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 3 },
  { arbitrary: fc.array(hostileString, { maxLength: 5 }), weight: 2 },
);
