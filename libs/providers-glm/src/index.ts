export { createGlm, GlmProvider } from './glm-provider.js';
export { DEFAULT_GLM_BASE_URL, GLM_API_KEY_ENV, GLM_PROVIDER_ID, type GlmProviderSettings } from './glm-client.js';
export type { GlmFetch } from './glm-fetch.js';
export { GlmChatModel } from './glm-chat-model.js';
export { DEFAULT_GLM_SEARCH_ENGINE } from './build-glm-request.js';
export type { GlmWebSearchRequest, GlmWebSearchResponse, GlmWebSearchIntent } from './glm-web-search.js';
export {
  GlmFiles,
  GLM_MAX_FILE_BYTES,
  type GlmFile,
  type GlmFileContent,
  type GlmFileDeleted,
  type GlmFileList,
  type GlmFileListRequest,
  type GlmFilePurpose,
  type GlmFileUpload,
} from './glm-files.js';
export { mapGlmError, type GlmErrorContext, type GlmOperation } from './map-glm-error.js';
export { mapGlmFinishReason } from './map-finish-reason.js';
