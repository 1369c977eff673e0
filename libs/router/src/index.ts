export {
  createRouter,
  type Router,
  type RoutedCall,
  type RoutedChatResult,
  type RoutedStream,
  type RoutedStreamSummary,
  type ModelAvailability,
  type ResolvedModel,
  type RouterStatus,
  type KeyStatus,
} from './create-router.js';
export {
  routerDefaults,
  routerTimeoutLayers,
  routerTimeoutSettings,
  type RouterOptions,
  type RouterRetryOptions,
  type RouterFallbackOptions,
  type RouterLimits,
  type RouterBreakerOptions,
} from './router-options.js';
export type { RoutingDecision, RoutingTask, TaskCategory, ClassifiedBy, RequestNeeds, ChainEntry } from './routing-decision.js';
export type {
  RouterEvents,
  RouterEventMap,
  RouterEventType,
  RouterEventListener,
  DecisionEvent,
  RetryEvent,
  FallbackEvent,
  BreakerEvent,
  BreakerState,
  RejectedEvent,
  CallEvent,
  AttemptRecord,
  AttemptOutcome,
  TargetRef,
} from './router-events.js';
export { aiManagerDefaults, parseClassification, type AiManagerOptions, type AiClassification } from './ai-manager.js';
export type { BulkheadStatus } from './call-limits.js';
export type { ProviderSetup, RouterLogger } from './model-access.js';
export { createModelRegistry, type ModelRegistry, type ModelRegistryOptions } from './model-registry.js';
export { defaultModels } from './default-models.js';
export { loadModelsFile, parseModelOverrides, isModelOverrides, type ModelOverrides, type ModelOverrideEntry } from './models-file.js';
export { modelInfoSchema, modelOverrideSchema, type ModelOverride } from './model-info-schema.js';
export { prepareRequest, type PreparedRequest, type PrepareContext } from './prepare-request.js';
export { estimateCost } from './estimate-cost.js';
export { isAutoModelName } from './is-auto-model-name.js';
export { estimatePromptTokens, estimateTextTokens } from './estimate-prompt-tokens.js';
export {
  UnknownModelError,
  ProviderNotConfiguredError,
  ModelNotAllowedError,
  CapabilityError,
  ModelsFileError,
  OverCapacityError,
  NoQualifyingModelError,
  type CapabilityName,
  type CapacityScope,
  type RejectedCandidate,
  type RejectionCode,
} from './router-errors.js';
