import fc from 'fast-check';
import { deepValue, edgeNumber, hostileKey, hostileString, hostileValue } from './hostile-values.js';
import { RawJson } from './raw-json.js';

/** The part of JSON Schema that tools' `inputSchema`s use. */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
}

/** Strings worth sending to fields by their meaning: real paths, model names and ids of this run. */
export interface StringPools {
  /** For fields that take paths: files inside the root, the root, and escapes. */
  paths: readonly string[];
  models: readonly string[];
  /** For `continuation_id`, `file_id(s)`: ids seen in this run, and lookalikes. */
  ids: readonly string[];
}

const pathField = /(^|_)(files?|paths?|images|destination|relevant_files|files_checked|style_guide_examples)$/;
const idField = /(continuation_id|file_ids?|branch_id)$/;

/** Text for a field: mostly ordinary, sometimes hostile; paths, models and ids from the pools for fields that take them. */
function stringFor(field: string, pools: StringPools): fc.Arbitrary<string> {
  const ordinary = fc.oneof(fc.lorem({ maxCount: 8 }), fc.string({ maxLength: 30 }));
  if (pathField.test(field) && pools.paths.length > 0) return fc.oneof({ arbitrary: fc.constantFrom(...pools.paths), weight: 4 }, { arbitrary: hostileString, weight: 1 });
  if (field === 'model' && pools.models.length > 0) return fc.oneof({ arbitrary: fc.constantFrom(...pools.models), weight: 4 }, { arbitrary: hostileString, weight: 1 });
  if (idField.test(field)) return fc.oneof({ arbitrary: pools.ids.length > 0 ? fc.constantFrom(...pools.ids) : fc.uuid(), weight: 2 }, { arbitrary: fc.uuid(), weight: 1 }, { arbitrary: hostileString, weight: 1 });
  return fc.oneof({ arbitrary: ordinary, weight: 3 }, { arbitrary: hostileString, weight: 1 });
}

/** Arguments that follow `schema`: required keys always, optional ones half the time, values by type and field name. */
export function schemaValue(schema: JsonSchema, field: string, pools: StringPools, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.anyOf && schema.anyOf.length > 0) return fc.oneof(...schema.anyOf.map((option) => schemaValue(option, field, pools, depth + 1)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(field, pools);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? (/step|limit|count|files/.test(field) ? 0 : -5), max: Math.min(schema.maximum ?? 5, 5) });
    case 'number':
      if (schema.minimum !== undefined || schema.maximum !== undefined) return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 4, noNaN: true });
      return field === 'temperature' ? fc.double({ min: 0, max: 1, noNaN: true }) : fc.integer({ min: 0, max: 4 });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 8 ? fc.constant([]) : fc.array(schemaValue(schema.items ?? {}, field, pools, depth + 1), { minLength: schema.minItems ?? 0, maxLength: Math.max(3, schema.minItems ?? 0) });
    case 'object': {
      if (depth > 8 || !schema.properties) return fc.constant({});
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, property] of Object.entries(schema.properties)) model[key] = schemaValue(property, key, pools, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** One way to break arguments that followed the schema. */
type Mutation = (args: Record<string, unknown>, pick: number, value: unknown) => unknown;

const mutations: Record<string, Mutation> = {
  none: (args) => args,
  dropKey: (args, pick) => {
    const keys = Object.keys(args);
    if (keys.length === 0) return args;
    const { [keys[pick % keys.length] as string]: _dropped, ...rest } = args;
    return rest;
  },
  wrongValue: (args, pick, value) => {
    const keys = Object.keys(args);
    return keys.length === 0 ? { unexpected: value } : { ...args, [keys[pick % keys.length] as string]: value };
  },
  extraKeys: (args, _pick, value) => ({ ...args, ...(typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { extra: value }) }),
  notAnObject: (_args, _pick, value) => value,
};

/** Schema-following arguments for a tool, then (most of the time) broken in one way. */
export function mutatedArguments(schema: JsonSchema, pools: StringPools): fc.Arbitrary<{ args: unknown; mutation: string }> {
  const valid = schemaValue(schema, '', pools) as fc.Arbitrary<Record<string, unknown>>;
  const replacement = fc.oneof(
    { arbitrary: hostileValue, weight: 4 },
    { arbitrary: hostileString, weight: 3 },
    { arbitrary: edgeNumber, weight: 2 },
    { arbitrary: deepValue, weight: 1 },
    { arbitrary: fc.dictionary(hostileKey, hostileValue, { minKeys: 1, maxKeys: 3 }), weight: 1 },
    { arbitrary: fc.constant(new RawJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')), weight: 1 },
  );
  const mutation = fc.oneof(
    { arbitrary: fc.constant('none'), weight: 3 },
    { arbitrary: fc.constant('dropKey'), weight: 2 },
    { arbitrary: fc.constant('wrongValue'), weight: 5 },
    { arbitrary: fc.constant('extraKeys'), weight: 2 },
    { arbitrary: fc.constant('notAnObject'), weight: 1 },
  );
  return fc.tuple(valid, mutation, fc.nat(), replacement).map(([args, name, pick, value]) => ({ args: (mutations[name] as Mutation)(args, pick, value), mutation: name }));
}
