import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { defaultModels } from './default-models.js';
import { modelInfoSchema } from './model-info-schema.js';
import { createModelRegistry } from './model-registry.js';
import { loadModelsFile } from './models-file.js';
import { ModelsFileError } from './router-errors.js';

const expectedIds = [
  'glm-4.6',
  'glm-4.5',
  'glm-4.5-air',
  'glm-4.5-flash',
  'glm-4.5v',
  'kimi-k2-0905-preview',
  'kimi-k2-turbo-preview',
  'kimi-k2-0711-preview',
  'kimi-k2-thinking',
  'kimi-k2-thinking-turbo',
  'kimi-thinking-preview',
  'moonshot-v1-8k',
  'moonshot-v1-32k',
  'moonshot-v1-128k',
  'moonshot-v1-8k-vision-preview',
  'moonshot-v1-32k-vision-preview',
  'moonshot-v1-128k-vision-preview',
];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'exai-models-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeModels(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function fileError(path: string): ModelsFileError {
  try {
    createModelRegistry({ overrides: loadModelsFile(path) });
  } catch (error) {
    if (ModelsFileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ModelsFileError');
}

describe('default models', () => {
  const registry = createModelRegistry();

  it('has every model of provider-wire.md §3', () => {
    const ids = registry.list().map((model) => model.id);
    for (const id of expectedIds) expect(ids).toContain(id);
    expect(registry.byProvider('glm').map((model) => model.id)).toEqual(expect.arrayContaining(['glm-4.6', 'glm-4.5v']));
    expect(registry.byProvider('kimi')).toHaveLength(12);
  });

  it('are valid ModelInfo', () => {
    for (const model of defaultModels) expect(modelInfoSchema.safeParse(model).success).toBe(true);
  });

  it('resolves every id and alias to its model, case-insensitively, and no name twice', () => {
    const names = new Map<string, string>();
    for (const model of registry.list()) {
      for (const name of [model.id, ...model.aliases]) {
        expect(names.get(name.toLowerCase())).toBeUndefined();
        names.set(name.toLowerCase(), model.id);
        expect(registry.resolve(name)?.id).toBe(model.id);
        expect(registry.resolve(name.toUpperCase())?.id).toBe(model.id);
      }
    }
  });

  it.each([
    ['glm-latest', 'glm-4.6'],
    ['flash', 'glm-4.5-flash'],
    ['glm-flash', 'glm-4.5-flash'],
    ['glm-vision', 'glm-4.5v'],
    ['kimi', 'kimi-k2-0905-preview'],
    ['kimi-k2', 'kimi-k2-0905-preview'],
    ['kimi-k2-0905', 'kimi-k2-0905-preview'],
    ['kimi-turbo', 'kimi-k2-turbo-preview'],
    ['kimi-k2-turbo', 'kimi-k2-turbo-preview'],
    ['kimi-thinking', 'kimi-k2-thinking'],
  ])('resolves alias %s to %s', (alias, id) => {
    expect(registry.resolve(alias)?.id).toBe(id);
  });

  it('get() takes ids only; unknown names give undefined', () => {
    expect(registry.get('GLM-4.6')?.id).toBe('glm-4.6');
    expect(registry.get('kimi')).toBeUndefined();
    expect(registry.resolve('gpt-4o')).toBeUndefined();
  });

  it('carries the §3 figures, tiers and temperatures', () => {
    const glm46 = registry.get('glm-4.6')!;
    expect(glm46).toMatchObject({ contextWindow: 204_800, maxOutputTokens: 131_072, qualityTier: 'deep' });
    expect(glm46.prices).toEqual({ inputPerMillion: 0.6, cachedInputPerMillion: 0.11, outputPerMillion: 2.2, perWebSearch: 0.01 });
    expect(glm46.temperature.default).toBe(1);
    expect(registry.get('glm-4.5')!.temperature.default).toBe(0.6);
    expect(registry.get('glm-4.5v')!).toMatchObject({ contextWindow: 65_536, maxOutputTokens: 16_384, temperature: { default: 0.8 } });
    expect(registry.get('glm-4.5v')!.capabilities.vision).toBe(true);
    expect(registry.get('glm-4.5-flash')!.prices.inputPerMillion).toBe(0);
    expect(registry.get('kimi-k2-turbo-preview')!.prices).toEqual({ inputPerMillion: 1.15, cachedInputPerMillion: 0.15, outputPerMillion: 8, perWebSearch: 0.005 });
    expect(registry.get('kimi-k2-thinking')!.temperature).toMatchObject({ fixed: 1, default: 1 });
    expect(registry.get('kimi-k2-thinking')!.capabilities.thinking).toBe('always');
    expect(registry.get('moonshot-v1-8k')!.temperature.default).toBe(0);
    expect(registry.get('kimi-k2-0905-preview')!.capabilities).toMatchObject({ thinking: 'none', files: true, partialMode: true, vision: false });
    for (const model of registry.byProvider('kimi')) expect(model.capabilities.files).toBe(true);
    const tiers = (tier: string) => registry.list().filter((model) => model.qualityTier === tier).map((model) => model.id);
    expect(tiers('fast')).toEqual(expect.arrayContaining(['glm-4.5-flash', 'glm-4.5-air', 'kimi-k2-turbo-preview', 'moonshot-v1-8k']));
    expect(tiers('deep')).toEqual(expect.arrayContaining(['glm-4.6', 'kimi-k2-thinking', 'kimi-thinking-preview']));
  });

  it('hands out frozen models', () => {
    const model = registry.get('glm-4.6')!;
    expect(Object.isFrozen(model) && Object.isFrozen(model.prices)).toBe(true);
  });
});

describe('models file (EXAI_MODELS_FILE)', () => {
  it('overrides fields of an existing model and adds a new one', () => {
    const path = writeModels('good.json', {
      models: [
        { id: 'GLM-4.6', prices: { inputPerMillion: 0.5 }, aliases: ['glm-latest', 'glm-best'] },
        {
          id: 'kimi-k2.5',
          provider: 'kimi',
          aliases: ['k25'],
          contextWindow: 262_144,
          maxOutputTokens: 32_768,
          prices: { inputPerMillion: 0.6, cachedInputPerMillion: 0.1, outputPerMillion: 3, perWebSearch: 0.005 },
          capabilities: { thinking: 'hybrid', vision: true, tools: true, webSearch: true, files: true, streaming: true, jsonMode: true, partialMode: true },
          temperature: { min: 0, max: 1, default: 0.6 },
          qualityTier: 'balanced',
          description: 'Kimi K2.5',
        },
      ],
    });
    const registry = createModelRegistry({ overrides: loadModelsFile(path) });
    const glm = registry.resolve('glm-best')!;
    expect(glm.id).toBe('glm-4.6');
    expect(glm.prices).toEqual({ inputPerMillion: 0.5, cachedInputPerMillion: 0.11, outputPerMillion: 2.2, perWebSearch: 0.01 });
    expect(glm.contextWindow).toBe(204_800);
    expect(registry.resolve('K25')?.id).toBe('kimi-k2.5');
    expect(registry.list()).toHaveLength(defaultModels.length + 1);
  });

  it('accepts a bare array and raw overrides (reported as "overrides")', () => {
    const registry = createModelRegistry({ overrides: [{ id: 'glm-4.5-flash', qualityTier: 'balanced' }] });
    expect(registry.get('glm-4.5-flash')?.qualityTier).toBe('balanced');
    expect(() => createModelRegistry({ overrides: [{ id: 'glm-4.5-flash', qualityTier: 'ultra' }] })).toThrow(/Models file overrides is invalid:\n {2}- \$\[0\]\.qualityTier: /);
  });

  it('names the file, the JSON path and the problem for a wrong type', () => {
    const path = writeModels('bad-type.json', { models: [{ id: 'glm-4.6' }, { id: 'glm-4.5', prices: { inputPerMillion: 'cheap' } }] });
    const error = fileError(path);
    expect(error.code).toBe('invalid_models_file');
    expect(error.message).toContain(path);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^\$\.models\[1\]\.prices\.inputPerMillion: .*number/i);
  });

  it('rejects unknown fields, so typos do not pass silently', () => {
    const error = fileError(writeModels('typo.json', { models: [{ id: 'glm-4.6', contextWindw: 1000 }] }));
    expect(error.problems[0]).toMatch(/^\$\.models\[0\]/);
    expect(error.problems[0]).toContain('contextWindw');
  });

  it('requires the full shape for a new model', () => {
    const error = fileError(writeModels('partial-new.json', { models: [{ id: 'new-model', provider: 'glm', description: 'x' }] }));
    expect(error.problems.join('\n')).toContain('$.models[0].contextWindow');
    expect(error.problems[0]).toContain('new model "new-model" needs the full shape');
  });

  it('checks merged values (default temperature outside the range)', () => {
    const error = fileError(writeModels('range.json', { models: [{ id: 'glm-4.6', temperature: { default: 1.5 } }] }));
    expect(error.problems).toEqual(['$.models[0].temperature.default: default must lie between min and max']);
  });

  it('rejects an alias that another model already uses', () => {
    const error = fileError(writeModels('clash.json', { models: [{ id: 'glm-4.5', aliases: ['kimi'] }] }));
    expect(error.problems[0]).toBe('$.models[0].aliases: "kimi" of glm-4.5 is already a name of kimi-k2-0905-preview');
  });

  it('reports invalid JSON and unreadable files', () => {
    const broken = writeModels('broken.json', '{ "models": [');
    expect(fileError(broken).problems[0]).toMatch(/^\$: not valid JSON/);
    const missing = join(dir, 'missing.json');
    expect(() => loadModelsFile(missing)).toThrow(`Models file ${missing} is invalid:\n  - cannot be read: ENOENT`);
  });
});
