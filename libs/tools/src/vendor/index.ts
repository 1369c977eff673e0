import type { AnyExaiTool } from '../tool-definition.js';
import { glmPayloadPreviewTool } from './glm-payload-preview-tool.js';
import { glmWebSearchTool } from './glm-web-search-tool.js';
import { kimiChatWithFilesTool } from './kimi-chat-with-files-tool.js';
import { kimiChatWithToolsTool } from './kimi-chat-with-tools-tool.js';
import { kimiIntentAnalysisTool } from './kimi-intent-analysis-tool.js';
import { kimiManageFilesTool } from './kimi-manage-files-tool.js';
import { kimiUploadFilesTool } from './kimi-upload-files-tool.js';
import { smartFileDownloadTool } from './smart-file-download-tool.js';
import { smartFileQueryTool } from './smart-file-query-tool.js';

/**
 * The GLM, Kimi and cross-provider tools, in `tools/list` order: the `standard` ones first
 * (smart_file_query, smart_file_download, glm_web_search, kimi_upload_files, kimi_chat_with_files),
 * then the `full` ones.
 */
export const vendorTools: AnyExaiTool[] = [
  smartFileQueryTool,
  smartFileDownloadTool,
  glmWebSearchTool,
  kimiUploadFilesTool,
  kimiChatWithFilesTool,
  glmPayloadPreviewTool,
  kimiManageFilesTool,
  kimiChatWithToolsTool,
  kimiIntentAnalysisTool,
];

export {
  glmPayloadPreviewTool,
  glmWebSearchTool,
  kimiChatWithFilesTool,
  kimiChatWithToolsTool,
  kimiIntentAnalysisTool,
  kimiManageFilesTool,
  kimiUploadFilesTool,
  smartFileDownloadTool,
  smartFileQueryTool,
};
export { buildIntentRequest, parseIntentHints, classifyIntentByRules, toAiClassification, intentHintsSchema, type IntentHints, type IntentClassification } from './intent-classification.js';
export { describeGlmPayload } from './glm-payload.js';
export { redactPayload, redactSecrets } from '../redact-secrets.js';
export { VendorNotConfiguredError, type GlmVendor, type KimiVendor, type VendorFiles, type VendorFile } from './vendor-clients.js';
