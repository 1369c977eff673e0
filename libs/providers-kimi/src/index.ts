export { createKimi, KimiProvider } from './kimi-provider.js';
export type { KimiProviderSettings } from './kimi-context.js';
export { KimiChatModel } from './kimi-chat-model.js';
export {
  KimiFiles,
  kimiFileLimits,
  type KimiFile,
  type KimiFileContent,
  type KimiFilePurpose,
  type KimiFileUpload,
} from './kimi-files.js';
export type { KimiBalance, KimiModel, KimiTokenEstimateRequest } from './kimi-account.js';
export type { KimiCache, KimiCacheRequest } from './kimi-cache.js';
export type { KimiProviderOptions } from './kimi-provider-options.js';
export type { AutoContinueLimits } from './auto-continue.js';
export { mapKimiError, type KimiErrorContext } from './map-kimi-error.js';
