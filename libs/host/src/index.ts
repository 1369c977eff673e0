export { ConfigError } from './config-error.js';
export { configDefaults, exaiConfigFrom, loadExaiConfig, readEnvironment, type ExaiConfig, type ExaiEnvironment } from './load-exai-config.js';
export { composeExai, type ExaiComposition, type UserScope } from './compose-exai.js';
export { createLogger } from './create-logger.js';
export { createProviderFetch, type ProviderFetchOptions } from './provider-fetch.js';
export { envFlag, envInteger, envList, envNumber, envPositiveNumber, envText, envUrl } from './env-fields.js';
