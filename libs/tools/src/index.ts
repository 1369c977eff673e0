export { createExaiMcpServer, toolCatalogue, defaultToolLimits, type ExaiServerOptions } from './create-exai-mcp-server.js';
export { defineTool, type AnyExaiTool, type ExaiTool, type ToolContext, type ToolDependencies, type ToolLimits, type ToolProfile, type ProviderSummary, type VendorClients, type ToolCallEvent, type ToolCallObserver } from './tool-definition.js';
export { selectTools, canonicalToolName, ALWAYS_ON_TOOLS, type ToolSelection } from './tool-registry.js';
export { runModelCall, collectStream } from './model-call.js';
export { resultMetadata, resultMetadataSchema, type ResultMetadata } from './result-metadata.js';
export { runChat, type ChatToolDependencies, type ChatCallContext } from './chat/chat-tool.js';
export { chatInputShape, chatOutputShape, DEFAULT_PROMPT_MAX_CHARS, type ChatInput, type ChatOutput } from './chat/chat-schema.js';
export { buildChatRequest, chatSystemPrompt, userTurnText } from './chat/build-chat-request.js';
export {
  ConversationMemory,
  replayTurns,
  type ConversationMemoryOptions,
  type ConversationTurn,
} from './conversation/conversation-memory.js';
export type { ConversationStore } from './conversation/conversation-store.js';
export { StorageConversationStore, type StorageConversationStoreOptions } from './conversation/storage-conversation-store.js';
export { embedFiles, DEFAULT_MAX_FILE_BYTES, type EmbeddedFile } from './files/embed-files.js';
export { loadImages, MAX_IMAGE_BYTES } from './files/load-images.js';
export { listModels, renderModels, listModelsOutputShape, type ListModelsOutput } from './simple/listmodels-tool.js';
export { renderVersion, versionOutputShape, type VersionOutput } from './simple/version-tool.js';
export { ProgressReporter, type ProgressParams } from './progress-reporter.js';
export { ToolInputError } from './tool-input-error.js';
export { ToolTimeoutError } from './tool-timeout-error.js';
export { toolErrorResult } from './tool-result.js';
export { silentLogger, type ToolLogger } from './tool-logger.js';
export type { ToolsRouter } from './tools-router.js';
export {
  DEFAULT_CONVERSATION_TIMEOUT_HOURS,
  DEFAULT_MAX_CONVERSATION_TURNS,
  ConversationFullError,
  ConversationNotFoundError,
} from './conversation/conversation-store.js';
export { buildHistory, allocateContextBudget, historyFiles, type BuildHistoryOptions, type ConversationHistory, type ContextBudget } from './conversation/build-history.js';
export { loadContinuation, recordExchange, type ExchangeRecord } from './conversation/thread-turns.js';
export { estimateTokens, estimateMessagesTokens, CHARS_PER_TOKEN } from './conversation/estimate-tokens.js';
export { createFileAccessPolicy, fileAccessPolicyOf, resolveAllowedPath, expandPaths, secretReason, SKIPPED_DIRECTORIES, type FileAccessPolicy } from './files/file-access.js';
export { embedFilesWithinBudget, type EmbeddedFiles } from './files/embed-files.js';
export { defineWorkflowTool, confidenceLevels, workflowStepShape, type WorkflowSpec, type WorkflowExpert, type WorkflowOutcome, type WorkflowInput, type WorkflowStep, type WorkflowState } from './workflow/workflow-engine.js';
export { simpleTools } from './simple/index.js';
export { workflowTools } from './workflow/index.js';
export { vendorTools, classifyIntentByRules, parseIntentHints, buildIntentRequest, toAiClassification, type IntentHints } from './vendor/index.js';
export { redactSecrets, redactPayload } from './redact-secrets.js';
export { compactOutputSchema } from './compact-output-schema.js';
