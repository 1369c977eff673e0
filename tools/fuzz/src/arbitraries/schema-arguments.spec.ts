import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { RawJson, toJsonText } from './raw-json.js';
import { mutatedArguments, schemaValue, type JsonSchema } from './schema-arguments.js';

const chatSchema: JsonSchema = {
  type: 'object',
  properties: {
    prompt: { type: 'string' },
    model: { type: 'string' },
    temperature: { type: 'number' },
    thinking_mode: { type: 'string', enum: ['off', 'low', 'high'] },
    files: { type: 'array', items: { type: 'string' } },
  },
  required: ['prompt'],
};
const pools = { paths: ['/root/a.txt'], models: ['glm-4.5-flash'], ids: ['id-1'] };

describe('schemaValue', () => {
  it('always gives required keys, enum values from the enum and paths from the pool for path fields', () => {
    fc.assert(
      fc.property(schemaValue(chatSchema, '', pools), (value) => {
        const args = value as Record<string, unknown>;
        expect(typeof args['prompt']).toBe('string');
        if (args['thinking_mode'] !== undefined) expect(['off', 'low', 'high']).toContain(args['thinking_mode']);
        if (typeof args['temperature'] === 'number') expect(args['temperature']).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200, seed: 7 },
    );
    const files = fc.sample(schemaValue(chatSchema, '', pools), { numRuns: 300, seed: 3 }).flatMap((value) => ((value as { files?: string[] }).files ?? []));
    expect(files).toContain('/root/a.txt');
  });
});

describe('mutatedArguments', () => {
  it('produces every mutation and always serialises to JSON text', () => {
    const samples = fc.sample(mutatedArguments(chatSchema, pools), { numRuns: 500, seed: 11 });
    expect(new Set(samples.map((sample) => sample.mutation))).toEqual(new Set(['none', 'dropKey', 'wrongValue', 'extraKeys', 'notAnObject']));
    for (const sample of samples) expect(() => toJsonText(sample.args)).not.toThrow();
  });
});

describe('toJsonText', () => {
  it('writes raw parts verbatim, JSON.parse reads the numbers they stand for', () => {
    const text = toJsonText({ a: new RawJson('1e400'), b: [1, new RawJson('-0')], c: 'x', d: undefined });
    expect(text).toBe('{"a":1e400,"b":[1,-0],"c":"x"}');
    expect(JSON.parse(text)).toEqual({ a: Infinity, b: [1, -0], c: 'x' });
  });
});
