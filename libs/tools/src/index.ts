export { createExaiMcpServer, toolNames, type ExaiServerOptions, type ProviderSummary } from './create-exai-mcp-server.js';
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
export { listModels, renderModels, listModelsOutputShape, type ListModelsOutput } from './listmodels-tool.js';
export { renderVersion, versionOutputShape, type VersionOutput } from './version-tool.js';
export { ProgressReporter, type ProgressParams } from './progress-reporter.js';
export { ToolInputError } from './tool-input-error.js';
export { ToolTimeoutError } from './tool-timeout-error.js';
export { toolErrorResult } from './tool-result.js';
export { silentLogger, type ToolLogger } from './tool-logger.js';
export type { ToolsRouter } from './tools-router.js';
