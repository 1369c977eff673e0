import { z, type ZodRawShape, type ZodType } from 'zod';

/**
 * The output schema a tool announces in `tools/list`: its required top-level fields with their
 * types, nested objects and arrays left open, any other field allowed (optional ones appear in
 * results when they apply). Every client pays for `tools/list`
 * in its context on every turn (Zen's 30–40k tokens were its users' first complaint), while the
 * nested detail is plain in each result; the tools' full zod schemas stay in code for types and tests.
 */
export function compactOutputSchema(output: ZodRawShape | z.ZodObject): z.ZodObject {
  const shape: ZodRawShape = output instanceof z.ZodObject ? output.shape : output;
  const compact: Record<string, ZodType> = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) continue;
    compact[key] = shallow(schema as ZodType);
  }
  return z.looseObject(compact);
}

function shallow(schema: ZodType): ZodType {
  if (schema instanceof z.ZodNullable) return shallow(schema.unwrap() as ZodType).nullable();
  if (schema instanceof z.ZodObject) return z.looseObject({});
  if (schema instanceof z.ZodArray) return z.array(z.unknown());
  if (schema instanceof z.ZodString) return z.string();
  if (schema instanceof z.ZodNumber) return z.number();
  if (schema instanceof z.ZodBoolean) return z.boolean();
  if (schema instanceof z.ZodEnum) return z.enum(schema.options as [string, ...string[]]);
  if (schema instanceof z.ZodLiteral) return schema;
  return z.unknown();
}
