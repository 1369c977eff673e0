import type { ModelInfo } from '@exai/router/spec';
import { defaultModels } from './default-models.js';
import { describeIssues, modelInfoSchema, type ModelOverride } from './model-info-schema.js';
import { parseModelOverrides, type ModelOverrides } from './models-file.js';
import { ModelsFileError } from './router-errors.js';

/** Lookup of the models exai knows. Names are matched case-insensitively. */
export interface ModelRegistry {
  /** The model whose id or alias is `nameOrAlias`, or undefined. */
  resolve(nameOrAlias: string): ModelInfo | undefined;
  /** The model with this exact id (case-insensitive), or undefined. Aliases are not considered. */
  get(id: string): ModelInfo | undefined;
  /** Every model, in registry order (defaults first, then models added by overrides). */
  list(): ModelInfo[];
  /** The models of one provider (`glm`, `kimi`). */
  byProvider(provider: string): ModelInfo[];
}

/** Settings of {@link createModelRegistry}. */
export interface ModelRegistryOptions {
  /** The base models. Default: {@link defaultModels}. */
  models?: readonly ModelInfo[];
  /**
   * Additions and overrides: the result of `loadModelsFile`, or models-file content (validated here,
   * reported as coming from "overrides").
   */
  overrides?: unknown;
}

function deepFreeze(model: ModelInfo): ModelInfo {
  Object.freeze(model.aliases);
  Object.freeze(model.prices);
  Object.freeze(model.capabilities);
  Object.freeze(model.temperature);
  return Object.freeze(model);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

function merge(base: ModelInfo, override: ModelOverride): unknown {
  const { prices, capabilities, temperature, ...top } = override;
  return {
    ...base,
    ...withoutUndefined(top),
    id: base.id,
    prices: { ...base.prices, ...withoutUndefined(prices ?? {}) },
    capabilities: { ...base.capabilities, ...withoutUndefined(capabilities ?? {}) },
    temperature: { ...base.temperature, ...withoutUndefined(temperature ?? {}) },
  };
}

function applyOverrides(base: readonly ModelInfo[], overrides: ModelOverrides, origins: Map<string, string>): ModelInfo[] {
  const models = [...base];
  const problems: string[] = [];
  for (const { path, model: override } of overrides.entries) {
    const index = models.findIndex((model) => model.id.toLowerCase() === override.id.toLowerCase());
    const existing = index === -1 ? undefined : models[index];
    const candidate = existing ? merge(existing, override) : override;
    const parsed = modelInfoSchema.safeParse(candidate);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error, path);
      problems.push(...(existing ? issues : issues.map((issue) => `${issue} (new model "${override.id}" needs the full shape)`)));
      continue;
    }
    origins.set(parsed.data.id.toLowerCase(), path);
    if (existing) models[index] = parsed.data;
    else models.push(parsed.data);
  }
  if (problems.length) throw new ModelsFileError({ source: overrides.source, problems });
  return models;
}

/**
 * Builds a registry from the default models (or `models`) plus validated `overrides`. Ids and aliases
 * must be unique across all models, case-insensitively; a clash is reported like any other problem of
 * the overrides (or as a plain error for the base list, which is code).
 *
 * @example
 * const registry = createModelRegistry({ overrides: process.env.EXAI_MODELS_FILE ? loadModelsFile(process.env.EXAI_MODELS_FILE) : undefined });
 * registry.resolve('kimi')?.id; // 'kimi-k2-0905-preview'
 */
export function createModelRegistry(options: ModelRegistryOptions = {}): ModelRegistry {
  const origins = new Map<string, string>();
  const overrides = options.overrides === undefined ? undefined : parseModelOverrides(options.overrides);
  const base = options.models ?? defaultModels;
  const models = (overrides ? applyOverrides(base, overrides, origins) : [...base]).map((model) =>
    deepFreeze({ ...model, aliases: [...model.aliases], prices: { ...model.prices }, capabilities: { ...model.capabilities }, temperature: { ...model.temperature } }),
  );

  const byId = new Map<string, ModelInfo>();
  const byName = new Map<string, ModelInfo>();
  const clashes: string[] = [];
  for (const model of models) byId.set(model.id.toLowerCase(), model);
  // Names of untouched models first, so a clash is blamed on the models-file entry that caused it.
  const touched = (model: ModelInfo): boolean => origins.has(model.id.toLowerCase());
  for (const model of [...models.filter((model) => !touched(model)), ...models.filter(touched)]) {
    for (const name of [model.id, ...model.aliases]) {
      const key = name.toLowerCase();
      const taken = byName.get(key) ?? (key !== model.id.toLowerCase() ? byId.get(key) : undefined);
      if (taken && taken !== model) {
        const where = origins.get(model.id.toLowerCase());
        clashes.push(`${where ? `${where}.aliases: ` : ''}"${name}" of ${model.id} is already a name of ${taken.id}`);
        continue;
      }
      byName.set(key, model);
    }
  }
  if (clashes.length) {
    if (overrides) throw new ModelsFileError({ source: overrides.source, problems: clashes });
    throw new Error(`Model names must be unique: ${clashes.join('; ')}`);
  }

  return {
    resolve: (nameOrAlias) => byName.get(nameOrAlias.trim().toLowerCase()),
    get: (id) => byId.get(id.trim().toLowerCase()),
    list: () => [...models],
    byProvider: (provider) => models.filter((model) => model.provider === provider),
  };
}
