export {
  createRouter,
  routerDefaults,
  type Router,
  type RouterOptions,
  type RouterRetryOptions,
  type RoutedCall,
  type RoutedChatResult,
  type RoutedStream,
  type RoutedStreamSummary,
  type ModelAvailability,
  type ResolvedModel,
} from './create-router.js';
export type { ProviderSetup, RouterLogger } from './model-access.js';
export { createModelRegistry, type ModelRegistry, type ModelRegistryOptions } from './model-registry.js';
export { defaultModels } from './default-models.js';
export { loadModelsFile, parseModelOverrides, isModelOverrides, type ModelOverrides, type ModelOverrideEntry } from './models-file.js';
export { modelInfoSchema, modelOverrideSchema, type ModelOverride } from './model-info-schema.js';
export { prepareRequest, type PreparedRequest, type PrepareContext } from './prepare-request.js';
export { estimateCost } from './estimate-cost.js';
export { estimatePromptTokens, estimateTextTokens } from './estimate-prompt-tokens.js';
export {
  UnknownModelError,
  ProviderNotConfiguredError,
  ModelNotAllowedError,
  CapabilityError,
  ModelsFileError,
  type CapabilityName,
} from './router-errors.js';
