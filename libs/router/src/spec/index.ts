export type { ChatModel, CallOptions, Provider } from './chat-model.js';
export type {
  ChatRequest,
  ChatMessage,
  SystemMessage,
  UserMessage,
  AssistantMessage,
  ToolMessage,
  UserContentPart,
  TextPart,
  ImagePart,
  VideoPart,
  ToolCall,
  FunctionTool,
  ThinkingLevel,
  ThinkingOptions,
  SearchRecency,
  WebSearchOptions,
  ResponseFormat,
} from './chat-request.js';
export type { ChatResult, Usage, FinishReason, WebSearchResult } from './chat-result.js';
export type {
  StreamPart,
  ResponseMetadataPart,
  TextDeltaPart,
  ReasoningDeltaPart,
  ToolCallPart,
  WebSearchResultsPart,
  FinishPart,
  ErrorPart,
} from './stream-part.js';
export type {
  ModelInfo,
  ModelPrices,
  ModelCapabilities,
  TemperatureRange,
  ThinkingSupport,
  QualityTier,
} from './model-info.js';
export { ExaiError, type ExaiErrorOptions } from './exai-error.js';
export {
  ProviderError,
  AuthenticationError,
  RateLimitedError,
  QuotaExhaustedError,
  ContextTooLongError,
  ContentFilteredError,
  InvalidRequestError,
  ModelNotFoundError,
  ProviderUnavailableError,
  ProviderTimeoutError,
  AbortedError,
  type ProviderErrorCode,
  type ProviderErrorOptions,
} from './provider-error.js';
