import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { describeIssues, modelOverrideSchema, type ModelOverride } from './model-info-schema.js';
import { ModelsFileError } from './router-errors.js';

const brand = Symbol.for('exai.router.ModelOverrides');

/** One validated entry of a models file, with where it came from. */
export interface ModelOverrideEntry {
  /** JSON path of the entry in its source, for error messages (`$.models[2]`). */
  path: string;
  model: ModelOverride;
}

/** Validated model additions and overrides, ready for `createModelRegistry({ overrides })`. */
export interface ModelOverrides {
  /** The file (or other source) they came from, named in error messages. */
  readonly source: string;
  readonly entries: readonly ModelOverrideEntry[];
}

const fileObjectSchema = z.strictObject({
  $schema: z.string().optional(),
  models: z.array(modelOverrideSchema),
});

/** True when `value` came from {@link parseModelOverrides} or {@link loadModelsFile}. */
export function isModelOverrides(value: unknown): value is ModelOverrides {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Validates models-file content: `{ "models": [ … ] }` or a bare array of entries. Each entry has an
 * `id`; an existing id is overridden field by field (nested `prices`, `capabilities` and
 * `temperature` merge), a new id needs the full `ModelInfo` shape (checked when the registry is built).
 * Throws a {@link ModelsFileError} naming `source` and the JSON path of every problem.
 */
export function parseModelOverrides(input: unknown, source = 'overrides'): ModelOverrides {
  if (isModelOverrides(input)) return input;
  const isArray = Array.isArray(input);
  const parsed = isArray ? z.array(modelOverrideSchema).safeParse(input) : fileObjectSchema.safeParse(input);
  if (!parsed.success) throw new ModelsFileError({ source, problems: describeIssues(parsed.error, '$') });
  const models = Array.isArray(parsed.data) ? parsed.data : parsed.data.models;
  const base = isArray ? '$' : '$.models';
  const overrides: ModelOverrides = { source, entries: models.map((model, index) => ({ path: `${base}[${index}]`, model })) };
  Object.defineProperty(overrides, brand, { value: true });
  return overrides;
}

/**
 * Reads and validates a models file (the one `EXAI_MODELS_FILE` names). Throws a {@link ModelsFileError}
 * naming the file when it cannot be read, is not JSON, or does not match the schema.
 */
export function loadModelsFile(path: string): ModelOverrides {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ModelsFileError({ source: path, problems: [`cannot be read: ${(error as Error).message}`], cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelsFileError({ source: path, problems: [`$: not valid JSON: ${(error as Error).message}`], cause: error });
  }
  return parseModelOverrides(json, path);
}
