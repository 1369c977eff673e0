import type { ModelAvailability, Router } from '@exai/router';
import type { ModelInfo } from '@exai/router/spec';

/** One entry of `GET /v1/models`: OpenAI's fields plus what exai knows about the model. */
export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  aliases?: string[];
  context_window?: number;
  max_output_tokens?: number;
  quality_tier?: string;
  capabilities?: ModelInfo['capabilities'];
}

function modelObject(info: ModelInfo, created: number): OpenAiModel {
  return {
    id: info.id,
    object: 'model',
    created,
    owned_by: info.provider,
    aliases: info.aliases,
    context_window: info.contextWindow,
    max_output_tokens: info.maxOutputTokens,
    quality_tier: info.qualityTier,
    capabilities: info.capabilities,
  };
}

function autoModel(created: number): OpenAiModel {
  return { id: 'auto', object: 'model', created, owned_by: 'exai' };
}

/** `GET /v1/models`: `auto` and every registry model that can be used now (a key is set, it is allowed). */
export function modelList(router: Pick<Router, 'listModels'>, created: number): { object: 'list'; data: OpenAiModel[] } {
  const usable = router.listModels().filter((entry: ModelAvailability) => entry.available);
  return { object: 'list', data: [autoModel(created), ...usable.map((entry) => modelObject(entry.info, created))] };
}

/** `GET /v1/models/{model}`: by id or alias (case-insensitive); undefined when unknown or not usable. */
export function findModel(router: Pick<Router, 'listModels'>, name: string, created: number): OpenAiModel | undefined {
  const wanted = name.trim().toLowerCase();
  if (wanted === 'auto') return autoModel(created);
  const entry = router.listModels().find((candidate) => candidate.available && (candidate.info.id.toLowerCase() === wanted || candidate.info.aliases.some((alias) => alias.toLowerCase() === wanted)));
  return entry ? modelObject(entry.info, created) : undefined;
}
